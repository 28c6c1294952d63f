"""Recorded coverage of a camera: segments on disk and the gaps between them.

Plain Python, no framework: the playback API and the timeline build on these rules.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import PurePosixPath


class SegmentStatus(StrEnum):
    OK = "ok"
    CORRUPT = "corrupt"


@dataclass(frozen=True)
class Segment:
    """A recorded stretch of video from `start` to `end` (UTC)."""

    start: datetime
    end: datetime
    status: SegmentStatus = SegmentStatus.OK

    @property
    def playable(self) -> bool:
        return self.status == SegmentStatus.OK and self.end > self.start


@dataclass(frozen=True)
class Gap:
    """A stretch of the asked-for range without playable video."""

    start: datetime
    end: datetime


def find_gaps(
    segments: Iterable[Segment],
    start: datetime,
    end: datetime,
    now: datetime,
    tolerance_s: float = 1.0,
) -> list[Gap]:
    """The holes longer than `tolerance_s` in the coverage of `[start, min(end, now))`.

    A hole before the first segment (leading) and one after the last (trailing) count;
    nothing after `now` is a gap, since it has not happened yet. Corrupt segments cover
    nothing, so they show up as holes. Segments may come in any order and may overlap.
    """
    horizon = min(end, now)
    if horizon <= start:
        return []
    tolerance = timedelta(seconds=tolerance_s)
    gaps: list[Gap] = []
    covered_until = start
    for segment in sorted((s for s in segments if s.playable), key=lambda s: s.start):
        if segment.start >= horizon:
            break
        if segment.end <= covered_until:
            continue
        if segment.start - covered_until > tolerance:
            gaps.append(Gap(start=covered_until, end=segment.start))
        covered_until = max(covered_until, segment.end)
        if covered_until >= horizon:
            return gaps
    if horizon - covered_until > tolerance:
        gaps.append(Gap(start=covered_until, end=horizon))
    return gaps


def is_safe_relative_path(path: str) -> bool:
    """Whether `path` is relative and stays below its root (no `..`, no absolute path)."""
    if not path or "\\" in path or "\x00" in path:
        return False
    candidate = PurePosixPath(path)
    return not candidate.is_absolute() and ".." not in candidate.parts


class StorageTier(StrEnum):
    LOCAL = "local"
    S3 = "s3"


@dataclass(frozen=True, slots=True)
class RecordedSegment:
    """One recorded segment file as playback needs it: where, when, how big, whether good.

    `init_size_bytes` is the length of the file's init section (ftyp + moov) at offset 0,
    the rest being media fragments; None when not known yet.
    """

    id: int
    start: datetime
    end: datetime
    duration_s: float
    status: SegmentStatus
    tier: StorageTier
    path: str
    location: str
    size_bytes: int
    init_size_bytes: int | None
    sha256: str

    @property
    def segment(self) -> Segment:
        return Segment(self.start, self.end, self.status)

    @property
    def playable(self) -> bool:
        return self.segment.playable
