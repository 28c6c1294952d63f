"""Writes to the camera registry."""

from typing import Any

from django.db import IntegrityError, transaction

from apps.audit.services import audit_record
from apps.cameras.models import (
    DEFAULT_RETENTION_DAYS,
    MAX_RETENTION_DAYS,
    MIN_RETENTION_DAYS,
    Camera,
)
from apps.cameras.policies import RecorderPolicies, camera_policy_push
from apps.core.exceptions import Conflict, InvalidInput
from apps.usuarios.models import Tenant
from infrastructure.recorder_client import RecorderError, RecorderUnavailable
from vms_common.logging import get_logger

logger = get_logger(__name__)


def camera_create(
    *, tenant: Tenant, name: str, retention_days: int = DEFAULT_RETENTION_DAYS
) -> Camera:
    """Register a camera; names are unique within a tenant."""
    name = name.strip()
    if not name:
        raise InvalidInput("name: a camera needs a name", extra={"field": "name"})
    if len(name) > Camera._meta.get_field("name").max_length:
        raise InvalidInput("name: at most 200 characters", extra={"field": "name"})
    _check_retention_days(retention_days)
    try:
        with transaction.atomic():
            return Camera.objects.create(tenant=tenant, name=name, retention_days=retention_days)
    except IntegrityError as exc:
        raise Conflict(
            f"a camera named {name!r} already exists", code="camera_exists", extra={"name": name}
        ) from exc


def camera_retention_set(
    *,
    camera: Camera,
    retention_days: int,
    user: Any,
    recorder: RecorderPolicies | None = None,
) -> Camera:
    """Change how many days the camera's recordings are kept, audit it, tell the recorder.

    The new value is stored first; when the recorder cannot take it now, a retry is
    scheduled and the change still stands (the recorder gets it with the next push).
    """
    _check_retention_days(retention_days)
    previous = camera.retention_days
    with transaction.atomic():
        camera.retention_days = retention_days
        camera.save(update_fields=["retention_days"])
        audit_record(
            tenant=camera.tenant,
            user=user,
            action="camera.retention_changed",
            target_type="camera",
            target_id=camera.id,
            details={"from": previous, "to": retention_days},
        )
    camera_policy_push_or_retry(camera=camera, recorder=recorder)
    return camera


def camera_policy_push_or_retry(
    *, camera: Camera, recorder: RecorderPolicies | None = None
) -> bool:
    """Push the camera's policy; on a transient failure schedule a retry. True when pushed."""
    try:
        camera_policy_push(camera=camera, recorder=recorder)
    except RecorderUnavailable as exc:
        logger.warning(
            "retention policy not pushed, will retry",
            camera_id=str(camera.id),
            error=exc.message,
        )
        _schedule_policy_push_retry(camera.id)
        return False
    except RecorderError as exc:
        logger.error(
            "retention policy refused by the recorder",
            camera_id=str(camera.id),
            error=exc.message,
            extra=exc.extra,
        )
        return False
    return True


def _schedule_policy_push_retry(camera_id: Any) -> None:
    from apps.cameras.tasks import camera_policy_push_task

    def enqueue() -> None:
        try:
            camera_policy_push_task.delay(str(camera_id))
        except Exception as exc:  # the broker is down too: the start-up push makes it good
            logger.error(
                "could not schedule a policy push", camera_id=str(camera_id), error=str(exc)
            )

    transaction.on_commit(enqueue)


def _check_retention_days(value: Any) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not MIN_RETENTION_DAYS <= value <= MAX_RETENTION_DAYS
    ):
        raise InvalidInput(
            f"retention_days: a whole number of days from {MIN_RETENTION_DAYS} "
            f"to {MAX_RETENTION_DAYS}",
            extra={"field": "retention_days"},
        )
