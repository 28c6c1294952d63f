"""Cleanup: deletes footage past its camera's retention, and the oldest footage when the disk
is almost full, so that recording goes on. Never a segment being written (those live in
``.incoming``, which is not looked at) and never one under an evidence hold.

Every deletion is announced as ``SegmentDeleted`` once the file (or object) is gone.

``python -m recorder.cleanup`` runs the retention and tiering passes once (the daily cron job
of a deployment where the recorder's own schedule is switched off with ``CLEANUP_AT=``).
"""

import shutil
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from recorder import metrics
from recorder.announcer import SegmentAnnouncer
from recorder.local_segments import camera_dirs, camera_segments, segment_remove
from recorder.object_store import ObjectStore, ObjectStoreError
from recorder.policies import PolicyStore, PolicyUnreadable
from recorder.retention import (
    DiskSpace,
    RetentionPolicy,
    StoredSegment,
    expired,
    oldest_first,
    parse_segment_path,
)
from vms_common.contracts import DeletionReason, SegmentDeleted, utc_now
from vms_common.logging import get_logger

log = get_logger(__name__)

RECENT = timedelta(hours=2)
"""Folders of segments younger than this are left in place even when emptied: the recorder
may be moving a new segment into them."""


class DiskUsage(Protocol):
    def space(self) -> DiskSpace: ...


class FilesystemUsage:
    """The real disk under the recordings root."""

    def __init__(self, path: Path) -> None:
        self._path = path

    def space(self) -> DiskSpace:
        usage = shutil.disk_usage(self._path)
        return DiskSpace(used_bytes=usage.used, free_bytes=usage.free)


@dataclass
class CleanupReport:
    deleted: int = 0
    freed_bytes: int = 0
    deleted_tiered: int = 0
    skipped_cameras: list[str] = field(default_factory=list)
    usage_before: float | None = None
    usage_after: float | None = None


class Cleaner:
    def __init__(
        self,
        root: Path,
        policies: PolicyStore,
        announcer: SegmentAnnouncer,
        disk: DiskUsage,
        objects: ObjectStore | None = None,
        emergency_percent: float = 90,
        target_percent: float = 85,
    ) -> None:
        self._root = root
        self._policies = policies
        self._announcer = announcer
        self._disk = disk
        self._objects = objects
        self._emergency = emergency_percent / 100
        self._target = target_percent / 100

    def retention_pass(self, now: datetime) -> CleanupReport:
        """Delete every segment, local or tiered, past its camera's retention and not held."""
        report = CleanupReport()
        for tenant_id, camera_id in list(camera_dirs(self._root)):
            policy = self._policy(tenant_id, camera_id, report)
            if policy is None:
                continue
            for segment in expired(camera_segments(self._root, tenant_id, camera_id), policy, now):
                if self._delete_local(segment, DeletionReason.RETENTION, now):
                    report.deleted += 1
                    report.freed_bytes += segment.size_bytes
        if self._objects is not None:
            try:
                self._retention_tiered(self._objects, now, report)
            except ObjectStoreError as exc:
                log.error("tiered segments not cleaned up", error=str(exc))
        log.info(
            "retention pass done",
            deleted=report.deleted,
            freed_bytes=report.freed_bytes,
            deleted_tiered=report.deleted_tiered,
            skipped_cameras=report.skipped_cameras,
        )
        return report

    def emergency_pass(self) -> CleanupReport:
        """If the disk is above the emergency mark, delete the oldest unheld segments across all
        cameras until it is below the target again."""
        space = self._disk.space()
        metrics.DISK_USAGE.set(space.ratio)
        report = CleanupReport(usage_before=space.ratio, usage_after=space.ratio)
        if space.ratio <= self._emergency:
            return report
        metrics.EMERGENCY_PASSES.inc()
        now = utc_now()
        policies: dict[tuple[str, str], RetentionPolicy] = {}
        for tenant_id, camera_id in list(camera_dirs(self._root)):
            policy = self._policy(tenant_id, camera_id, report)
            if policy is not None:
                policies[tenant_id, camera_id] = policy
        cameras = [camera_segments(self._root, t, c) for t, c in policies]
        oldest: StoredSegment | None = None
        newest: StoredSegment | None = None
        for segment in oldest_first(cameras, policies):
            if space.ratio < self._target:
                break
            if self._delete_local(segment, DeletionReason.DISK_FULL, now):
                report.deleted += 1
                report.freed_bytes += segment.size_bytes
                oldest, newest = oldest or segment, segment
            space = self._disk.space()
        metrics.DISK_USAGE.set(space.ratio)
        report.usage_after = space.ratio
        log.warning(
            "disk almost full: deleted the oldest segments",
            deleted=report.deleted,
            freed_bytes=report.freed_bytes,
            usage_before=round(report.usage_before or 0, 4),
            usage_after=round(space.ratio, 4),
            oldest_deleted=oldest.start.isoformat() if oldest else None,
            newest_deleted=newest.start.isoformat() if newest else None,
            skipped_cameras=report.skipped_cameras,
        )
        if space.ratio >= self._target:
            log.error(
                "disk still full: nothing left that may be deleted",
                usage=round(space.ratio, 4),
                target=self._target,
            )
        return report

    def _retention_tiered(self, objects: ObjectStore, now: datetime, report: CleanupReport) -> None:
        for tenant_id, camera_id in list(objects.cameras()):
            policy = self._policy(tenant_id, camera_id, report)
            if policy is None:
                continue
            stored = (
                parse_segment_path(o.key, o.size_bytes)
                for o in objects.objects(f"{tenant_id}/{camera_id}/")
            )
            segments = (s for s in stored if s is not None)
            for segment in expired(segments, policy, now):
                objects.delete(segment.path)
                report.deleted_tiered += 1
                self._deleted(segment, DeletionReason.RETENTION)

    def _policy(
        self, tenant_id: str, camera_id: str, report: CleanupReport
    ) -> RetentionPolicy | None:
        try:
            return self._policies.get(tenant_id, camera_id)
        except PolicyUnreadable as exc:
            log.error(
                "camera left alone: its policy is unreadable",
                tenant_id=tenant_id,
                camera_id=camera_id,
                error=str(exc),
            )
            report.skipped_cameras.append(f"{tenant_id}/{camera_id}")
            return None

    def _delete_local(self, segment: StoredSegment, reason: DeletionReason, now: datetime) -> bool:
        try:
            removed = segment_remove(self._root, segment, prune=segment.start < now - RECENT)
        except OSError as exc:
            log.error("segment not deleted", path=segment.path, error=str(exc))
            return False
        if removed:
            self._deleted(segment, reason)
        return removed

    def _deleted(self, segment: StoredSegment, reason: DeletionReason) -> None:
        metrics.DELETED_SEGMENTS.labels(segment.tenant_id, segment.camera_id, reason.value).inc()
        event = SegmentDeleted(
            tenant_id=segment.tenant_id,
            camera_id=segment.camera_id,
            start=segment.start,
            path=segment.path,
            reason=reason,
        )
        try:
            self._announcer.announce(event)
        except OSError as exc:
            log.error("segment deletion not announced", path=segment.path, error=str(exc))


def main() -> int:
    """Run the retention and tiering passes once; exit 1 if a pass failed."""
    from recorder.scheduler import housekeeping_once

    return housekeeping_once()


if __name__ == "__main__":
    sys.exit(main())
