"""Remote-source options: the command line over keysprawl.toml's [services]."""

from __future__ import annotations

from pathlib import Path

from scanner.cli.service_params import SERVICE_OPTION_NAMES, build_service_options
from scanner.service_config import service_options


def test_retry_delays_never_outlast_the_longest_wait_from_file_or_command_line():
    document = {"services": {"http": {"max_wait": 5, "backoff": 2}}}
    from_file = service_options(document, Path("keysprawl.toml"))
    assert (from_file.http.backoff, from_file.http.backoff_max) == (2.0, 5.0)
    unset = dict.fromkeys(SERVICE_OPTION_NAMES)
    assert build_service_options(unset, from_file).http == from_file.http
    longer = build_service_options({**unset, "max_wait": 600.0}, from_file)
    assert (longer.http.backoff_max, longer.http.max_wait) == (30.0, 600.0)
