"""Channel layer group names: every WebSocket joins exactly one of them."""

import uuid


def tenant_group(tenant_id: uuid.UUID | str) -> str:
    """Every detection of the tenant."""
    return f"tenant.{tenant_id}"


def camera_group(camera_id: uuid.UUID | str) -> str:
    """Every detection of one camera (the camera's tenant was checked on joining)."""
    return f"camera.{camera_id}"


PUSH_MESSAGE_TYPE = "detection.push"
