"""Simulated RTSP cameras at the relay's URL scheme `rtsp://HOST:PORT/{tenant}/camera/{camera}`.

One live H.264 stream is encoded once and served at every camera path. Control the server
from Python with :class:`CameraSimulator` or over HTTP (see :mod:`camsim.api`).
"""

from camsim.config import StreamSettings
from camsim.control import (
    Camera,
    CameraSimulator,
    CameraSimulatorError,
    ControlApiError,
    ControlClient,
)

__all__ = [
    "Camera",
    "CameraSimulator",
    "CameraSimulatorError",
    "ControlApiError",
    "ControlClient",
    "StreamSettings",
]
