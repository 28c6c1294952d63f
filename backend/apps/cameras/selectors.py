"""Reads of the camera registry, always limited to the user's tenant."""

import uuid
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery

from apps.cameras.errors import UnknownCamera
from apps.cameras.models import Camera
from apps.core.exceptions import ResourceNotFound
from apps.playback.models import Recording, RecordingStatus
from vms_common.contracts import Event


def cameras_for_user(user: Any) -> QuerySet[Camera]:
    """The user's tenant's cameras by name, each with `last_segment_end` (one query)."""
    if not getattr(user, "tenant_id", None):
        return Camera.objects.none()
    newest_ok = (
        Recording.objects.filter(camera=OuterRef("pk"), status=RecordingStatus.OK)
        .order_by("-start")
        .values("end")[:1]
    )
    return (
        Camera.objects.filter(tenant_id=user.tenant_id)
        .annotate(last_segment_end=Subquery(newest_ok))
        .order_by("name", "id")
    )


def camera_get_for_user(user: Any, camera_id: uuid.UUID | str) -> Camera:
    """One of the user's tenant's cameras; unknown and other tenants' cameras are not found."""
    try:
        key = camera_id if isinstance(camera_id, uuid.UUID) else uuid.UUID(str(camera_id))
    except ValueError:
        raise ResourceNotFound("camera not found", code="camera_not_found") from None
    camera = cameras_for_user(user).filter(pk=key).first()
    if camera is None:
        raise ResourceNotFound("camera not found", code="camera_not_found")
    return camera


def camera_of_event(event: Event) -> Camera:
    """The camera an event names, in the event's tenant; UnknownCamera otherwise."""
    extra = {"tenant_id": event.tenant_id, "camera_id": event.camera_id}
    try:
        tenant_id = uuid.UUID(event.tenant_id)
        camera_id = uuid.UUID(event.camera_id)
    except ValueError:
        raise UnknownCamera("unknown camera: ids are not UUIDs", extra=extra) from None
    camera = Camera.objects.filter(pk=camera_id, tenant_id=tenant_id).first()
    if camera is None:
        raise UnknownCamera(
            f"unknown camera {event.camera_id} in tenant {event.tenant_id}", extra=extra
        )
    return camera
