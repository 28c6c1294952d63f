"""Errors of the camera registry."""

from apps.core.exceptions import ResourceNotFound


class UnknownCamera(ResourceNotFound):
    """An event names a camera that does not exist in the event's tenant."""

    default_code = "unknown_camera"
