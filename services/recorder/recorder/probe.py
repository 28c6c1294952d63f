"""Checks a finished segment with ffprobe and fingerprints it."""

import hashlib
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path


class CorruptSegment(Exception):
    """ffprobe cannot read the segment, or it holds no video."""


@dataclass(frozen=True)
class SegmentInfo:
    duration_s: float
    codec: str
    width: int
    height: int
    size_bytes: int
    sha256: str


def probe_segment(path: Path, ffprobe: str = "ffprobe") -> SegmentInfo:
    try:
        result = subprocess.run(
            [
                ffprobe,
                "-v",
                "error",
                "-select_streams",
                "v:0",
                "-show_entries",
                "stream=codec_name,width,height:format=duration",
                "-of",
                "json",
                str(path),
            ],
            capture_output=True,
            timeout=30,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise CorruptSegment(f"ffprobe timed out on {path.name}") from exc
    if result.returncode != 0:
        raise CorruptSegment(result.stderr.decode(errors="replace").strip()[-300:])
    data = json.loads(result.stdout or b"{}")
    streams = data.get("streams") or []
    duration = float(data.get("format", {}).get("duration") or 0)
    if not streams or duration <= 0:
        raise CorruptSegment(f"{path.name} holds no playable video")
    stream = streams[0]
    return SegmentInfo(
        duration_s=duration,
        codec=str(stream.get("codec_name", "unknown")),
        width=int(stream.get("width", 0)),
        height=int(stream.get("height", 0)),
        size_bytes=path.stat().st_size,
        sha256=_sha256(path),
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class Mp4Box:
    """A top-level MP4 box: its four-letter type, where it starts and its declared size."""

    kind: str
    offset: int
    size: int

    @property
    def end(self) -> int:
        return self.offset + self.size


def mp4_boxes(path: Path) -> tuple[list[Mp4Box], bool]:
    """The file's top-level boxes, and whether they tile the file exactly.

    Reading stops at the first header that is not a box (garbage) or at a box that runs past
    the end of the file (a write cut short); such a box is still listed.
    """
    boxes: list[Mp4Box] = []
    file_size = path.stat().st_size
    with path.open("rb") as f:
        offset = 0
        while offset + 8 <= file_size:
            f.seek(offset)
            header = f.read(16)
            size = int.from_bytes(header[:4], "big")
            kind_bytes = header[4:8]
            if not all(32 < b < 127 for b in kind_bytes):
                return boxes, False
            header_size = 8
            if size == 1 and len(header) >= 16:
                size, header_size = int.from_bytes(header[8:16], "big"), 16
            elif size == 0:
                size = file_size - offset
            if size < header_size:
                return boxes, False
            boxes.append(Mp4Box(kind_bytes.decode("ascii"), offset, size))
            if offset + size > file_size:
                return boxes, False
            offset += size
    return boxes, offset == file_size


def init_size_bytes(path: Path) -> int | None:
    """Bytes of the init section (ftyp + moov) of a fragmented MP4: the offset of its first moof."""
    boxes, _ = mp4_boxes(path)
    kinds: set[str] = set()
    for box in boxes:
        if box.kind == "moof":
            return box.offset if {"ftyp", "moov"} <= kinds else None
        kinds.add(box.kind)
    return None


def holds_no_media(path: Path) -> bool:
    """An init section and nothing after it: the segment was cut before its first fragment."""
    boxes, _ = mp4_boxes(path)
    kinds = {b.kind for b in boxes}
    return "moov" in kinds and "moof" not in kinds


def trim_incomplete_tail(path: Path) -> int:
    """Cut a fragment whose write was cut short off the end of the file; return bytes removed.

    The file then ends after its last complete fragment (moof + mdat). A file that is not
    made of MP4 boxes is left alone.
    """
    boxes, whole = mp4_boxes(path)
    size = path.stat().st_size
    if whole or not boxes:
        return 0
    complete = [b for b in boxes if b.end <= size]
    if not complete:
        return 0
    cut = complete[-1].end
    if complete[-1].kind == "moof":
        cut = complete[-1].offset
    if cut == 0 or cut >= size:
        return 0
    with path.open("r+b") as f:
        f.truncate(cut)
    return size - cut


def sha256_of(path: Path) -> str:
    return _sha256(path)
