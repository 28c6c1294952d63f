"""The cameras this service analyses, each with its own provider, motion gate and budget.

A camera is registered when its analysis starts (`POST /cameras/start` carries its
configuration) and removed when it stops. A frame of a camera that is not registered is an
*unknown camera*: the worker dead-letters it with that reason rather than guess a provider.
"""

import threading
from dataclasses import dataclass, field

from ai_detection.application.ports import DetectionProvider
from ai_detection.domain.motion import MotionSettings


@dataclass(frozen=True)
class AnalysedCamera:
    tenant_id: str
    camera_id: str
    provider: DetectionProvider
    motion: MotionSettings = field(default_factory=MotionSettings)
    #: The camera's daily budget for paid calls (None: the service's default).
    daily_budget_usd: float | None = None


class UnknownCamera(LookupError):
    """A frame of a camera this service was not asked to analyse."""

    def __init__(self, tenant_id: str, camera_id: str) -> None:
        super().__init__(f"camera {camera_id} of tenant {tenant_id} is not analysed here")
        self.tenant_id, self.camera_id = tenant_id, camera_id


class AnalysedCameras:
    """Thread-safe registry, keyed by (tenant, camera)."""

    def __init__(self, cameras: list[AnalysedCamera] | None = None) -> None:
        self._lock = threading.Lock()
        self._cameras = {(c.tenant_id, c.camera_id): c for c in cameras or []}

    def put(self, camera: AnalysedCamera) -> None:
        with self._lock:
            self._cameras[(camera.tenant_id, camera.camera_id)] = camera

    def remove(self, tenant_id: str, camera_id: str) -> None:
        with self._lock:
            self._cameras.pop((tenant_id, camera_id), None)

    def find(self, tenant_id: str, camera_id: str) -> AnalysedCamera | None:
        with self._lock:
            return self._cameras.get((tenant_id, camera_id))

    def get(self, tenant_id: str, camera_id: str) -> AnalysedCamera:
        """Raises UnknownCamera."""
        camera = self.find(tenant_id, camera_id)
        if camera is None:
            raise UnknownCamera(tenant_id, camera_id)
        return camera
