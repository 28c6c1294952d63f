"""Checks a finished segment with ffprobe, fingerprints it and reads its MP4 boxes."""

import json
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from vms_common import mp4
from vms_common.checksums import file_sha256
from vms_common.mp4 import Mp4Error, ReadAt, file_reader, init_section_size, whole_fragments_size

T = TypeVar("T")


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
        sha256=file_sha256(path),
    )


def _measure(path: Path, measure: Callable[[ReadAt, int], T]) -> T:
    with path.open("rb") as f:
        return measure(file_reader(f), os.fstat(f.fileno()).st_size)


def init_size_bytes(path: Path) -> int | None:
    """Bytes of the init section of a fragmented MP4 file; None when it has none."""
    try:
        return _measure(path, init_section_size)
    except Mp4Error:
        return None


def holds_no_media(path: Path) -> bool:
    """An init section and nothing after it: the segment was cut before its first fragment."""
    return _measure(path, mp4.holds_no_media)


def trim_incomplete_tail(path: Path) -> int:
    """Cut a fragment whose write was cut short off the end of the file; return bytes removed.

    The file then ends after its last complete fragment (moof + mdat). A file that is not
    made of MP4 boxes is left alone.
    """
    size = path.stat().st_size
    keep = _measure(path, whole_fragments_size)
    if keep < size:
        with path.open("r+b") as f:
            f.truncate(keep)
    return size - keep
