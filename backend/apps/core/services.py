"""Writes that span apps: the demo tenant with its admin user and cameras."""

from dataclasses import dataclass

from django.db import transaction

from apps.cameras.models import Camera
from apps.cameras.services import camera_create
from apps.core.exceptions import Conflict
from apps.usuarios.models import Role, Tenant, User
from apps.usuarios.services import tenant_get_or_create, user_create, user_password_set

DEMO_TENANT = "Demo"


@dataclass(frozen=True)
class DemoEnvironment:
    tenant: Tenant
    user: User
    cameras: list[Camera]


@transaction.atomic
def demo_environment_ensure(*, cameras: int, username: str, password: str) -> DemoEnvironment:
    """The tenant "Demo", its admin `username` and cameras "Camera 1".."Camera N".

    The admin may also use Django admin (/admin/), which is not limited to one tenant.

    Running it again reuses what exists, creates what is missing, and sets the password.
    """
    tenant = tenant_get_or_create(name=DEMO_TENANT)
    user = User.objects.filter(username=username).first()
    if user is None:
        user = user_create(
            tenant=tenant,
            username=username,
            password=password,
            role=Role.ADMIN,
            is_staff=True,
            is_superuser=True,
        )
    elif user.tenant_id != tenant.id:
        raise Conflict(f"user {username!r} belongs to another tenant", code="username_taken")
    else:
        user_password_set(user=user, password=password)

    existing = {camera.name: camera for camera in Camera.objects.filter(tenant=tenant)}
    demo_cameras = []
    for number in range(1, cameras + 1):
        name = f"Camera {number}"
        camera = existing.get(name) or camera_create(tenant=tenant, name=name)
        demo_cameras.append(camera)
    return DemoEnvironment(tenant=tenant, user=user, cameras=demo_cameras)
