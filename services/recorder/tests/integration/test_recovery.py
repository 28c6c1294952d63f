"""Recovery of crashed runs, on run folders written by the real ffmpeg segment muxer.

The announcer is a fake of the `SegmentAnnouncer` port that keeps what it is given.
"""

import hashlib
import itertools
import os
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from recorder.ffmpeg_recorder import MP4_OPTIONS
from recorder.filing import SegmentFiler
from recorder.recovery import orphan_runs, recover_all
from recorder.runs import LIST_NAME, Timeline, timeline_save
from recorder.segment_list import ListedSegment, SegmentListReader
from recorder.storage import incoming_dir
from vms_common.contracts import Event, SegmentCompleted, SegmentCorrupt
from vms_common.mp4 import bytes_reader, mp4_layout

ANCHOR = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


class KeptEvents:
    def __init__(self) -> None:
        self.events: list[Event] = []

    def announce(self, event: Event) -> None:
        self.events.append(event)

    def of(self, kind: type[Event]) -> list[Event]:
        return [e for e in self.events if isinstance(e, kind)]


def record_run(work_dir: Path) -> None:
    """Nine seconds of test video as the recorder writes them: 3 s segments and their list."""
    work_dir.mkdir(parents=True)
    subprocess.run(
        [
            "ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi",
            "-i", "testsrc=size=320x240:rate=15", "-frames:v", "135",
            "-c:v", "libx264", "-g", "15", "-pix_fmt", "yuv420p",
            "-f", "segment", "-segment_time", "3", "-segment_format", "mp4",
            "-segment_format_options", MP4_OPTIONS, "-reset_timestamps", "1",
            "-segment_list", str(work_dir / LIST_NAME), "-segment_list_type", "csv",
            str(work_dir / "%06d.mp4"),
        ],
        check=True,
        timeout=60,
    )  # fmt: skip


def listed(work_dir: Path) -> list[ListedSegment]:
    return SegmentListReader(work_dir / LIST_NAME).new_entries()


def crash(work_dir: Path) -> None:
    """As a SIGKILL mid-segment leaves it: the first segment filed, the last unlisted and cut
    inside its third fragment."""
    (work_dir / "000000.mp4").unlink()
    unlist_last(work_dir)
    last = work_dir / "000002.mp4"
    data = last.read_bytes()
    boxes, _ = mp4_layout(bytes_reader(data), len(data))
    last.write_bytes(data[: [b for b in boxes if b.kind == "mdat"][2].offset + 100])


def unlist_last(work_dir: Path) -> None:
    lines = (work_dir / LIST_NAME).read_text().splitlines(keepends=True)
    (work_dir / LIST_NAME).write_text("".join(lines[:-1]))


@pytest.fixture
def filer_for(tmp_path):
    kept = KeptEvents()

    def filer(tenant: str, camera: str) -> SegmentFiler:
        return SegmentFiler(tenant, camera, tmp_path, kept)

    filer.kept = kept  # type: ignore[attr-defined]
    return filer


def test_a_crashed_run_is_filed_in_time_order_from_its_saved_anchor(tmp_path, filer_for):
    work_dir = incoming_dir(tmp_path, "t", "cam", "run-1")
    record_run(work_dir)
    timeline_save(work_dir, Timeline(ANCHOR, 0.0))
    _, second, third = listed(work_dir)
    crash(work_dir)

    assert recover_all(tmp_path, filer_for) == 2
    whole, partial = filer_for.kept.of(SegmentCompleted)
    assert whole.start == ANCHOR + timedelta(seconds=second.start_s)
    assert whole.end == ANCHOR + timedelta(seconds=second.end_s)
    assert partial.start == ANCHOR + timedelta(seconds=third.start_s)
    assert partial.duration_s == pytest.approx(2.0, abs=0.15)  # two whole fragments kept
    for event in (whole, partial):
        stored = tmp_path / event.path
        assert stored.is_file()
        assert event.sha256 == hashlib.sha256(stored.read_bytes()).hexdigest()
        assert event.size_bytes == stored.stat().st_size
        assert event.init_size_bytes is not None
        at = event.init_size_bytes
        assert stored.read_bytes()[at + 4 : at + 8] == b"moof"
    assert not work_dir.exists()
    assert orphan_runs(tmp_path) == []


def test_without_a_saved_anchor_the_last_segment_ends_when_it_was_last_written(tmp_path, filer_for):
    work_dir = incoming_dir(tmp_path, "t", "cam", "run-2")
    record_run(work_dir)
    unlist_last(work_dir)
    written = ANCHOR + timedelta(minutes=5)
    os.utime(work_dir / "000002.mp4", (written.timestamp(), written.timestamp()))

    recover_all(tmp_path, filer_for)
    completed = filer_for.kept.of(SegmentCompleted)
    assert len(completed) == 3
    assert abs((completed[-1].end - written).total_seconds()) < 0.01
    for earlier, later in itertools.pairwise(completed):
        assert abs((later.start - earlier.end).total_seconds()) < 0.01


def test_a_crashed_run_whose_segment_is_garbage_is_kept_aside_and_announced_corrupt(
    tmp_path, filer_for
):
    work_dir = incoming_dir(tmp_path, "t", "cam", "run-3")
    work_dir.mkdir(parents=True)
    garbage = os.urandom(5000)
    (work_dir / "000000.mp4").write_bytes(garbage)
    timeline_save(work_dir, Timeline(ANCHOR))

    assert recover_all(tmp_path, filer_for) == 0
    [corrupt] = filer_for.kept.of(SegmentCorrupt)
    assert corrupt.path == ".corrupt/t/cam/run-3-000000.mp4"
    assert (tmp_path / corrupt.path).read_bytes() == garbage
    assert corrupt.sha256 == hashlib.sha256(garbage).hexdigest()
    assert corrupt.size_bytes == 5000
    assert corrupt.start == corrupt.end == ANCHOR
    assert corrupt.reason
    assert filer_for.kept.of(SegmentCompleted) == []
    assert not work_dir.exists()


def test_runs_of_cameras_being_recorded_are_left_alone(tmp_path, filer_for):
    live = incoming_dir(tmp_path, "t", "live", "run-4")
    live.mkdir(parents=True)
    assert orphan_runs(tmp_path, live=[("t", "live")]) == []
    assert recover_all(tmp_path, filer_for, live=[("t", "live")]) == 0
    assert live.is_dir()
