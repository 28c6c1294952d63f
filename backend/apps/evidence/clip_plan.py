"""Which part of each source segment goes into a clip (plain Python, no I/O).

Every segment file starts its media time at 0 at the segment's recorded `start`, so the
part of a segment inside `[start, end)` is `inpoint = start - segment.start` and
`outpoint = end - segment.start`, each only where the range cuts the segment.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

S = TypeVar("S")


@dataclass(frozen=True)
class ClipPart(Generic[S]):
    source: S
    seg_start: datetime
    seg_end: datetime
    inpoint_s: float | None
    outpoint_s: float | None

    @property
    def duration_s(self) -> float:
        full = (self.seg_end - self.seg_start).total_seconds()
        return (self.outpoint_s if self.outpoint_s is not None else full) - (self.inpoint_s or 0.0)


def clip_plan(
    sources: Sequence[tuple[S, datetime, datetime]], *, start: datetime, end: datetime
) -> list[ClipPart[S]]:
    """Parts in time order for sources given as `(source, segment start, segment end)`.

    Sources outside the range are left out; overlapping sources are cut so that no
    moment appears twice.
    """
    parts: list[ClipPart[S]] = []
    covered_until = start
    for source, seg_start, seg_end in sorted(sources, key=lambda item: item[1]):
        part_start = max(seg_start, covered_until)
        part_end = min(seg_end, end)
        if part_end <= part_start:
            continue
        inpoint = (part_start - seg_start).total_seconds() if part_start > seg_start else None
        outpoint = (part_end - seg_start).total_seconds() if part_end < seg_end else None
        parts.append(ClipPart(source, seg_start, seg_end, inpoint, outpoint))
        covered_until = part_end
    return parts


def clip_duration_s(parts: Sequence[ClipPart[S]]) -> float:
    return sum(part.duration_s for part in parts)
