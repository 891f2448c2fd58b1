"""Durations in the inventory and policy: `90d`, `12w`, `6m` (30 days), `1y` (365 days)."""

from __future__ import annotations

import re
from datetime import timedelta

_DURATION = re.compile(r"^\s*(\d+)\s*([dwmy])\s*$")
_DAYS_PER_UNIT = {"d": 1, "w": 7, "m": 30, "y": 365}


class InvalidDuration(ValueError):
    pass


def parse_duration(text: str) -> timedelta:
    found = _DURATION.match(text)
    if found is None or int(found.group(1)) == 0:
        raise InvalidDuration(f"{text!r} is not a duration like 90d, 12w, 6m or 1y")
    return timedelta(days=int(found.group(1)) * _DAYS_PER_UNIT[found.group(2)])
