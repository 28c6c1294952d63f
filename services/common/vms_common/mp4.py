"""Reading the top-level boxes of a fragmented MP4 (ISO/IEC 14496-12).

Only box headers are read (8 or 16 bytes per box), never box contents, through a
`read_at(offset, length)` function, so the same reader serves a file on disk, bytes in
memory or the head of an object in S3, and finding where the init section ends costs a
few small reads however large the file is.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

ReadAt = Callable[[int, int], bytes]
"""Up to `length` bytes of the file at `offset` (fewer, or none, past its end)."""

# Boxes that start the media part of a fragmented MP4: what precedes the first is init.
MEDIA_BOXES = frozenset({"moof", "styp", "sidx", "emsg", "mdat", "prft"})
# The init section of a recorder segment is a handful of boxes; past this many, give up.
MAX_INIT_BOXES = 64


class Mp4Error(ValueError):
    """The file is not a fragmented MP4 whose top-level boxes can be walked."""


@dataclass(frozen=True)
class Mp4Box:
    """A top-level MP4 box: its four-letter type, where it starts and its declared size."""

    kind: str
    offset: int
    size: int

    @property
    def end(self) -> int:
        return self.offset + self.size


def bytes_reader(data: bytes) -> ReadAt:
    """read_at over bytes already in memory (a whole file or its head)."""
    return lambda offset, length: data[offset : offset + length]


def file_reader(file: BinaryIO) -> ReadAt:
    """read_at over a file opened for binary reading."""

    def read_at(offset: int, length: int) -> bytes:
        file.seek(offset)
        return file.read(length)

    return read_at


def mp4_boxes(read_at: ReadAt, size: int) -> Iterator[Mp4Box]:
    """The top-level boxes of a file of `size` bytes, in order, read lazily.

    A box that runs past the end of the file (a write cut short) is still yielded, then
    Mp4Error is raised; so is it at a header that is cut short or is not a box header
    (garbage). A box of declared size 0 runs to the end of the file.
    """
    offset = 0
    while offset + 8 <= size:
        header = read_at(offset, 16)
        if len(header) < 8:
            raise Mp4Error(f"box header at {offset} is cut short")
        box_size = int.from_bytes(header[:4], "big")
        kind_bytes = header[4:8]
        if not all(32 < b < 127 for b in kind_bytes):
            raise Mp4Error(f"bytes at {offset} are not an MP4 box header")
        kind = kind_bytes.decode("ascii")
        header_size = 8
        if box_size == 1:
            if len(header) < 16:
                raise Mp4Error(f"large box header at {offset} is cut short")
            box_size, header_size = int.from_bytes(header[8:16], "big"), 16
        elif box_size == 0:
            box_size = size - offset
        if box_size < header_size:
            raise Mp4Error(f"box {kind!r} at {offset} has an impossible size {box_size}")
        yield Mp4Box(kind, offset, box_size)
        if offset + box_size > size:
            raise Mp4Error(f"box {kind!r} at {offset} needs {box_size} bytes, the file ends first")
        offset += box_size


def mp4_layout(read_at: ReadAt, size: int) -> tuple[list[Mp4Box], bool]:
    """All the file's top-level boxes, and whether they tile the file exactly.

    Reading stops at the first header that is not a box (garbage) or at a box that runs
    past the end of the file (a write cut short); such a box is still listed.
    """
    boxes: list[Mp4Box] = []
    try:
        for box in mp4_boxes(read_at, size):
            boxes.append(box)
    except Mp4Error:
        return boxes, False
    return boxes, (boxes[-1].end if boxes else 0) == size


def init_section_size(read_at: ReadAt, size: int) -> int:
    """Bytes of the init section (ftyp, moov, ...) before the first media fragment.

    Raises Mp4Error when a box header is cut short or is not one, a box claims more bytes
    than the file has (a truncated file), there is no moov, or no fragment follows.
    """
    seen_moov = False
    for count, box in enumerate(mp4_boxes(read_at, size)):
        if box.kind in MEDIA_BOXES:
            if not seen_moov:
                raise Mp4Error("media before the moov box: not a fragmented MP4")
            return box.offset
        if count + 1 >= MAX_INIT_BOXES:
            break
        seen_moov = seen_moov or box.kind == "moov"
    raise Mp4Error("no media fragment after the init section")


def init_section_size_of_bytes(data: bytes) -> int:
    """init_section_size over bytes already in memory (the whole file or its head)."""
    return init_section_size(bytes_reader(data), len(data))


def holds_no_media(read_at: ReadAt, size: int) -> bool:
    """An init section and nothing after it: the file was cut before its first fragment."""
    kinds = {box.kind for box in mp4_layout(read_at, size)[0]}
    return "moov" in kinds and "moof" not in kinds


def whole_fragments_size(read_at: ReadAt, size: int) -> int:
    """The file's length once a fragment whose write was cut short is cut off its end.

    That is where its last complete fragment (moof + mdat) ends. A file whose boxes tile it
    exactly, or that is not made of MP4 boxes, keeps its `size`.
    """
    boxes, whole = mp4_layout(read_at, size)
    complete = [box for box in boxes if box.end <= size]
    if whole or not complete:
        return size
    last = complete[-1]
    cut = last.offset if last.kind == "moof" else last.end
    return cut if 0 < cut < size else size
