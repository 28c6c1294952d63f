"""Recovers the segments a crashed recorder left in its run folders.

Every run folder under ``{root}/.incoming/{tenant}/{camera}/`` that no live ffmpeg writes to
holds segments ffmpeg listed but nobody filed, and usually one partial segment it was writing
when the recorder died. They are filed exactly as a live run files them, placed in time by
the run's saved anchor (or, when there is none, by the last file's modification time), and
the folder is removed.
"""

import shutil
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from recorder import metrics
from recorder.filing import SegmentFiler
from recorder.probe import CorruptSegment, probe_segment
from recorder.runs import LIST_NAME, Timeline, timeline_load
from recorder.segment_list import ListedSegment, SegmentListReader
from vms_common.logging import get_logger

log = get_logger(__name__)


def orphan_runs(root: Path, live: Iterable[tuple[str, str]] = ()) -> list[tuple[str, str, Path]]:
    """(tenant, camera, run folder) of every run folder not owned by a live camera recorder."""
    skip = set(live)
    found = []
    for run_dir in sorted((root / ".incoming").glob("*/*/*")):
        tenant, camera = run_dir.parent.parent.name, run_dir.parent.name
        if run_dir.is_dir() and (tenant, camera) not in skip:
            found.append((tenant, camera, run_dir))
    return found


def recover_run(run_dir: Path, filer: SegmentFiler) -> int:
    """File what the run left behind and remove its folder; the number of segments filed."""
    entries = SegmentListReader(run_dir / LIST_NAME).new_entries()
    leftovers = _leftovers(run_dir, entries)
    timeline = timeline_load(run_dir) or _timeline_from_files(run_dir, leftovers, filer.ffprobe)
    if timeline.first_start_s is None:
        timeline = Timeline(timeline.anchor, entries[0].start_s if entries else 0.0)
    filed = 0
    for path, start_s, listed_duration_s in leftovers:
        if filer.file(path, timeline.wall(start_s), listed_duration_s) is not None:
            filed += 1
    shutil.rmtree(run_dir, ignore_errors=True)
    metrics.RECOVERED_SEGMENTS.labels(tenant_id=filer.tenant_id, camera_id=filer.camera_id).inc(
        filed
    )
    log.info("crashed run recovered", run=run_dir.name, segments=filed)
    return filed


def recover_all(
    root: Path,
    filer_for: Callable[[str, str], SegmentFiler],
    live: Iterable[tuple[str, str]] = (),
) -> int:
    return sum(
        recover_run(run_dir, filer_for(tenant, camera))
        for tenant, camera, run_dir in orphan_runs(root, live)
    )


def _leftovers(
    run_dir: Path, entries: list[ListedSegment]
) -> list[tuple[Path, float, float | None]]:
    """(file, stream start, listed duration or None) of every segment file still in the run."""
    listed = {e.filename: e for e in entries}
    last_end_s = max((e.end_s for e in entries), default=0.0)
    found: list[tuple[Path, float, float | None]] = []
    for path in sorted(run_dir.glob("*.mp4")):
        entry = listed.get(path.name)
        if entry is not None and entry.end_s > entry.start_s:
            found.append((path, entry.start_s, entry.end_s - entry.start_s))
        elif path.stat().st_size > 0:
            found.append((path, last_end_s, None))
        else:
            path.unlink()
    return found


def _timeline_from_files(
    run_dir: Path, leftovers: list[tuple[Path, float, float | None]], ffprobe: str
) -> Timeline:
    """Without a saved anchor: the last file ended when it was last written to."""
    if not leftovers:
        return Timeline(datetime.now(UTC), 0.0)
    path, start_s, listed_duration_s = leftovers[-1]
    modified = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    duration_s = listed_duration_s
    if duration_s is None:
        try:
            duration_s = probe_segment(path, ffprobe).duration_s
        except CorruptSegment:
            duration_s = 0.0
    log.warning("run without saved anchor placed by file times", run=run_dir.name)
    return Timeline(modified - timedelta(seconds=start_s + duration_s), 0.0)
