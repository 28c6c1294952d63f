"""Checks a finished segment, fingerprints it and reads its MP4 boxes.

A segment is read in Python from its boxes: the video track's codec and size from the init
section (the avc1/hvc1 sample entry), its duration from the fragments' sample durations
(trun). That costs a few small reads instead of an ffprobe process per segment. A file that
does not read that way (not a fragmented MP4 with a video track and media fragments) is
left to ffprobe, which then accepts it or says why it is corrupt.
"""

import json
import os
import struct
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
    """Codec, size, duration and fingerprint of a segment; CorruptSegment if it has none."""
    try:
        codec, width, height, duration = read_fragmented_video(path)
    except Mp4Error:
        return ffprobe_segment(path, ffprobe)
    return SegmentInfo(
        duration_s=duration,
        codec=codec,
        width=width,
        height=height,
        size_bytes=path.stat().st_size,
        sha256=file_sha256(path),
    )


CODECS = {"avc1": "h264", "avc3": "h264", "hvc1": "hevc", "hev1": "hevc"}
CONTAINERS = frozenset({"moov", "trak", "mdia", "minf", "stbl", "mvex", "moof", "traf"})
MAX_BOX_READ = 4 * 2**20  # moov and moof of a segment are a few KiB


def _children(data: bytes, start: int = 0) -> list[tuple[str, bytes]]:
    """The boxes inside `data[start:]`: (type, contents)."""
    out = []
    offset = start
    while offset + 8 <= len(data):
        size, kind = struct.unpack_from(">I4s", data, offset)
        header = 8
        if size == 1:
            if offset + 16 > len(data):
                raise Mp4Error("a large box header is cut short")
            size, header = struct.unpack_from(">Q", data, offset + 8)[0], 16
        elif size == 0:
            size = len(data) - offset
        if size < header or offset + size > len(data):
            raise Mp4Error(f"box {kind!r} does not fit in its parent")
        out.append((kind.decode("latin-1"), data[offset + header : offset + size]))
        offset += size
    if offset != len(data):
        raise Mp4Error("trailing bytes in a box")
    return out


def _find(data: bytes, *path: str) -> bytes:
    for kind in path:
        data = next((body for k, body in _children(data) if k == kind), b"")
        if not data:
            raise Mp4Error(f"no {kind} box")
    return data


def _video_track(moov: bytes) -> tuple[int, str, int, int, int]:
    """(track id, codec, width, height, timescale) of the first video track."""
    for kind, trak in _children(moov):
        if kind != "trak":
            continue
        mdia = _find(trak, "mdia")
        if _find(mdia, "hdlr")[8:12] != b"vide":
            continue
        tkhd = _find(trak, "tkhd")
        track_id = struct.unpack_from(">I", tkhd, 20 if tkhd[0] == 1 else 12)[0]
        mdhd = _find(mdia, "mdhd")
        timescale = struct.unpack_from(">I", mdhd, 20 if mdhd[0] == 1 else 12)[0]
        stsd = _find(mdia, "minf", "stbl", "stsd")
        entries = _children(stsd, 8)  # version, flags, entry count
        if not entries or len(entries[0][1]) < 28 or timescale == 0:
            raise Mp4Error("the video track has no usable sample description")
        entry_kind, entry = entries[0]
        width, height = struct.unpack_from(">HH", entry, 24)
        return track_id, CODECS.get(entry_kind, entry_kind), width, height, timescale
    raise Mp4Error("no video track")


def _default_duration(moov: bytes, track_id: int) -> int:
    """The track's default sample duration from mvex/trex (0 if none)."""
    for kind, body in _children(moov):
        if kind == "mvex":
            for sub, trex in _children(body):
                if sub == "trex" and struct.unpack_from(">I", trex, 4)[0] == track_id:
                    return int(struct.unpack_from(">I", trex, 12)[0])
    return 0


def _fragment_ticks(moof: bytes, track_id: int, trex_duration: int) -> tuple[int, int]:
    """(samples, duration in track ticks) of the track in one moof."""
    samples = ticks = 0
    for kind, traf in _children(moof):
        if kind != "traf":
            continue
        tfhd = _find(traf, "tfhd")
        flags = int.from_bytes(tfhd[1:4], "big")
        if struct.unpack_from(">I", tfhd, 4)[0] != track_id:
            continue
        default = trex_duration
        at = 8 + (8 if flags & 0x01 else 0) + (4 if flags & 0x02 else 0)
        if flags & 0x08:
            default = struct.unpack_from(">I", tfhd, at)[0]
        for sub, trun in _children(traf):
            if sub != "trun":
                continue
            tflags = int.from_bytes(trun[1:4], "big")
            count = struct.unpack_from(">I", trun, 4)[0]
            at = 8 + (4 if tflags & 0x01 else 0) + (4 if tflags & 0x04 else 0)
            fields = [0x100, 0x200, 0x400, 0x800]
            stride = 4 * sum(1 for f in fields if tflags & f)
            if at + stride * count > len(trun):
                raise Mp4Error("trun is cut short")
            if tflags & 0x100:
                ticks += sum(
                    struct.unpack_from(">I", trun, at + i * stride)[0] for i in range(count)
                )
            else:
                ticks += default * count
            samples += count
    return samples, ticks


def read_fragmented_video(path: Path) -> tuple[str, int, int, float]:
    """(codec, width, height, duration in seconds) of a fragmented MP4's video track.

    Raises Mp4Error when its boxes do not tile the file, there is no video track, or no
    fragment holds a sample of it.
    """
    with path.open("rb") as f:
        read_at = file_reader(f)
        size = os.fstat(f.fileno()).st_size
        boxes, whole = mp4.mp4_layout(read_at, size)
        if not whole:
            raise Mp4Error("the file is not a sequence of whole MP4 boxes")

        def body(box: mp4.Mp4Box) -> bytes:
            if box.size > MAX_BOX_READ:
                raise Mp4Error(f"box {box.kind} is too large to read")
            data = read_at(box.offset, box.size)
            header = 16 if int.from_bytes(data[:4], "big") == 1 else 8
            return data[header:]

        moovs = [box for box in boxes if box.kind == "moov"]
        if len(moovs) != 1:
            raise Mp4Error("not one moov box")
        moov = body(moovs[0])
        track_id, codec, width, height, timescale = _video_track(moov)
        trex_duration = _default_duration(moov, track_id)
        samples = ticks = 0
        for index, box in enumerate(boxes):
            if box.kind != "moof":
                continue
            if index + 1 >= len(boxes) or boxes[index + 1].kind != "mdat":
                raise Mp4Error("a fragment without its media data")
            more_samples, more_ticks = _fragment_ticks(body(box), track_id, trex_duration)
            samples += more_samples
            ticks += more_ticks
    if samples == 0 or ticks <= 0:
        raise Mp4Error("no video samples")
    return codec, width, height, ticks / timescale


def ffprobe_segment(path: Path, ffprobe: str) -> SegmentInfo:
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
