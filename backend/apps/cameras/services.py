"""Writes to the camera registry."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction

from apps.audit.services import audit_record
from apps.cameras.models import (
    MAX_DAILY_BUDGET_USD,
    MAX_RETENTION_DAYS,
    MIN_RETENTION_DAYS,
    Camera,
    DetectionProvider,
)
from apps.cameras.policies import RecorderPolicies, camera_policy_push
from apps.core.exceptions import Conflict, InvalidInput
from apps.usuarios.models import Tenant
from domain.cameras.rtsp_url import InvalidRtspUrl, RtspUrl, rtsp_url_parse
from infrastructure.camera_credentials import (
    CredentialsUnreadable,
    password_seal,
    password_unseal,
)
from infrastructure.recorder_client import RecorderError, RecorderUnavailable
from vms_common.logging import get_logger

logger = get_logger(__name__)


# The settings an admin may give a camera, each with its check; `credentials` is the
# write-only pair (username, password) of the camera's RTSP address.
SETTINGS = (
    "name",
    "enabled",
    "rtsp_url",
    "credentials",
    "recording_enabled",
    "retention_days",
    "detection_enabled",
    "detection_provider",
    "detection_min_confidence",
    "detection_daily_budget_usd",
)


def camera_create(*, tenant: Tenant, name: str, user: Any = None, **settings: Any) -> Camera:
    """Register a camera; names are unique within a tenant. `settings` are any of SETTINGS."""
    camera = Camera(tenant=tenant)
    changes = _apply(camera, {"name": name, **settings})
    try:
        with transaction.atomic():
            camera.save()
            if user is not None:
                audit_record(
                    tenant=tenant,
                    user=user,
                    action="camera.created",
                    target_type="camera",
                    target_id=camera.id,
                    details={"settings": changes},
                )
    except IntegrityError as exc:
        raise _name_taken(camera.name) from exc
    return camera


def camera_update(*, camera: Camera, user: Any, **settings: Any) -> Camera:
    """Change some of the camera's settings (any of SETTINGS) and audit what changed.

    The caller pushes the result to the services (`apps.cameras.sync`)."""
    changes = _apply(camera, settings)
    if not changes:
        return camera
    try:
        with transaction.atomic():
            camera.save()
            audit_record(
                tenant=camera.tenant,
                user=user,
                action="camera.updated",
                target_type="camera",
                target_id=camera.id,
                details={"changes": changes},
            )
    except IntegrityError as exc:
        raise _name_taken(camera.name) from exc
    return camera


def camera_delete(*, camera: Camera, user: Any) -> None:
    """Remove a camera that has nothing recorded, detected or exported; one with a history
    is kept for the evidence and can be disabled instead (409 `camera_has_history`)."""
    history = [
        kind
        for kind, related in (
            ("recordings", camera.recordings),
            ("detections", camera.detection_results),
            ("exports", camera.exports),
            ("evidence holds", camera.evidence_holds),
        )
        if related.exists()
    ]
    if history:
        raise Conflict(
            "this camera has a history (" + ", ".join(history) + "): disable it instead",
            code="camera_has_history",
            extra={"history": history},
        )
    with transaction.atomic():
        audit_record(
            tenant=camera.tenant,
            user=user,
            action="camera.deleted",
            target_type="camera",
            target_id=camera.id,
            details={"name": camera.name},
        )
        camera.delete()


def _apply(camera: Camera, settings: dict[str, Any]) -> dict[str, Any]:
    """Check and set the settings on the (unsaved) camera; the audit's view of the changes,
    in which an address appears without credentials and credentials only as changed."""
    unknown = sorted(set(settings) - set(SETTINGS))
    if unknown:
        raise InvalidInput(
            f"unknown camera settings: {', '.join(unknown)}", extra={"fields": unknown}
        )
    changes: dict[str, Any] = {}

    def set_field(field: str, value: Any) -> None:
        previous = getattr(camera, field)
        if previous != value or camera._state.adding:
            setattr(camera, field, value)
            changes[field] = value if camera._state.adding else {"from": previous, "to": value}

    for name, value in settings.items():
        if name == "name":
            set_field("name", _checked_name(value))
        elif name == "rtsp_url":
            url = _checked_url(value)
            set_field("source_url", url.address if url else "")
            if url is not None and url.has_credentials:
                _set_credentials(camera, url.username, url.password, changes)
        elif name == "credentials":
            username, password = value
            _set_credentials(camera, username, password, changes)
        elif name == "retention_days":
            _check_retention_days(value)
            set_field("retention_days", value)
        elif name == "detection_provider":
            if value not in DetectionProvider.values:
                raise InvalidInput(
                    f"detection_provider: one of {', '.join(DetectionProvider.values)}",
                    extra={"field": name},
                )
            set_field(name, value)
        elif name == "detection_min_confidence":
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
                raise InvalidInput(
                    "detection_min_confidence: a number from 0 to 1", extra={"field": name}
                )
            set_field(name, float(value))
        elif name == "detection_daily_budget_usd":
            set_field(name, _checked_budget(value))
        else:  # the switches
            if not isinstance(value, bool):
                raise InvalidInput(f"{name}: true or false", extra={"field": name})
            set_field(name, value)
    return changes


def _set_credentials(camera: Camera, username: str, password: str, changes: dict[str, Any]) -> None:
    if len(username) > 200 or len(password) > 200:
        raise InvalidInput(
            "credentials: at most 200 characters each", extra={"field": "credentials"}
        )
    if (username, password) != (camera.source_username, _current_password(camera)):
        camera.source_username = username
        camera.source_password_sealed = password_seal(password)
        changes["credentials"] = "changed"


def _current_password(camera: Camera) -> str:
    try:
        return password_unseal(camera.source_password_sealed)
    except CredentialsUnreadable:
        return ""


def _checked_name(value: Any) -> str:
    name = value.strip() if isinstance(value, str) else ""
    if not name:
        raise InvalidInput("name: a camera needs a name", extra={"field": "name"})
    if len(name) > Camera._meta.get_field("name").max_length:
        raise InvalidInput("name: at most 200 characters", extra={"field": "name"})
    return name


def _checked_url(value: Any) -> RtspUrl | None:
    if value in ("", None):
        return None
    try:
        return rtsp_url_parse(value)
    except InvalidRtspUrl as exc:
        raise InvalidInput(f"rtsp_url: {exc}", extra={"field": "rtsp_url"}) from None


def _checked_budget(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        budget = Decimal(str(value)) if not isinstance(value, bool) else None
    except InvalidOperation:
        budget = None
    if budget is None or not budget.is_finite() or not 0 <= budget <= MAX_DAILY_BUDGET_USD:
        raise InvalidInput(
            f"detection_daily_budget_usd: null or a number of dollars from 0 to "
            f"{MAX_DAILY_BUDGET_USD}",
            extra={"field": "detection_daily_budget_usd"},
        )
    return budget.quantize(Decimal("0.01"))


def _name_taken(name: str) -> Conflict:
    return Conflict(
        f"a camera named {name!r} already exists", code="camera_exists", extra={"name": name}
    )


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
