"""The cameras this recorder is recording, one CameraRecorder each."""

import threading

from recorder.announcer import SegmentAnnouncer
from recorder.ffmpeg_recorder import CameraRecorder
from recorder.filing import SegmentFiler
from recorder.recovery import recover_all
from recorder.settings import RecorderSettings
from recorder.supervision import CameraStatus, ConnectSlots


class UnknownCamera(LookupError):
    """The camera is not being recorded here."""


class RecordingManager:
    def __init__(self, settings: RecorderSettings, announcer: SegmentAnnouncer) -> None:
        self._settings = settings
        self._announcer = announcer
        self._lock = threading.Lock()
        self._recorders: dict[tuple[str, str], CameraRecorder] = {}
        self._connect_slots = ConnectSlots(settings.max_connecting)

    def recover(self) -> int:
        """File and announce what a crashed recorder left behind; call it before serving.

        Run folders of cameras recorded right now are left alone. Returns the segments filed.
        """
        with self._lock:
            live = set(self._recorders)
        return recover_all(self._settings.recordings_root, self._filer, live)

    def _filer(self, tenant_id: str, camera_id: str) -> SegmentFiler:
        root = self._settings.recordings_root
        return SegmentFiler(tenant_id, camera_id, root, self._announcer, self._settings.ffprobe)

    def start(self, tenant_id: str, camera_id: str) -> CameraStatus:
        """Start recording the camera; starting one already recorded changes nothing."""
        key = (tenant_id, camera_id)
        with self._lock:
            recorder = self._recorders.get(key)
            if recorder is None:
                url = self._settings.camera_url(tenant_id, camera_id)
                recorder = CameraRecorder(
                    tenant_id,
                    camera_id,
                    url,
                    self._settings,
                    self._announcer,
                    self._connect_slots,
                )
                self._recorders[key] = recorder
                recorder.start()
        return recorder.status()

    def stop(self, tenant_id: str, camera_id: str) -> CameraStatus:
        with self._lock:
            recorder = self._recorders.pop((tenant_id, camera_id), None)
        if recorder is None:
            raise UnknownCamera(camera_id)
        recorder.stop()
        return recorder.status()

    def statuses(self, tenant_id: str | None = None) -> list[CameraStatus]:
        with self._lock:
            recorders = list(self._recorders.values())
        return [r.status() for r in recorders if tenant_id in (None, r.tenant_id)]

    def stop_all(self) -> None:
        with self._lock:
            recorders = list(self._recorders.values())
            self._recorders.clear()
        for recorder in recorders:
            recorder.request_stop()
        for recorder in recorders:
            recorder.join()
