"""One supervised ffmpeg per camera: stream copy into fragmented MP4 segments.

ffmpeg reads the relay's RTSP URL over TCP and writes segments of `segment_seconds`, aligned
to the wall clock, as fragmented MP4 (a fragment per keyframe), so a killed process loses
at most its last fragment. The segment muxer appends each closed segment to a CSV list,
which this module follows: every segment is checked with ffprobe, moved into the storage
layout and announced. When ffmpeg exits (camera gone, network cut), what it left is
recovered and the camera is reconnected with exponential backoff. Gaps stay gaps.

Time: a run's segments are contiguous in stream time, so their wall-clock times are the
moment the run's first segment appeared plus the stream offsets the list gives.
"""

import contextlib
import shutil
import signal
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from recorder import metrics
from recorder.announcer import SegmentAnnouncer
from recorder.probe import CorruptSegment, probe_segment
from recorder.segment_list import ListedSegment, SegmentListReader
from recorder.settings import RecorderSettings
from recorder.storage import corrupt_dir, incoming_dir, segment_relative_path
from recorder.supervision import CameraState, CameraStatus
from vms_common.backoff import Backoff
from vms_common.contracts import SegmentCompleted
from vms_common.logging import bind, get_logger

log = get_logger(__name__)

POLL_S = 0.25
LIST_NAME = "segments.csv"


def ffmpeg_command(
    ffmpeg: str, url: str, work_dir: Path, segment_seconds: int, timeout_s: float
) -> list[str]:
    """The ffmpeg invocation for one recording run."""
    return [
        ffmpeg,
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "warning",
        "-rtsp_transport",
        "tcp",
        "-timeout",
        str(int(timeout_s * 1_000_000)),
        "-analyzeduration",
        "1000000",
        "-i",
        url,
        "-map",
        "0:v:0",
        "-c",
        "copy",
        "-f",
        "segment",
        "-segment_time",
        str(segment_seconds),
        "-segment_atclocktime",
        "1",
        "-segment_format",
        "mp4",
        "-segment_format_options",
        "movflags=+frag_keyframe+empty_moov+default_base_moof",
        "-reset_timestamps",
        "1",
        "-segment_list",
        str(work_dir / LIST_NAME),
        "-segment_list_type",
        "csv",
        str(work_dir / "%06d.mp4"),
    ]


@dataclass
class _Run:
    process: subprocess.Popen[bytes]
    work_dir: Path
    reader: SegmentListReader
    anchor: datetime | None = None
    first_start_s: float | None = None
    done: set[str] = field(default_factory=set)
    last_end_s: float = 0.0


class CameraRecorder:
    """Records one camera until stopped, reconnecting as needed."""

    def __init__(
        self,
        tenant_id: str,
        camera_id: str,
        url: str,
        settings: RecorderSettings,
        announcer: SegmentAnnouncer,
    ) -> None:
        self.tenant_id = tenant_id
        self.camera_id = camera_id
        self.url = url
        self._settings = settings
        self._announcer = announcer
        self._backoff = Backoff(settings.reconnect_initial_s, settings.reconnect_max_s)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._status = CameraStatus(tenant_id, camera_id, CameraState.STARTING, _now())
        self._last_end: datetime | None = None
        self._thread = threading.Thread(
            target=self._supervise, name=f"recorder-{camera_id}", daemon=True
        )
        self._labels = {"tenant_id": tenant_id, "camera_id": camera_id}

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout_s: float = 15.0) -> None:
        """Stop recording; ffmpeg closes its last segment, which is still announced."""
        self.request_stop()
        self.join(timeout_s)

    def request_stop(self) -> None:
        self._stop.set()
        with self._lock:
            if self._process is not None and self._process.poll() is None:
                self._process.send_signal(signal.SIGINT)

    def join(self, timeout_s: float = 15.0) -> None:
        self._thread.join(timeout=timeout_s)
        with self._lock:
            if self._process is not None and self._process.poll() is None:
                self._process.kill()

    def status(self) -> CameraStatus:
        with self._lock:
            return CameraStatus(**vars(self._status))

    def _set_state(self, state: CameraState, error: str | None = None) -> None:
        with self._lock:
            if self._status.state != state:
                self._status.state = state
                self._status.since = _now()
            if error is not None:
                self._status.last_error = error
        metrics.RECORDING.labels(**self._labels).set(1 if state == CameraState.RECORDING else 0)

    def _supervise(self) -> None:
        bind(tenant_id=self.tenant_id, camera_id=self.camera_id)
        log.info("recording started", url=self.url)
        while not self._stop.is_set():
            run = self._launch()
            produced = self._follow(run)
            self._finish(run)
            error = _tail(run.work_dir / "ffmpeg.log") or _exit_reason(run.process.returncode)
            shutil.rmtree(run.work_dir, ignore_errors=True)
            if self._stop.is_set():
                break
            if produced:
                self._backoff.reset()
            delay = self._backoff.next_delay()
            with self._lock:
                self._status.restarts += 1
            metrics.RESTARTS.labels(**self._labels).inc()
            self._set_state(CameraState.RECONNECTING, error)
            log.warning("camera lost, reconnecting", error=error, retry_in_s=delay)
            self._stop.wait(delay)
        self._set_state(CameraState.STOPPED)
        log.info("recording stopped")

    def _launch(self) -> _Run:
        run_id = _now().strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
        work_dir = incoming_dir(
            self._settings.recordings_root, self.tenant_id, self.camera_id, run_id
        )
        work_dir.mkdir(parents=True, exist_ok=True)
        command = ffmpeg_command(
            self._settings.ffmpeg,
            self.url,
            work_dir,
            self._settings.segment_seconds,
            self._settings.camera_timeout_s,
        )
        with (work_dir / "ffmpeg.log").open("wb") as log_file, self._lock:
            self._process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log_file
            )
            process = self._process
        return _Run(process, work_dir, SegmentListReader(work_dir / LIST_NAME))

    def _follow(self, run: _Run) -> bool:
        """Handle segments as they close until ffmpeg exits; True if any was recorded."""
        produced = False
        while run.process.poll() is None:
            if run.anchor is None and (run.work_dir / "000000.mp4").exists():
                run.anchor = self._anchor()
                self._set_state(CameraState.RECORDING)
            for entry in run.reader.new_entries():
                produced |= self._complete(run, entry)
            time.sleep(POLL_S)
        return produced

    def _finish(self, run: _Run) -> None:
        """After ffmpeg exited: the segments it listed last, then any it could not list."""
        for entry in run.reader.new_entries():
            self._complete(run, entry)
        for path in sorted(run.work_dir.glob("*.mp4")):
            if path.name not in run.done and path.stat().st_size > 0:
                self._complete(run, ListedSegment(path.name, run.last_end_s, -1.0))

    def _anchor(self) -> datetime:
        now = _now()
        if self._last_end is not None and now < self._last_end:
            return self._last_end
        return now

    def _complete(self, run: _Run, entry: ListedSegment) -> bool:
        source = run.work_dir / entry.filename
        run.done.add(entry.filename)
        anchor = run.anchor or self._anchor()
        try:
            info = probe_segment(source, self._settings.ffprobe)
        except CorruptSegment as exc:
            quarantine = corrupt_dir(self._settings.recordings_root, self.tenant_id, self.camera_id)
            quarantine.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(FileNotFoundError):
                source.replace(quarantine / f"{run.work_dir.name}-{entry.filename}")
            metrics.CORRUPT_SEGMENTS.labels(**self._labels).inc()
            log.error("corrupt segment kept aside", file=entry.filename, error=str(exc))
            return False
        end_s = entry.end_s if entry.end_s > entry.start_s else entry.start_s + info.duration_s
        if run.first_start_s is None:
            run.first_start_s = entry.start_s
        start = anchor + timedelta(seconds=entry.start_s - run.first_start_s)
        end = anchor + timedelta(seconds=end_s - run.first_start_s)
        run.last_end_s = end_s
        relative = segment_relative_path(self.tenant_id, self.camera_id, start)
        destination = self._settings.recordings_root / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        source.replace(destination)
        event = SegmentCompleted(
            tenant_id=self.tenant_id,
            camera_id=self.camera_id,
            start=start,
            end=end,
            duration_s=round(end_s - entry.start_s, 3),
            path=relative.as_posix(),
            size_bytes=info.size_bytes,
            codec=info.codec,
            width=info.width,
            height=info.height,
            sha256=info.sha256,
        )
        self._announcer.announce(event)
        self._last_end = end
        with self._lock:
            self._status.segments += 1
            self._status.last_segment_end = end
            self._status.last_segment_path = event.path
        metrics.SEGMENTS.labels(**self._labels).inc()
        log.info(
            "segment completed",
            path=event.path,
            duration_s=event.duration_s,
            trace_id=event.trace_id,
        )
        return True


def _now() -> datetime:
    return datetime.now(UTC)


def _exit_reason(returncode: int) -> str:
    if returncode == 0:
        return "the camera's stream ended"
    return f"ffmpeg exited with code {returncode}"


def _tail(path: Path, limit: int = 300) -> str:
    try:
        text = path.read_text(errors="replace").strip()
    except FileNotFoundError:
        return ""
    return text[-limit:]
