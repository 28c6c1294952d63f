"""Reads of the camera registry, always limited to the user's tenant."""

import uuid
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery

from apps.cameras.models import Camera
from apps.core.exceptions import ResourceNotFound
from apps.playback.models import Recording, RecordingStatus


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
