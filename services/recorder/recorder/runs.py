"""A recording run's work folder: ffmpeg's segment list and log, and the run's time anchor.

A run's segments are contiguous in stream time, so their wall-clock times are the moment the
run's first segment appeared (the anchor) plus the stream offsets the list gives. The anchor
is written to ``run.json`` as soon as it is known, so that the segments a crash leaves behind
can still be placed in time on the next start.
"""

import json
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

LIST_NAME = "segments.csv"
LOG_NAME = "ffmpeg.log"
ANCHOR_NAME = "run.json"


@dataclass(frozen=True)
class Timeline:
    """Maps stream time (seconds, as in the segment list) to wall-clock time."""

    anchor: datetime
    first_start_s: float | None = None

    def wall(self, stream_s: float) -> datetime:
        return self.anchor + timedelta(seconds=stream_s - (self.first_start_s or 0.0))


def timeline_save(work_dir: Path, timeline: Timeline) -> None:
    """Write the run's anchor atomically: a reader sees the old file or the new one."""
    body = {"anchor": timeline.anchor.isoformat(), "first_start_s": timeline.first_start_s}
    tmp = work_dir / f"{ANCHOR_NAME}.tmp"
    with tmp.open("w") as f:
        json.dump(body, f)
        f.flush()
        os.fsync(f.fileno())
    tmp.replace(work_dir / ANCHOR_NAME)


def timeline_load(work_dir: Path) -> Timeline | None:
    """The run's saved anchor; None when there is none or it cannot be read."""
    try:
        body = json.loads((work_dir / ANCHOR_NAME).read_text())
        anchor = datetime.fromisoformat(body["anchor"])
        first = body.get("first_start_s")
        if anchor.tzinfo is None:
            return None
        return Timeline(anchor, None if first is None else float(first))
    except (OSError, ValueError, KeyError, TypeError):
        return None
