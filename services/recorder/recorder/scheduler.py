"""Runs cleanup and tiering inside the recorder: retention then tiering daily at CLEANUP_AT
(UTC; empty switches the daily run off, e.g. where a cron job runs ``python -m
recorder.cleanup``), and the disk check every EMERGENCY_CHECK_S seconds.

One thread runs every pass in turn, so passes never race each other over the same file.
A failing pass is logged and tried again at its next time; it never stops the thread.
"""

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from datetime import time as clock_time
from typing import Any

from recorder import metrics
from recorder.announcer import OutboxAnnouncer, SegmentAnnouncer
from recorder.cleanup import Cleaner, FilesystemUsage
from recorder.object_store import S3ObjectStore
from recorder.policies import PolicyStore
from recorder.settings import RecorderSettings
from recorder.tiering import Tierer
from vms_common.contracts import utc_now
from vms_common.logging import configure_logging, get_logger
from vms_common.publisher import Publisher

log = get_logger(__name__)


def daily_time(text: str) -> clock_time | None:
    """``"HH:MM"`` as a time of day; None for an empty string (no daily run)."""
    if not text:
        return None
    hours, minutes = text.split(":")
    return clock_time(int(hours), int(minutes))


def next_daily_run(now: datetime, at: clock_time) -> datetime:
    """The first instant strictly after `now` at time of day `at`, in `now`'s time zone (UTC)."""
    candidate = now.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    return candidate if candidate > now else candidate + timedelta(days=1)


class Housekeeping:
    def __init__(
        self,
        cleaner: Cleaner,
        tierer: Tierer | None,
        daily_at: clock_time | None,
        emergency_every_s: float,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.cleaner = cleaner
        self.tierer = tierer
        self._daily_at = daily_at
        self._every_s = emergency_every_s
        self._clock = clock
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="housekeeping", daemon=True)

    @classmethod
    def build(
        cls, settings: RecorderSettings, policies: PolicyStore, announcer: SegmentAnnouncer
    ) -> "Housekeeping":
        root = settings.recordings_root
        objects = (
            S3ObjectStore(settings.s3_bucket, settings.s3_endpoint_url, settings.aws_region)
            if settings.tiering_enabled
            else None
        )
        cleaner = Cleaner(
            root,
            policies,
            announcer,
            FilesystemUsage(root),
            objects,
            settings.emergency_disk_percent,
            settings.emergency_target_percent,
        )
        tierer = (
            Tierer(root, policies, announcer, objects, timedelta(days=settings.tiering_after_days))
            if objects is not None
            else None
        )
        return cls(cleaner, tierer, daily_time(settings.cleanup_at), settings.emergency_check_s)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout_s: float = 30) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=timeout_s)

    def run_daily(self) -> bool:
        """Retention, then tiering (so nothing about to expire is uploaded); True if both ran."""
        now = self._clock()
        ok = _safely("retention", self.cleaner.retention_pass, now)
        if self.tierer is not None:
            ok = _safely("tiering", self.tierer.tiering_pass, now) and ok
        return ok

    def _run(self) -> None:
        next_daily = self._next_daily()
        next_check = time.monotonic()
        while not self._stop.is_set():
            if time.monotonic() >= next_check:
                _safely("emergency", self.cleaner.emergency_pass)
                next_check = time.monotonic() + self._every_s
            if next_daily is not None and self._clock() >= next_daily:
                self.run_daily()
                next_daily = self._next_daily()
            wait = next_check - time.monotonic()
            if next_daily is not None:
                wait = min(wait, (next_daily - self._clock()).total_seconds())
            self._stop.wait(max(wait, 0.0))

    def _next_daily(self) -> datetime | None:
        return None if self._daily_at is None else next_daily_run(self._clock(), self._daily_at)


def _safely(task: str, run: Callable[..., Any], *args: Any) -> bool:
    try:
        run(*args)
    except Exception:  # a pass must never stop the housekeeping thread
        log.exception("housekeeping pass failed", task=task)
        return False
    metrics.HOUSEKEEPING_LAST_SUCCESS.labels(task).set(time.time())
    return True


def housekeeping_once(settings: RecorderSettings | None = None) -> int:
    """One retention and tiering run, as a cron job does it; 0 on success, 1 otherwise.

    Its announcements go through an outbox of its own (``.outbox-cleanup``), published before
    it exits; what the broker did not take waits there for the next run.
    """
    settings = settings or RecorderSettings()  # type: ignore[call-arg]
    configure_logging("recorder-cleanup", settings.log_level)
    root = settings.recordings_root
    publisher = Publisher(settings.rabbitmq_url, settings.rabbitmq_definitions, "recordings")
    announcer = OutboxAnnouncer(publisher, root / ".outbox-cleanup")
    try:
        policies = PolicyStore(root, settings.retention_days_default)
        ok = Housekeeping.build(settings, policies, announcer).run_daily()
        announcer.flush()
        if announcer.pending():
            log.warning("announcements wait for the broker", pending=announcer.pending())
    finally:
        publisher.close()
    return 0 if ok else 1
