"""Writes to the camera registry."""

from django.db import IntegrityError, transaction

from apps.cameras.models import Camera
from apps.core.exceptions import Conflict, InvalidInput
from apps.usuarios.models import Tenant


def camera_create(*, tenant: Tenant, name: str) -> Camera:
    """Register a camera; names are unique within a tenant."""
    name = name.strip()
    if not name:
        raise InvalidInput("name: a camera needs a name", extra={"field": "name"})
    if len(name) > Camera._meta.get_field("name").max_length:
        raise InvalidInput("name: at most 200 characters", extra={"field": "name"})
    try:
        with transaction.atomic():
            return Camera.objects.create(tenant=tenant, name=name)
    except IntegrityError as exc:
        raise Conflict(
            f"a camera named {name!r} already exists", code="camera_exists", extra={"name": name}
        ) from exc
