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
