"""Errors of the detections app."""

from apps.core.exceptions import ResourceNotFound


class UnknownCamera(ResourceNotFound):
    """A detection result names a camera that does not exist in the result's tenant."""

    default_code = "unknown_camera"
