"""When cleanup runs, and that a failing pass never stops the schedule."""

import threading
import time
from datetime import UTC, datetime
from datetime import time as clock_time

import pytest

from recorder.scheduler import Housekeeping, daily_time, next_daily_run


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2026, 5, 1, 1, 59, 59, tzinfo=UTC), datetime(2026, 5, 1, 2, 0, tzinfo=UTC)),
        (datetime(2026, 5, 1, 2, 0, tzinfo=UTC), datetime(2026, 5, 2, 2, 0, tzinfo=UTC)),
        (datetime(2026, 5, 1, 2, 0, 0, 1, tzinfo=UTC), datetime(2026, 5, 2, 2, 0, tzinfo=UTC)),
        (datetime(2026, 12, 31, 23, 0, tzinfo=UTC), datetime(2027, 1, 1, 2, 0, tzinfo=UTC)),
    ],
    ids=["later-today", "exactly-now-means-tomorrow", "just-after", "over-new-year"],
)
def test_the_next_daily_run_is_the_next_occurrence_of_the_time(now, expected):
    assert next_daily_run(now, clock_time(2, 0)) == expected


def test_cleanup_at_is_read_as_a_time_of_day_and_empty_switches_it_off():
    assert daily_time("02:00") == clock_time(2, 0)
    assert daily_time("23:45") == clock_time(23, 45)
    assert daily_time("") is None


class FakeCleaner:
    """Stands in for the cleaner: counts passes; the retention pass can be made to fail."""

    def __init__(self, fail_retention: bool = False) -> None:
        self.fail_retention = fail_retention
        self.emergency_checks = 0
        self.retention_runs: list[datetime] = []
        self.checked = threading.Event()

    def emergency_pass(self) -> None:
        self.emergency_checks += 1
        if self.emergency_checks >= 3:
            self.checked.set()
        raise OSError("disk gone")  # a failing check must not stop the next one

    def retention_pass(self, now: datetime) -> None:
        self.retention_runs.append(now)
        if self.fail_retention:
            raise RuntimeError("retention broke")


class FakeTierer:
    def __init__(self) -> None:
        self.runs: list[datetime] = []

    def tiering_pass(self, now: datetime) -> None:
        self.runs.append(now)


def test_tiering_still_runs_after_a_failed_retention_pass_and_the_run_reports_failure():
    cleaner, tierer = FakeCleaner(fail_retention=True), FakeTierer()
    now = datetime(2026, 5, 1, 2, 0, tzinfo=UTC)
    housekeeping = Housekeeping(cleaner, tierer, None, 60, clock=lambda: now)  # type: ignore[arg-type]
    assert housekeeping.run_daily() is False
    assert cleaner.retention_runs == [now]
    assert tierer.runs == [now]


def test_the_disk_check_repeats_despite_failures_and_the_thread_stops_promptly():
    cleaner = FakeCleaner()
    housekeeping = Housekeeping(cleaner, None, clock_time(2, 0), 0.05)  # type: ignore[arg-type]
    housekeeping.start()
    try:
        assert cleaner.checked.wait(timeout=10), "the disk check did not repeat"
    finally:
        began = time.monotonic()
        housekeeping.stop(timeout_s=10)
    assert time.monotonic() - began < 5
    assert not housekeeping._thread.is_alive()


def test_the_daily_run_happens_when_its_time_comes():
    cleaner, tierer = FakeCleaner(), FakeTierer()
    now = {"t": datetime(2026, 5, 1, 1, 59, 59, 900000, tzinfo=UTC)}
    housekeeping = Housekeeping(cleaner, tierer, clock_time(2, 0), 3600, clock=lambda: now["t"])  # type: ignore[arg-type]
    housekeeping.start()
    try:
        deadline = time.monotonic() + 10
        while cleaner.emergency_checks == 0 and time.monotonic() < deadline:
            time.sleep(0.01)  # the first check comes after the next daily run was planned
        assert not cleaner.retention_runs
        now["t"] = datetime(2026, 5, 1, 2, 0, 0, 1, tzinfo=UTC)
        while not tierer.runs and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        housekeeping.stop(timeout_s=10)
    assert len(cleaner.retention_runs) == 1
    assert len(tierer.runs) == 1
