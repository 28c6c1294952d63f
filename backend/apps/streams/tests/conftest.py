"""Fixtures of the stream-token tests: tokens issued for the signed-in user, another tenant's camera."""

from collections.abc import Callable
from typing import Any

import pytest

from apps.cameras.models import Camera
from apps.cameras.services import camera_create
from apps.usuarios.models import Tenant, User
from infrastructure.auth.jwt_service import (
    stream_token_issue,
)


@pytest.fixture
def issue_for(user: User) -> Callable[..., str]:
    def issue(camera: Camera, **overrides: Any) -> str:
        arguments: dict[str, Any] = {
            "user_id": user.pk,
            "tenant_id": camera.tenant_id,
            "camera_id": camera.id,
            "permissions": ["read"],
        }
        arguments.update(overrides)
        return stream_token_issue(**arguments).token

    return issue


@pytest.fixture
def other_camera(other_tenant: Tenant) -> Camera:
    return camera_create(tenant=other_tenant, name="Loading dock")
