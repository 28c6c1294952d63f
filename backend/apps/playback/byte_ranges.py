"""HTTP `Range: bytes=...` for one range (RFC 9110 section 14)."""

import re
from dataclasses import dataclass

SINGLE_RANGE = re.compile(r"^\s*(\d*)\s*-\s*(\d*)\s*$")


class RangeNotSatisfiable(Exception):
    """The range lies outside the file (416)."""


@dataclass(frozen=True)
class ByteRange:
    first: int
    last: int

    @property
    def length(self) -> int:
        return self.last - self.first + 1

    def content_range(self, size: int) -> str:
        return f"bytes {self.first}-{self.last}/{size}"


def byte_range_parse(header: str | None, size: int) -> ByteRange | None:
    """The one range asked for, or None to send the whole file.

    A missing, malformed or multi-range header is ignored (the whole file is sent, which
    the RFC allows); a well-formed range outside the file raises RangeNotSatisfiable.
    """
    if not header:
        return None
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    match = SINGLE_RANGE.match(spec)
    if match is None or match.group(1) == match.group(2) == "":
        return None
    first_text, last_text = match.groups()
    if first_text == "":
        suffix = int(last_text)
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiable
        return ByteRange(first=max(0, size - suffix), last=size - 1)
    first = int(first_text)
    if last_text and int(last_text) < first:
        return None
    if first >= size:
        raise RangeNotSatisfiable
    last = min(int(last_text), size - 1) if last_text else size - 1
    return ByteRange(first=first, last=last)
