"""Writes: asking for an export, running it, and evidence holds.

An export is asked for in the request (job, hold, audit entry, policy push, task) and run
by the Celery worker (`export_run`), which never raises: every failure ends in a failed
job with a clear error and an audit entry.
"""

import os
import shutil
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.audit.services import audit_record
from apps.cameras.models import Camera
from apps.cameras.policies import RecorderPolicies, camera_policy_push
from apps.core.exceptions import InvalidInput
from apps.evidence.clip_plan import clip_duration_s, clip_plan
from apps.evidence.errors import ExportFailed
from apps.evidence.ffmpeg_concat import ConcatInput, clip_concat, ffmpeg_version
from apps.evidence.manifest import SourceEntry, manifest_build, manifest_write
from apps.evidence.models import EvidenceHold, ExportJob, ExportStatus
from apps.evidence.sources import source_file_verified
from apps.playback.selectors import camera_recordings_in_range
from domain.playback.recording import find_gaps
from infrastructure.recorder_client import RecorderError
from vms_common.checksums import file_sha256
from vms_common.logging import get_logger

logger = get_logger(__name__)

CLIP_NAME = "clip.mp4"
MANIFEST_NAME = "manifest.json"
PROGRESS_SAVE_INTERVAL_S = 0.5
HOLD_NOT_PUSHED = (
    "the recorder could not be told about the evidence hold ({reason}); the hold is stored "
    "and is sent again with every policy push"
)


# --- holds ------------------------------------------------------------------------------------
def hold_create(
    *,
    camera: Camera,
    start: datetime,
    end: datetime,
    reason: str,
    user: Any | None,
    export: ExportJob | None = None,
) -> EvidenceHold:
    """Keep the camera's recordings in `[start, end)` from cleanup (pushed by the caller)."""
    if start >= end:
        raise InvalidInput("end: end must be after start", extra={"field": "end"})
    hold = EvidenceHold.objects.create(
        tenant_id=camera.tenant_id,
        camera=camera,
        start=start,
        end=end,
        reason=reason[:500],
        export=export,
        created_by=user if getattr(user, "pk", None) else None,
    )
    audit_record(
        tenant=camera.tenant,
        user=user,
        action="hold.created",
        target_type="evidence_hold",
        target_id=hold.id,
        details={"camera_id": camera.id, "start": start, "end": end, "reason": hold.reason},
    )
    return hold


def hold_release(
    *, hold: EvidenceHold, user: Any, recorder: RecorderPolicies | None = None
) -> EvidenceHold:
    """End a hold (cleanup may then delete those segments by retention); pushed at once."""
    from apps.cameras.services import camera_policy_push_or_retry

    if hold.released_at is not None:
        return hold
    with transaction.atomic():
        hold.released_at = timezone.now()
        hold.save(update_fields=["released_at"])
        audit_record(
            tenant=hold.tenant,
            user=user,
            action="hold.released",
            target_type="evidence_hold",
            target_id=hold.id,
            details={"camera_id": hold.camera_id, "start": hold.start, "end": hold.end},
        )
    camera_policy_push_or_retry(camera=hold.camera, recorder=recorder)
    return hold


# --- asking for an export -------------------------------------------------------------------
def export_request(
    *,
    user: Any,
    camera: Camera,
    start: datetime,
    end: datetime,
    recorder: RecorderPolicies | None = None,
) -> ExportJob:
    """Queue an export of the camera's recordings in `[start, end)` and hold its sources."""
    if start >= end:
        raise InvalidInput("end: end must be after start", extra={"field": "end"})
    limit = settings.EXPORT_MAX_RANGE_HOURS
    if end - start > timedelta(hours=limit):
        raise InvalidInput(
            f"end: the range from start to end must not exceed {limit} hours",
            extra={"field": "end", "max_hours": limit},
        )
    recordings = camera_recordings_in_range(camera=camera, start=start, end=end)
    if not any(recording.playable for recording in recordings):
        raise InvalidInput("nothing playable was recorded in that range", code="nothing_recorded")

    with transaction.atomic():
        job = ExportJob.objects.create(
            tenant_id=camera.tenant_id, camera=camera, created_by=user, start=start, end=end
        )
        hold_create(
            camera=camera, start=start, end=end, reason=f"export {job.id}", user=user, export=job
        )
        audit_record(
            tenant=camera.tenant,
            user=user,
            action="export.requested",
            target_type="export",
            target_id=job.id,
            details={"camera_id": camera.id, "start": start, "end": end},
        )

    try:
        camera_policy_push(camera=camera, recorder=recorder)
    except RecorderError as exc:
        logger.warning("evidence hold not pushed", export_id=str(job.id), error=exc.message)
        job.warning = HOLD_NOT_PUSHED.format(reason=exc.message)
        job.save(update_fields=["warning"])

    transaction.on_commit(lambda: _enqueue_export(job.id))
    return job


def _enqueue_export(job_id: Any) -> None:
    from apps.evidence.tasks import export_run_task

    try:
        export_run_task.delay(str(job_id))
    except Exception as exc:  # the broker is down: the job stays queued and says so
        logger.error("could not queue the export", export_id=str(job_id), error=str(exc))
        ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(
            status=ExportStatus.FAILED,
            error=f"the export could not be queued: {exc}",
            finished_at=timezone.now(),
        )


# --- running an export (the worker) ------------------------------------------------------------
def export_run(
    *, job_id: Any, recorder: RecorderPolicies | None = None, now: datetime | None = None
) -> ExportJob | None:
    """Build the clip and manifest of a queued export. Never raises for a bad export."""
    job = (
        ExportJob.objects.select_related("tenant", "camera", "created_by").filter(pk=job_id).first()
    )
    if job is None:
        logger.warning("export to run does not exist", export_id=str(job_id))
        return None
    if job.status in (ExportStatus.DONE, ExportStatus.FAILED):
        logger.info("export already finished", export_id=str(job.id), status=job.status)
        return job

    job.status = ExportStatus.RUNNING
    job.started_at = timezone.now()
    job.progress = 0.0
    job.error = ""
    job.save(update_fields=["status", "started_at", "progress", "error"])
    _hold_push_again_if_needed(job, recorder)

    try:
        _export_build(job, now=now or timezone.now())
    except ExportFailed as exc:
        _export_fail(job, message=exc.message, code=exc.code, extra=exc.extra)
    except Exception as exc:  # a defect must fail this job, not the worker
        logger.exception("export crashed", export_id=str(job.id))
        _export_fail(job, message=f"internal error: {type(exc).__name__}: {exc}", code="internal")
    return job


def _hold_push_again_if_needed(job: ExportJob, recorder: RecorderPolicies | None) -> None:
    hold = EvidenceHold.objects.filter(export=job).first()
    if hold is None or hold.pushed_at is not None:
        return
    try:
        camera_policy_push(camera=job.camera, recorder=recorder)
    except RecorderError as exc:
        job.warning = HOLD_NOT_PUSHED.format(reason=exc.message)
    else:
        job.warning = ""
    job.save(update_fields=["warning"])


def _export_build(job: ExportJob, *, now: datetime) -> None:
    recordings = camera_recordings_in_range(camera=job.camera, start=job.start, end=job.end)
    playable = [r for r in recordings if r.playable]
    skipped = [r for r in recordings if not r.playable]
    if not playable:
        raise ExportFailed("nothing playable was recorded in that range", code="nothing_recorded")

    folder = Path(settings.EXPORTS_ROOT) / str(job.tenant_id) / str(job.id)
    folder.mkdir(parents=True, exist_ok=True)
    fetch_dir = folder / "sources"
    try:
        parts = clip_plan([(r, r.start, r.end) for r in playable], start=job.start, end=job.end)
        entries: list[SourceEntry] = []
        inputs: list[ConcatInput] = []
        for part in parts:
            recording = part.source
            path = source_file_verified(recording=recording, destination_dir=fetch_dir)
            entries.append(
                SourceEntry(
                    recording=recording,
                    sha256=recording.sha256,
                    size_bytes=path.stat().st_size,
                    inpoint_s=part.inpoint_s,
                    outpoint_s=part.outpoint_s,
                )
            )
            inputs.append(ConcatInput(path, part.inpoint_s, part.outpoint_s))

        duration = clip_duration_s(parts)
        version = ffmpeg_version()
        partial = folder / (CLIP_NAME + ".part")
        clip_concat(
            inputs=inputs,
            output=partial,
            duration_s=duration,
            on_progress=_progress_saver(job),
            timeout_s=max(120.0, duration),
        )
        clip = folder / CLIP_NAME
        os.replace(partial, clip)
    finally:
        shutil.rmtree(fetch_dir, ignore_errors=True)

    clip_sha256 = file_sha256(clip)
    clip_size = clip.stat().st_size
    segments = [r.segment for r in recordings]
    manifest = manifest_build(
        job=job,
        sources=entries,
        gaps=find_gaps(segments, start=job.start, end=job.end, now=now),
        skipped=skipped,
        clip_name=CLIP_NAME,
        clip_sha256=clip_sha256,
        clip_size=clip_size,
        clip_duration_s=duration,
        ffmpeg_version=version,
    )
    manifest_write(manifest, folder / MANIFEST_NAME)

    relative = Path(str(job.tenant_id)) / str(job.id)
    job.status = ExportStatus.DONE
    job.progress = 1.0
    job.sha256 = clip_sha256
    job.size_bytes = clip_size
    job.clip_path = str(relative / CLIP_NAME)
    job.manifest_path = str(relative / MANIFEST_NAME)
    job.finished_at = timezone.now()
    job.save()
    audit_record(
        tenant=job.tenant,
        user=None,
        action="export.completed",
        target_type="export",
        target_id=job.id,
        details={
            "sha256": clip_sha256,
            "size_bytes": clip_size,
            "sources": [entry.recording.id for entry in entries],
            "skipped_corrupt": [recording.id for recording in skipped],
        },
    )
    logger.info("export done", export_id=str(job.id), sha256=clip_sha256, size_bytes=clip_size)


def _progress_saver(job: ExportJob) -> Any:
    last_saved = 0.0

    def save(progress: float) -> None:
        nonlocal last_saved
        moment = time.monotonic()
        if moment - last_saved < PROGRESS_SAVE_INTERVAL_S:
            return
        last_saved = moment
        job.progress = round(progress, 4)
        ExportJob.objects.filter(pk=job.pk).update(progress=job.progress)

    return save


def _export_fail(
    job: ExportJob, *, message: str, code: str, extra: dict[str, Any] | None = None
) -> None:
    logger.warning("export failed", export_id=str(job.id), code=code, error=message)
    job.status = ExportStatus.FAILED
    job.error = message
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "finished_at"])
    folder = Path(settings.EXPORTS_ROOT) / str(job.tenant_id) / str(job.id)
    for name in (CLIP_NAME, CLIP_NAME + ".part", MANIFEST_NAME):
        (folder / name).unlink(missing_ok=True)
    audit_record(
        tenant=job.tenant,
        user=None,
        action="export.failed",
        target_type="export",
        target_id=job.id,
        details={"code": code, "error": message, **(extra or {})},
    )
