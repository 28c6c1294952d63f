"""One supervised ffmpeg per camera: stream copy into fragmented MP4 segments.

ffmpeg reads the relay's RTSP URL over TCP and writes segments of `segment_seconds`, aligned
to the wall clock, as fragmented MP4 with a fragment at every keyframe and at least every
second, flushed to disk as it is made, so a killed process loses at most its last fragment.
The segment muxer appends each closed segment to a CSV list, which this module follows:
every segment is filed (checked, moved into the storage layout, announced). When ffmpeg
exits (camera gone, network cut) or makes no progress for `stall_timeout_s` (then it is
killed), what it left is filed and the camera is reconnected with exponential backoff
(jittered, so cameras lost together do not reconnect together). A run has
`connect_timeout_s` to connect and deliver its first data, then `stall_timeout_s` without
progress; at most `max_connecting` runs connect at once across cameras. Gaps stay gaps.
ffmpeg dies with the recorder; what a crash leaves is recovered on the next start (see
`recovery`).
"""

import shutil
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from recorder import metrics
from recorder.announcer import SegmentAnnouncer
from recorder.filing import SegmentFiler
from recorder.process import start_supervised
from recorder.runs import LIST_NAME, LOG_NAME, Timeline, timeline_save
from recorder.segment_list import ListedSegment, SegmentListReader
from recorder.settings import RecorderSettings
from recorder.storage import incoming_dir
from recorder.supervision import (
    CameraState,
    CameraStatus,
    ConnectSlots,
    StallDetector,
    jittered,
)
from vms_common.backoff import Backoff
from vms_common.logging import bind, get_logger

log = get_logger(__name__)

POLL_S = 1.0  # each camera thread looks at its run once a second
MP4_OPTIONS = (
    "movflags=+frag_keyframe+empty_moov+default_base_moof:frag_duration=1000000:flush_packets=1"
)


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
        MP4_OPTIONS,
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
    stall: StallDetector
    timeline: Timeline | None = None
    done: set[str] = field(default_factory=set)
    last_end_s: float = 0.0
    stalled: str | None = None
    holds_slot: bool = False


class CameraRecorder:
    """Records one camera until stopped, reconnecting as needed."""

    def __init__(
        self,
        tenant_id: str,
        camera_id: str,
        url: str,
        settings: RecorderSettings,
        announcer: SegmentAnnouncer,
        connect_slots: ConnectSlots | None = None,
    ) -> None:
        self.tenant_id = tenant_id
        self.camera_id = camera_id
        self.url = url
        self._settings = settings
        self._filer = SegmentFiler(
            tenant_id, camera_id, settings.recordings_root, announcer, settings.ffprobe
        )
        self._backoff = Backoff(settings.reconnect_initial_s, settings.reconnect_max_s)
        self._slots = connect_slots or ConnectSlots(settings.max_connecting)
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
        log.info("recording started", url=self._settings.redact(self.url))
        while self._slots.acquire(self._stop):
            run = self._launch()
            try:
                produced = self._follow(run)
                self._finish(run)
            finally:
                self._release_slot(run)
            error = (
                run.stalled
                or _tail(run.work_dir / LOG_NAME, self._settings.redact)
                or _exit_reason(run.process.returncode)
            )
            shutil.rmtree(run.work_dir, ignore_errors=True)
            if self._stop.is_set():
                break
            if produced:
                self._backoff.reset()
            delay = jittered(self._backoff.next_delay())
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
        with self._lock:
            self._process = start_supervised(command, work_dir / LOG_NAME)
            process = self._process
            if self._stop.is_set():  # stop was asked while it started: it ends as usual
                process.send_signal(signal.SIGINT)
        stall = StallDetector(
            self._settings.stall_timeout_s, connect_timeout_s=self._settings.connect_timeout_s
        )
        reader = SegmentListReader(work_dir / LIST_NAME)
        return _Run(process, work_dir, reader, stall, holds_slot=True)

    def _release_slot(self, run: _Run) -> None:
        """The run connected (or ended): another camera may connect."""
        if run.holds_slot:
            run.holds_slot = False
            self._slots.release()

    def _follow(self, run: _Run) -> bool:
        """File segments as they close until ffmpeg exits or stalls; True if any was filed."""
        produced = False
        while run.process.poll() is None:
            # ffmpeg opens the first segment once it has analysed the stream, which buffers
            # up to a second: this anchor is refined when that segment closes
            if run.timeline is None and (run.work_dir / "000000.mp4").exists():
                run.timeline = Timeline(self._anchor())
                timeline_save(run.work_dir, run.timeline)
                self._set_state(CameraState.RECORDING)
            for entry in run.reader.new_entries():
                produced |= self._complete(run, entry)
            run.stall.observe(_progress(run.work_dir))
            if run.stall.has_data:
                self._release_slot(run)
            if run.stall.stalled():
                self._kill_stalled(run)
                break
            if self._stop.wait(POLL_S):  # stopping: ffmpeg closes its segment and exits
                time.sleep(0.05)
        return produced

    def _kill_stalled(self, run: _Run) -> None:
        what = "no data" if run.stall.has_data else "no data since the start"
        run.stalled = f"stalled: {what} for {run.stall.silent_for():.0f} s"
        run.process.kill()
        run.process.wait()
        metrics.STALLS.labels(**self._labels).inc()
        log.warning("ffmpeg made no progress and was killed", error=run.stalled)

    def _finish(self, run: _Run) -> None:
        """After ffmpeg exited: the segments it listed last, then any it could not list."""
        for entry in run.reader.new_entries():
            self._complete(run, entry)
        for path in sorted(run.work_dir.glob("*.mp4")):
            if path.name not in run.done and path.stat().st_size > 0:
                self._complete(run, ListedSegment(path.name, run.last_end_s, -1.0))

    def _anchor(self, moment: datetime | None = None) -> datetime:
        """When a run's first segment started: `moment` (default now), never before the
        previous run's end."""
        moment = moment or _now()
        if self._last_end is not None and moment < self._last_end:
            return self._last_end
        return moment

    def _complete(self, run: _Run, entry: ListedSegment) -> bool:
        run.done.add(entry.filename)
        if run.timeline is None:
            run.timeline = Timeline(self._anchor())
        listed = entry.end_s - entry.start_s if entry.end_s > entry.start_s else None
        if run.timeline.first_start_s is None:
            anchor = run.timeline.anchor
            if listed is not None:  # when it closed: a better anchor than its appearance
                closed = _modified(run.work_dir / LIST_NAME) or _now()
                anchor = min(anchor, self._anchor(closed - timedelta(seconds=listed)))
            run.timeline = Timeline(anchor, entry.start_s)
            timeline_save(run.work_dir, run.timeline)
        event = self._filer.file(
            run.work_dir / entry.filename, run.timeline.wall(entry.start_s), listed
        )
        if event is None:
            return False
        run.last_end_s = entry.start_s + (event.end - event.start).total_seconds()
        self._last_end = event.end
        with self._lock:
            self._status.segments += 1
            self._status.last_segment_end = event.end
            self._status.last_segment_path = event.path
        return True


def _progress(work_dir: Path) -> tuple[str, int] | None:
    """The newest segment file and its size: it changes while ffmpeg writes."""
    files = sorted(work_dir.glob("*.mp4"))
    if not files:
        return None
    try:
        return files[-1].name, files[-1].stat().st_size
    except FileNotFoundError:
        return None


def _now() -> datetime:
    return datetime.now(UTC)


def _modified(path: Path) -> datetime | None:
    """When ffmpeg last wrote `path`: for the segment list, when it listed its last segment,
    however late this thread looks at it."""
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except FileNotFoundError:
        return None


def _exit_reason(returncode: int) -> str:
    if returncode == 0:
        return "the camera's stream ended"
    return f"ffmpeg exited with code {returncode}"


def _tail(path: Path, redact: Callable[[str], str], limit: int = 300) -> str:
    """The end of ffmpeg's messages, which repeat the camera's URL: redacted before it is
    cut, so that no part of a password is left."""
    try:
        text = path.read_text(errors="replace").strip()
    except FileNotFoundError:
        return ""
    return redact(text)[-limit:]
