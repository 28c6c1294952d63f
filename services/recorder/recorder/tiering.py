"""Tiering: segments older than N days move to object storage (S3).

A segment moves only after its upload is verified: the stored object has the local file's
size and SHA-256 (S3 computes the checksum on upload, ``ChecksumAlgorithm=SHA256``, and
reports it back on ``HeadObject``). Then ``SegmentTiered`` is announced and the local copy is
deleted, in that order: should the recorder die between the two, the next pass uploads the
file again and the announcement is repeated, which consumers take idempotently, whereas the
other order could leave the backend pointing at a file that is gone. A failed or unverified
upload leaves the local copy, to be retried on the next pass.

Segments under an evidence hold are tiered like any other: a hold keeps footage from being
deleted, not from being moved; it stays playable and exportable from S3.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from recorder import metrics
from recorder.announcer import SegmentAnnouncer
from recorder.local_segments import camera_dirs, camera_segments, segment_remove
from recorder.object_store import ObjectStore, ObjectStoreError, StoredObject, file_sha256_b64
from recorder.policies import PolicyStore, PolicyUnreadable
from recorder.retention import StoredSegment, due_for_tiering
from vms_common.contracts import SegmentTiered
from vms_common.logging import get_logger

log = get_logger(__name__)

MAX_CONSECUTIVE_FAILURES = 3
"""Uploads failing in a row end the pass: object storage is likely down; retry next pass."""


def upload_verified(size_bytes: int, sha256_b64: str, stored: StoredObject) -> bool:
    """The stored object is the local file: same size and same SHA-256."""
    return stored.size_bytes == size_bytes and stored.sha256_b64 == sha256_b64


@dataclass
class TieringReport:
    tiered: int = 0
    failed: int = 0
    tiered_bytes: int = 0
    aborted: bool = False


class Tierer:
    def __init__(
        self,
        root: Path,
        policies: PolicyStore,
        announcer: SegmentAnnouncer,
        objects: ObjectStore,
        after: timedelta,
    ) -> None:
        self._root = root
        self._policies = policies
        self._announcer = announcer
        self._objects = objects
        self._after = after

    def tiering_pass(self, now: datetime) -> TieringReport:
        report = TieringReport()
        failures_in_a_row = 0
        for tenant_id, camera_id in list(camera_dirs(self._root)):
            try:
                policy = self._policies.get(tenant_id, camera_id)
            except PolicyUnreadable as exc:
                log.error("camera not tiered: policy unreadable", error=str(exc))
                continue
            segments = camera_segments(self._root, tenant_id, camera_id)
            for segment in due_for_tiering(segments, policy, now, self._after):
                if self._tier(segment):
                    report.tiered += 1
                    report.tiered_bytes += segment.size_bytes
                    failures_in_a_row = 0
                    continue
                report.failed += 1
                failures_in_a_row += 1
                if failures_in_a_row >= MAX_CONSECUTIVE_FAILURES:
                    report.aborted = True
                    log.error("tiering pass stopped after repeated failures", **vars(report))
                    return report
        log.info("tiering pass done", **vars(report))
        return report

    def _tier(self, segment: StoredSegment) -> bool:
        path = self._root / segment.path
        labels = (segment.tenant_id, segment.camera_id)
        try:
            size = path.stat().st_size
            checksum = file_sha256_b64(path)
            self._objects.put(segment.path, path)
            stored = self._objects.head(segment.path)
        except (ObjectStoreError, OSError) as exc:
            metrics.TIERING_FAILURES.labels(*labels).inc()
            log.warning("upload failed; local copy kept", path=segment.path, error=str(exc))
            return False
        if not upload_verified(size, checksum, stored):
            metrics.TIERING_FAILURES.labels(*labels).inc()
            log.warning(
                "upload not verified; local copy kept",
                path=segment.path,
                local_size=size,
                stored_size=stored.size_bytes,
                local_sha256=checksum,
                stored_sha256=stored.sha256_b64,
            )
            return False
        self._announcer.announce(
            SegmentTiered(
                tenant_id=segment.tenant_id,
                camera_id=segment.camera_id,
                start=segment.start,
                path=segment.path,
                location=self._objects.location(segment.path),
            )
        )
        try:
            segment_remove(self._root, segment, prune=True)
        except OSError as exc:
            log.error("tiered segment's local copy not deleted", path=segment.path, error=str(exc))
        metrics.TIERED_SEGMENTS.labels(*labels).inc()
        return True
