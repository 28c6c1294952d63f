"""Reading the top-level box headers of a fragmented MP4 (ISO/IEC 14496-12).

Only headers are read (8 or 16 bytes per box), never box contents, so finding where the
init section ends costs a few small reads however large the file is.
"""

import struct
from collections.abc import Callable

# Boxes that start the media part of a fragmented MP4: what precedes the first is init.
MEDIA_BOXES = frozenset({b"moof", b"styp", b"sidx", b"emsg", b"mdat", b"prft"})
MAX_BOXES = 64


class Mp4Error(ValueError):
    """The file is not a fragmented MP4 whose top-level boxes can be walked."""


def init_section_size(read_at: Callable[[int, int], bytes], size: int) -> int:
    """Bytes of the init section (ftyp, moov, ...) before the first media fragment.

    `read_at(offset, length)` returns up to `length` bytes at `offset`; `size` is the
    file's length. Raises Mp4Error when a box header is cut short, a box claims more
    bytes than the file has (a truncated file), there is no moov, or no fragment follows.
    """
    offset = 0
    seen_moov = False
    for _ in range(MAX_BOXES):
        if offset + 8 > size:
            break
        header = read_at(offset, 16)
        if len(header) < 8:
            raise Mp4Error(f"box header at {offset} is cut short")
        box_size, box_type = struct.unpack(">I4s", header[:8])
        if box_type in MEDIA_BOXES:
            if not seen_moov:
                raise Mp4Error("media before the moov box: not a fragmented MP4")
            return offset
        if box_size == 1:
            if len(header) < 16:
                raise Mp4Error(f"large box header at {offset} is cut short")
            box_size = struct.unpack(">Q", header[8:16])[0]
        elif box_size == 0:
            raise Mp4Error(f"box {box_type!r} at {offset} runs to the end: no fragments")
        if box_size < 8:
            raise Mp4Error(f"box {box_type!r} at {offset} has an impossible size {box_size}")
        if offset + box_size > size:
            raise Mp4Error(
                f"box {box_type!r} at {offset} needs {box_size} bytes, the file ends first"
            )
        seen_moov = seen_moov or box_type == b"moov"
        offset += box_size
    raise Mp4Error("no media fragment after the init section")


def init_section_size_of_bytes(data: bytes) -> int:
    """init_section_size over bytes already in memory (the whole file or its head)."""
    return init_section_size(lambda offset, length: data[offset : offset + length], len(data))
