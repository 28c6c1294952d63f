"""One ffmpeg per camera turns the relay's RTSP stream into JPEG frames.

ffmpeg reads RTSP over TCP and writes a stream of JPEGs (MJPEG, `image2pipe`) to stdout;
:class:`JpegStreamSplitter` cuts it at the SOI/EOI markers. With `keyframes_only` the decoder
skips every frame but the keyframes (`-skip_frame nokey`): with the 1 s GOP of our cameras
that is 1 FPS without decoding the other frames at all. Otherwise every frame is decoded and
an `fps` filter keeps `fps` of them per second.

Capture time: ffmpeg's output carries no timestamps, so a frame is stamped with the UTC wall
clock when its last byte arrives from ffmpeg. That is later than the real capture by the
network, relay and decode latency (typically well under a second on a LAN).

ffmpeg is started so that it dies with the service (prctl PR_SET_PDEATHSIG, as the recorder
does) and restarted with exponential backoff whenever it exits.
"""

import collections
import ctypes
import ctypes.util
import logging
import os
import signal
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import IO

from ai_detection.application.cameras import UnknownCamera
from ai_detection.domain.frame import Frame
from ai_detection.infrastructure import metrics
from vms_common.backoff import Backoff
from vms_common.relay import redact

log = logging.getLogger(__name__)

SOI = b"\xff\xd8\xff"  # start of image, followed by the next marker's 0xFF
EOI = b"\xff\xd9"  # end of image
PR_SET_PDEATHSIG = 1


def ffmpeg_command(
    *, ffmpeg: str, url: str, fps: float, keyframes_only: bool, width: int | None = None
) -> list[str]:
    """The ffmpeg command that writes JPEGs of the RTSP stream at `url` to stdout.

    `keyframes_only` decodes only keyframes and keeps at most `fps` of them per second (never
    duplicating one); otherwise every frame is decoded and `fps` filter picks `fps` per second.
    `width` downscales, keeping the aspect ratio (even height).
    """
    if fps <= 0:
        raise ValueError("fps must be positive")
    command = [ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error"]
    command += ["-rtsp_transport", "tcp", "-timeout", "5000000"]  # socket timeout, µs
    # a short probe: with a long one, ffmpeg buffers seconds of frames (more with skipped
    # frames) and then hands them over in a burst, all stamped with the same arrival time
    command += ["-probesize", "32768", "-analyzeduration", "0"]
    if keyframes_only:
        command += ["-skip_frame", "nokey"]
    # one decoding thread: at one picture a second more threads only cost switching
    command += ["-threads", "1", "-i", url, "-an", "-sn", "-dn"]
    filters: list[str] = []
    if keyframes_only:
        interval = 1.0 / fps
        # at most `fps` keyframes a second; a shorter GOP must not flood the queue
        filters.append(
            f"select='isnan(prev_selected_t)+gte(t-prev_selected_t\\,{interval - 0.01:.3f})'"
        )
    else:
        filters.append(f"fps={fps:g}")
    if width is not None:
        filters.append(f"scale={width}:-2:flags=fast_bilinear")
    command += ["-vf", ",".join(filters), "-fps_mode", "passthrough"]
    # the camera's limited-range YUV goes into the JPEG as it is, without a conversion to full
    # range (a third of the CPU at 1080p); detectors do not mind the slightly flat colours
    command += ["-pix_fmt", "yuv420p", "-strict", "unofficial"]
    command += ["-f", "image2pipe", "-c:v", "mjpeg", "-q:v", "5", "pipe:1"]
    return command


class JpegStreamSplitter:
    """Cuts a byte stream of concatenated JPEGs into whole JPEGs.

    Bytes before a start marker and a JPEG cut short by the next one's start are dropped and
    counted in `corrupt`; so is a JPEG larger than `max_frame_bytes` (the buffer stays bounded).
    """

    def __init__(self, max_frame_bytes: int = 16 * 1024 * 1024) -> None:
        self._buffer = bytearray()
        self._max = max_frame_bytes
        self.corrupt = 0

    def feed(self, data: bytes) -> list[bytes]:
        self._buffer += data
        buffer = self._buffer
        frames: list[bytes] = []
        while buffer:
            start = buffer.find(SOI)
            if start < 0:
                keep = len(SOI) - 1  # the tail may be the beginning of a start marker
                if len(buffer) > keep:
                    if buffer[: len(buffer) - keep].strip(b"\xff"):
                        self.corrupt += 1
                    del buffer[: len(buffer) - keep]
                break
            if start > 0:
                self.corrupt += 1
                del buffer[:start]
            end = buffer.find(EOI, len(SOI))
            following = buffer.find(SOI, len(SOI))
            if end >= 0 and (following < 0 or end < following):
                frames.append(bytes(buffer[: end + len(EOI)]))
                del buffer[: end + len(EOI)]
                continue
            if following >= 0:  # truncated: a new image starts before this one ended
                self.corrupt += 1
                del buffer[:following]
                continue
            if len(buffer) > self._max:
                self.corrupt += 1
                buffer.clear()
            break
        return frames


def _die_with_parent() -> Callable[[], None] | None:
    """A preexec hook: the child gets SIGKILL when the thread that started it dies."""
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    prctl = ctypes.CDLL(name, use_errno=True).prctl
    parent = os.getpid()

    def hook() -> None:
        if prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) != 0:
            os._exit(126)
        if os.getppid() != parent:
            os._exit(1)

    return hook


@dataclass(frozen=True)
class ExtractorStatus:
    tenant_id: str
    camera_id: str
    state: str  # starting, connecting, running, reconnecting, stopped
    since: datetime
    frames: int
    corrupt: int
    restarts: int
    last_error: str | None


FrameSink = Callable[[Frame], None]


class FrameExtractor:
    """Runs ffmpeg for one camera in a thread and hands each JPEG to `sink` as a Frame.

    `sink` is called from the extractor's thread; it must not block for long (the publisher
    drops rather than waits). ffmpeg is restarted with `backoff` after every exit. ffmpeg's
    messages repeat the camera's URL: `redact` takes its credentials out of them before they
    are logged or reported in the status.
    """

    def __init__(
        self,
        *,
        tenant_id: str,
        camera_id: str,
        command: list[str],
        sink: FrameSink,
        backoff: Backoff,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        redact: Callable[[str], str] = redact,
    ) -> None:
        self._command = command
        self._redact = redact
        self._sink = sink
        self._backoff = backoff
        self._clock = clock
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._thread = threading.Thread(
            target=self._run, name=f"frames-{tenant_id}-{camera_id}", daemon=True
        )
        self._status = ExtractorStatus(tenant_id, camera_id, "starting", clock(), 0, 0, 0, None)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        with self._lock:
            process = self._process
        if process is not None and process.poll() is None:
            process.terminate()
        if self._thread.is_alive():
            self._thread.join(timeout_s)
        if process is not None and process.poll() is None:
            process.kill()
        self._update(state="stopped")

    def status(self) -> ExtractorStatus:
        with self._lock:
            return self._status

    def _update(self, **changes: object) -> None:
        with self._lock:
            if "state" in changes and changes["state"] != self._status.state:
                changes["since"] = self._clock()
            self._status = replace(self._status, **changes)  # type: ignore[arg-type]

    def _run(self) -> None:
        camera = self._status.camera_id
        while not self._stop.is_set():
            self._update(state="connecting")
            error = self._run_once()
            if self._stop.is_set():
                break
            metrics.EXTRACTOR_RESTARTS.labels(camera).inc()
            delay = self._backoff.next_delay()
            self._update(state="reconnecting", restarts=self._status.restarts + 1, last_error=error)
            log.warning(
                "ffmpeg exited, reconnecting",
                extra={"camera_id": camera, "error": error, "delay_s": delay},
            )
            self._stop.wait(delay)
        self._update(state="stopped")

    def _run_once(self) -> str:
        """Run ffmpeg until it exits; why it exited."""
        status = self._status
        try:
            process = subprocess.Popen(
                self._command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                preexec_fn=_die_with_parent(),
            )
        except OSError as exc:
            return f"cannot start ffmpeg: {exc}"
        with self._lock:
            self._process = process
        if self._stop.is_set():
            process.terminate()
        assert process.stdout is not None and process.stderr is not None
        stderr_tail: collections.deque[str] = collections.deque(maxlen=5)
        drain = threading.Thread(
            target=_drain, args=(process.stderr, stderr_tail, self._redact), daemon=True
        )
        drain.start()
        splitter = JpegStreamSplitter()
        try:
            while True:
                data = os.read(process.stdout.fileno(), 256 * 1024)
                if not data:
                    break
                jpegs = splitter.feed(data)
                if splitter.corrupt:
                    metrics.FRAMES_DROPPED.labels(status.camera_id, "corrupt").inc(splitter.corrupt)
                    self._update(corrupt=self._status.corrupt + splitter.corrupt)
                    splitter.corrupt = 0
                for jpeg in jpegs:
                    self._deliver(jpeg)
        finally:
            process.stdout.close()
            code = process.wait()
            drain.join(1.0)
            with self._lock:
                self._process = None
        detail = stderr_tail[-1] if stderr_tail else ""
        return f"ffmpeg exited with {code}" + (f": {detail}" if detail else "")

    def _deliver(self, jpeg: bytes) -> None:
        status = self._status
        frame = Frame(status.tenant_id, status.camera_id, self._clock(), jpeg)
        if status.state != "running":
            self._backoff.reset()
            self._update(state="running")
        self._update(frames=self._status.frames + 1)
        metrics.FRAMES_EXTRACTED.labels(status.camera_id).inc()
        try:
            self._sink(frame)
        except Exception:  # a failing sink must not stop the camera
            log.exception("frame sink failed", extra={"camera_id": status.camera_id})


def _drain(stream: IO[bytes], tail: collections.deque[str], redact: Callable[[str], str]) -> None:
    for line in stream:
        text = redact(line.decode("utf-8", "replace").strip())  # before it is cut short
        if text:
            tail.append(text[:300])
    stream.close()


class ExtractorPool:
    """The running extractors, one per (tenant, camera); started and stopped by the API."""

    def __init__(self, factory: Callable[[str, str], FrameExtractor]) -> None:
        self._factory = factory
        self._lock = threading.Lock()
        self._extractors: dict[tuple[str, str], FrameExtractor] = {}

    def start(self, tenant_id: str, camera_id: str) -> ExtractorStatus:
        """Start the camera's extractor; idempotent when it already runs."""
        key = (tenant_id, camera_id)
        with self._lock:
            extractor = self._extractors.get(key)
            if extractor is None:
                extractor = self._factory(tenant_id, camera_id)
                self._extractors[key] = extractor
                extractor.start()
        return extractor.status()

    def stop(self, tenant_id: str, camera_id: str) -> ExtractorStatus:
        with self._lock:
            extractor = self._extractors.pop((tenant_id, camera_id), None)
        if extractor is None:
            raise UnknownCamera(tenant_id, camera_id)
        extractor.stop()
        return extractor.status()

    def statuses(self, tenant_id: str | None = None) -> list[ExtractorStatus]:
        with self._lock:
            extractors = list(self._extractors.values())
        statuses = [e.status() for e in extractors]
        return [s for s in statuses if tenant_id is None or s.tenant_id == tenant_id]

    def stop_all(self) -> None:
        with self._lock:
            extractors = list(self._extractors.values())
            self._extractors.clear()
        for extractor in extractors:
            extractor.stop()
