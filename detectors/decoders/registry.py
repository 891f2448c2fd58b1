"""The built-in text decoders, by name, in the order they are tried."""

from __future__ import annotations

from collections.abc import Callable

from detectors.decoders.b64 import Base64Decoder
from detectors.decoders.base import DecodeOptions, Decoder
from detectors.decoders.escapes import EscapeDecoder
from detectors.decoders.notebook import NotebookDecoder
from detectors.decoders.percent import PercentDecoder

DECODERS: dict[str, Callable[[DecodeOptions, bool], Decoder]] = {
    "base64": lambda options, accelerate: Base64Decoder(options, accelerate=accelerate),
    "percent": lambda options, _accelerate: PercentDecoder(options),
    "json-escape": lambda options, _accelerate: EscapeDecoder(options),
    "notebook": lambda options, _accelerate: NotebookDecoder(options),
}


def build(options: DecodeOptions, *, accelerate: bool = True) -> list[Decoder]:
    return [make(options, accelerate) for make in DECODERS.values()]
