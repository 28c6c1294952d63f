"""Which segments may go, and in which order: pure decisions, no I/O.

A segment is known by its storage path (``{tenant}/{camera}/{yyyy}/{mm}/{dd}/{hh}/segment_{start}.mp4``),
so only its start is known without opening it; its end is taken to be at most
:data:`MAX_SEGMENT` later (the longest segment the recorder writes). That bound is used in
both directions on the safe side: a segment expires only once it has surely ended before
the retention cut-off, and it is held if it may overlap an evidence hold at all.
"""

import heapq
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import takewhile
from pathlib import PurePosixPath

from vms_common.contracts import ID_PATTERN

MAX_SEGMENT = timedelta(seconds=600)
"""The longest segment the recorder writes (SEGMENT_SECONDS is at most 600)."""

_SEGMENT_NAME = re.compile(r"^segment_(\d{8}T\d{6})\.(\d{3})Z\.mp4$")
_ID = re.compile(ID_PATTERN)


@dataclass(frozen=True)
class EvidenceHold:
    """Footage from `start` to `end` must be kept, whatever the retention says."""

    id: str
    start: datetime
    end: datetime

    def covers(self, start: datetime, end: datetime) -> bool:
        return start < self.end and end > self.start


@dataclass(frozen=True)
class RetentionPolicy:
    """How long a camera's footage is kept, and what is held beyond that."""

    retention_days: int
    holds: tuple[EvidenceHold, ...] = ()
    updated_at: datetime | None = None

    def cutoff(self, now: datetime) -> datetime:
        """Segments starting before this instant have surely ended before the retention window."""
        return now - timedelta(days=self.retention_days) - MAX_SEGMENT

    def holds_segment(self, start: datetime) -> bool:
        return any(hold.covers(start, start + MAX_SEGMENT) for hold in self.holds)

    def expires(self, segment: "StoredSegment", now: datetime) -> bool:
        return segment.start < self.cutoff(now) and not self.holds_segment(segment.start)


@dataclass(frozen=True, order=True)
class StoredSegment:
    """A finished segment in local storage or object storage; ordered by start."""

    start: datetime
    path: str = field(compare=False)
    tenant_id: str = field(compare=False)
    camera_id: str = field(compare=False)
    size_bytes: int = field(default=0, compare=False)


def parse_segment_path(relative: str, size_bytes: int = 0) -> StoredSegment | None:
    """The segment a storage-relative path names, or None if it is not a segment path."""
    parts = PurePosixPath(relative).parts
    if len(parts) != 7:
        return None
    tenant_id, camera_id, *_, name = parts
    match = _SEGMENT_NAME.match(name)
    if not match or not _ID.match(tenant_id) or not _ID.match(camera_id):
        return None
    try:
        start = datetime.strptime(match[1], "%Y%m%dT%H%M%S").replace(
            microsecond=int(match[2]) * 1000, tzinfo=UTC
        )
    except ValueError:
        return None
    return StoredSegment(start, relative, tenant_id, camera_id, size_bytes)


def expired(
    segments: Iterable[StoredSegment], policy: RetentionPolicy, now: datetime
) -> Iterator[StoredSegment]:
    """The expired, unheld segments of one camera, given in start order; stops at the cut-off."""
    cutoff = policy.cutoff(now)
    for segment in takewhile(lambda s: s.start < cutoff, segments):
        if not policy.holds_segment(segment.start):
            yield segment


def due_for_tiering(
    segments: Iterable[StoredSegment], policy: RetentionPolicy, now: datetime, after: timedelta
) -> Iterator[StoredSegment]:
    """Segments of one camera (in start order) that ended more than `after` ago and are not
    expired (those are deleted, not moved). Holds do not matter: they keep footage, not its place."""
    old_enough = now - after - MAX_SEGMENT
    for segment in takewhile(lambda s: s.start < old_enough, segments):
        if not policy.expires(segment, now):
            yield segment


def oldest_first(
    cameras: Iterable[Iterable[StoredSegment]], policies: dict[tuple[str, str], RetentionPolicy]
) -> Iterator[StoredSegment]:
    """Across cameras, every unheld segment from the oldest on (each camera given in start order).

    A camera missing from `policies` is left alone: what it holds is unknown.
    """
    for segment in heapq.merge(*cameras):
        policy = policies.get((segment.tenant_id, segment.camera_id))
        if policy is not None and not policy.holds_segment(segment.start):
            yield segment


@dataclass(frozen=True)
class DiskSpace:
    used_bytes: int
    free_bytes: int

    @property
    def ratio(self) -> float:
        total = self.used_bytes + self.free_bytes
        return self.used_bytes / total if total else 0.0
