"""Errors of the playback app."""

from apps.core.exceptions import ResourceNotFound


class UnknownCamera(ResourceNotFound):
    """A segment event names a camera that does not exist in the event's tenant."""

    default_code = "unknown_camera"
