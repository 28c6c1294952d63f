"""RTSP server of the simulated cameras: one live H.264 encode fanned out to every camera path.

Runs under the system Python with GStreamer's introspection bindings (`gi`).

Encode once
    A single live pipeline renders the picture (a moving test pattern, the wall-clock UTC date
    and time to the second and a fixed label burned in) and encodes it with x264: no B-frames,
    constrained-baseline profile, yuv420p, one IDR every second (key-int-max = fps, scene-cut
    off) with SPS/PPS repeated before each IDR. Encoded access units end in an `appsink`.

Fan-out
    Each camera path is a mount with its own non-shared media factory whose pipeline is only
    `appsrc ! rtph264pay`, so every RTSP client gets its own tiny media pipeline that
    packetises but never encodes. The `appsink` callback hands each access unit (a shallow
    copy sharing the encoded memory) to the `appsrc` of every live media. A media starts with
    the first IDR after its pipeline is playing, so a client joining at any moment receives a
    decodable stream with SPS/PPS within one second. This costs one encode for any number of
    cameras and clients; a client adds only RTP packetisation and socket writes. A media whose
    client stops reading gets no more access units once its queue exceeds a bound, and
    resumes at a later IDR, so memory stays bounded. The alternatives are worse: one shared
    media per path would start a late joiner mid-GOP (its recording would open on undecodable
    frames), and `intervideosink`/`intervideosrc` carry raw video, needing an encoder per mount.

Timestamps
    Both the encoder and the media pipelines run on the monotonic system clock. A buffer is
    stamped with its capture instant (encoder base time + PTS) minus the media pipeline's base
    time, i.e. the media's own running time at capture. The stream is therefore real-time:
    30 s of wall clock yield 30 s of video, and a reader that reconnects continues on the
    same clock (RTCP sender reports map RTP time to wall-clock NTP time).

Taking a camera offline removes its mount (new requests get 404) and closes the connection
of every client playing it, so a reader sees the stream end. Starting it mounts a fresh
factory at the same path.
"""

import itertools
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstApp", "1.0")
gi.require_version("GstRtspServer", "1.0")

from gi.repository import GLib, Gst, GstApp, GstRtspServer  # noqa: E402

from camsim.api import (  # noqa: E402
    ApiError,
    ControlServer,
    JsonObject,
    camera_exists,
    camera_not_found,
)
from camsim.config import ServeOptions, StreamSettings  # noqa: E402
from camsim.jsonlog import log_event  # noqa: E402

T = TypeVar("T")

MEDIA_LAUNCH = (
    "( appsrc name=src is-live=true format=time do-timestamp=false min-latency=0"
    " ! rtph264pay name=pay0 pt=96 config-interval=0 aggregate-mode=zero-latency )"
)
MAX_QUEUED_BYTES = 4 * 1024 * 1024
LOOP_CALL_TIMEOUT_S = 10.0
RTSP_THREADS = 4
KEEP_SOURCE = True  # GLib.SOURCE_CONTINUE, typed
REMOVE_SOURCE = False  # GLib.SOURCE_REMOVE, typed


def _element(factory: str, name: str | None = None, **props: Any) -> Gst.Element:
    element = Gst.ElementFactory.make(factory, name)
    if element is None:
        raise RuntimeError(f"GStreamer element {factory!r} is not installed")
    for key, value in props.items():
        element.set_property(key.replace("_", "-"), value)
    return element


class Encoder:
    """The single live pipeline: test pattern + overlays -> x264 -> `appsink`.

    `on_access_unit(buffer, capture_time)` is called on the streaming thread for each encoded
    access unit; `capture_time` is the absolute system-clock time of the frame.
    """

    def __init__(
        self, settings: StreamSettings, on_access_unit: Callable[[Gst.Buffer, int], None]
    ) -> None:
        self._on_access_unit = on_access_unit
        self.ready = threading.Event()
        self.caps: Gst.Caps | None = None
        self.pipeline = Gst.Pipeline.new("camsim-encoder")
        self.pipeline.use_clock(Gst.SystemClock.obtain())
        font = f"Sans Bold {max(8, settings.height // 24)}"
        source = _element("videotestsrc", is_live=True, pattern=settings.pattern)
        if settings.pattern == "ball":
            source.set_property("animation-mode", "wall-time")
            source.set_property("background-color", 0xFF203040)
        else:
            source.set_property("horizontal-speed", 2)
        raw_caps = Gst.Caps.from_string(
            f"video/x-raw,format=I420,width={settings.width},height={settings.height},"
            f"framerate={settings.fps}/1,pixel-aspect-ratio=1/1"
        )
        elements = [
            source,
            _element("capsfilter", caps=raw_caps),
            _element(
                "textoverlay",
                text=settings.label,
                valignment="top",
                halignment="left",
                font_desc=font,
                shaded_background=True,
            ),
            _element(
                "clockoverlay",
                time_format="%Y-%m-%d %H:%M:%S UTC",
                valignment="bottom",
                halignment="right",
                font_desc=font,
                shaded_background=True,
            ),
            _element(
                "x264enc",
                tune="zerolatency",
                speed_preset="ultrafast",
                key_int_max=settings.fps,
                bframes=0,
                bitrate=settings.bitrate_kbps,
                threads=1,
                option_string=f"scenecut=0:keyint-min={settings.fps}",
            ),
            _element(
                "capsfilter",
                caps=Gst.Caps.from_string("video/x-h264,profile=constrained-baseline"),
            ),
            _element("h264parse", config_interval=-1),
            _element(
                "capsfilter",
                caps=Gst.Caps.from_string("video/x-h264,stream-format=byte-stream,alignment=au"),
            ),
        ]
        self._sink = _element(
            "appsink", "out", emit_signals=True, sync=False, max_buffers=8, drop=False
        )
        elements.append(self._sink)
        for element in elements:
            self.pipeline.add(element)
        for upstream, downstream in itertools.pairwise(elements):
            if not upstream.link(downstream):
                raise RuntimeError(f"cannot link {upstream.get_name()} to {downstream.get_name()}")
        self._sink.connect("new-sample", self._on_sample)

    def start(self) -> None:
        if self.pipeline.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
            raise RuntimeError("the encoding pipeline failed to start")

    def stop(self) -> None:
        self.pipeline.set_state(Gst.State.NULL)

    def _on_sample(self, sink: GstApp.AppSink) -> Gst.FlowReturn:
        sample = sink.pull_sample()
        if sample is None:
            return Gst.FlowReturn.EOS
        buffer = sample.get_buffer()
        if self.caps is None:
            self.caps = sample.get_caps()
        if not self.ready.is_set() and not buffer.has_flags(Gst.BufferFlags.DELTA_UNIT):
            self.ready.set()
        # The encoder offsets PTS (x264enc by 1000 h); the segment maps them to running time.
        running_time = sample.get_segment().to_running_time(Gst.Format.TIME, buffer.pts)
        self._on_access_unit(buffer, self.pipeline.get_base_time() + running_time)
        return Gst.FlowReturn.OK


class _Output:
    """One media pipeline of one client, fed through its `appsrc`."""

    def __init__(self, path: str, media: GstRtspServer.RTSPMedia, appsrc: GstApp.AppSrc) -> None:
        self.path = path
        self.media = media
        self.appsrc = appsrc
        self.offset: int | None = None
        self.waiting_for_keyframe = True


class FanOut:
    """Copies every encoded access unit to the `appsrc` of every prepared media."""

    def __init__(self, frame_duration: int) -> None:
        self._frame_duration = frame_duration
        self._lock = threading.Lock()
        self._outputs: list[_Output] = []
        self.caps: Gst.Caps | None = None

    def attach(self, path: str, media: GstRtspServer.RTSPMedia) -> None:
        appsrc = media.get_element().get_by_name("src")
        if self.caps is not None:
            appsrc.set_caps(self.caps)
        with self._lock:
            self._outputs.append(_Output(path, media, appsrc))
        media.connect("unprepared", self._on_unprepared)

    def medias(self, path: str) -> list[GstRtspServer.RTSPMedia]:
        with self._lock:
            return [output.media for output in self._outputs if output.path == path]

    def count(self) -> int:
        with self._lock:
            return len(self._outputs)

    def detach(self, media: GstRtspServer.RTSPMedia) -> None:
        with self._lock:
            self._outputs = [output for output in self._outputs if output.media != media]

    def _on_unprepared(self, media: GstRtspServer.RTSPMedia) -> None:
        self.detach(media)

    def push(self, buffer: Gst.Buffer, capture_time: int) -> None:
        keyframe = not buffer.has_flags(Gst.BufferFlags.DELTA_UNIT)
        with self._lock:
            outputs = list(self._outputs)
        for output in outputs:
            offset = self._offset(output, keyframe, capture_time)
            if offset is None:
                continue
            copy = _shallow_copy(buffer)
            copy.pts = copy.dts = capture_time - offset
            copy.duration = self._frame_duration
            if output.appsrc.push_buffer(copy) != Gst.FlowReturn.OK:
                self.detach(output.media)

    def _offset(self, output: _Output, keyframe: bool, capture_time: int) -> int | None:
        """The time to subtract from capture times for `output`, or None to skip this unit."""
        if output.waiting_for_keyframe:
            if not keyframe or not self._playing(output):
                return None
            output.waiting_for_keyframe = False
        elif output.appsrc.get_current_level_bytes() > MAX_QUEUED_BYTES:
            output.waiting_for_keyframe = True
            log_event("client_lagging", level="warning", path=output.path)
            return None
        if output.offset is None:
            if output.appsrc.get_caps() is None:
                output.appsrc.set_caps(self.caps)
            # Running time of the capture in the media pipeline; a frame captured just before
            # the media started would be negative, so then the timeline starts at that frame.
            output.offset = min(output.appsrc.get_base_time(), capture_time)
        return output.offset

    @staticmethod
    def _playing(output: _Output) -> bool:
        _, state, _ = output.appsrc.get_state(0)
        return bool(state == Gst.State.PLAYING)


def _shallow_copy(buffer: Gst.Buffer) -> Gst.Buffer:
    """A new buffer sharing `buffer`'s memory, whose timestamps can be set on their own.

    In Python `Gst.Buffer.copy()` is the boxed copy, i.e. a new reference to the *same*
    buffer: setting its PTS for one client would rewrite the PTS of the access unit still
    queued for every other client, and their RTP timestamps would jump back and forth.
    """
    flags = (
        Gst.BufferCopyFlags.FLAGS
        | Gst.BufferCopyFlags.TIMESTAMPS
        | Gst.BufferCopyFlags.META
        | Gst.BufferCopyFlags.MEMORY
    )
    return buffer.copy_region(flags, 0, buffer.get_size())


class CameraServer:
    """The RTSP server with one mount per camera path; implements the control API backend."""

    def __init__(self, options: ServeOptions) -> None:
        self.options = options
        self.loop = GLib.MainLoop()
        self.exit_code = 0
        self._cameras: dict[str, bool] = {}
        self._fanout = FanOut(Gst.SECOND // options.stream.fps)
        self._encoder = Encoder(options.stream, self._on_access_unit)
        self._rtsp = GstRtspServer.RTSPServer()
        self._rtsp.set_address(options.host)
        self._rtsp.set_service(str(options.rtsp_port))
        self._rtsp.get_thread_pool().set_max_threads(RTSP_THREADS)
        self._rtsp.connect("client-connected", self._on_client_connected)
        self._mounts = self._rtsp.get_mount_points()
        self._source_id = 0
        for path in options.paths:
            self._mount(path)

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> None:
        self._encoder.start()
        bus = self._encoder.pipeline.get_bus()
        bus.add_signal_watch()
        bus.connect("message::error", self._on_encoder_error)
        self._source_id = self._rtsp.attach(None)
        if not self._source_id:
            raise RuntimeError(
                f"cannot listen for RTSP on {self.options.host}:{self.options.rtsp_port}"
            )
        for signum in (signal.SIGINT, signal.SIGTERM):
            GLib.unix_signal_add(GLib.PRIORITY_HIGH, signum, self._on_signal, signum)
        if self.options.exit_on_stdin_eof:
            GLib.io_add_watch(
                sys.stdin.fileno(),
                GLib.PRIORITY_DEFAULT,
                GLib.IOCondition.IN | GLib.IOCondition.HUP | GLib.IOCondition.ERR,
                self._on_stdin,
            )

    def run(self) -> None:
        self.loop.run()

    def close(self) -> None:
        """Drop every client, remove every mount and stop encoding."""
        for path, online in self._cameras.items():
            if online:
                self._mounts.remove_factory(f"/{path}")
        self._rtsp.client_filter(lambda *_: GstRtspServer.RTSPFilterResult.REMOVE)
        if self._source_id:
            GLib.source_remove(self._source_id)
            self._source_id = 0
        self._encoder.stop()

    def _on_signal(self, signum: int) -> bool:
        log_event("signal_received", signal=signal.Signals(signum).name)
        self.loop.quit()
        return REMOVE_SOURCE

    def _on_stdin(self, fd: int, _condition: GLib.IOCondition) -> bool:
        if os.read(fd, 4096):
            return KEEP_SOURCE
        log_event("parent_gone", detail="standard input closed")
        self.loop.quit()
        return REMOVE_SOURCE

    def _on_encoder_error(self, _bus: Gst.Bus, message: Gst.Message) -> None:
        error, debug = message.parse_error()
        log_event("encoder_error", level="error", error=error.message, debug=debug)
        self.exit_code = 1
        self.loop.quit()

    def _on_access_unit(self, buffer: Gst.Buffer, capture_time: int) -> None:
        if self._fanout.caps is None:
            self._fanout.caps = self._encoder.caps
            GLib.idle_add(self._announce_ready)
        self._fanout.push(buffer, capture_time)

    def _announce_ready(self) -> bool:
        log_event(
            "server_ready",
            rtsp=f"rtsp://{self.options.host}:{self.options.rtsp_port}/",
            control=f"http://{self.options.host}:{self.options.control_port}/",
            cameras=len(self._cameras),
            caps=self._fanout.caps.to_string() if self._fanout.caps else None,
        )
        return REMOVE_SOURCE

    # -- mounts and clients ---------------------------------------------------------------

    def _mount(self, path: str) -> None:
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(MEDIA_LAUNCH)
        factory.set_shared(False)
        factory.set_clock(Gst.SystemClock.obtain())
        factory.connect("media-configure", self._on_media_configure, path)
        self._mounts.add_factory(f"/{path}", factory)
        self._cameras[path] = True

    def _on_media_configure(
        self, _factory: GstRtspServer.RTSPMediaFactory, media: GstRtspServer.RTSPMedia, path: str
    ) -> None:
        self._fanout.attach(path, media)

    def _on_client_connected(
        self, _server: GstRtspServer.RTSPServer, client: GstRtspServer.RTSPClient
    ) -> None:
        connection = client.get_connection()
        peer = f"{connection.get_ip()}" if connection is not None else "?"
        log_event("client_connected", peer=peer)
        client.connect("closed", lambda _client: log_event("client_closed", peer=peer))

    def _disconnect(self, path: str) -> int:
        """Close the connection of every client playing `path`; return how many."""
        medias = self._fanout.medias(path)
        closed = 0

        def plays_path(
            _server: GstRtspServer.RTSPServer, client: GstRtspServer.RTSPClient, *_: object
        ) -> GstRtspServer.RTSPFilterResult:
            nonlocal closed
            for session in client.session_filter(None):
                for session_media in session.filter(None):
                    if session_media.get_media() in medias:
                        closed += 1
                        return GstRtspServer.RTSPFilterResult.REMOVE
            return GstRtspServer.RTSPFilterResult.KEEP

        self._rtsp.client_filter(plays_path)
        return closed

    # -- control API backend (called on the HTTP thread) ------------------------------------

    def _in_loop(self, function: Callable[[], T]) -> T:
        """Run `function` on the main loop, where every mount change happens, and return."""
        done = threading.Event()
        outcome: dict[str, Any] = {}

        def call() -> bool:
            try:
                outcome["value"] = function()
            except BaseException as error:
                outcome["error"] = error
            finally:
                done.set()
            return REMOVE_SOURCE

        GLib.idle_add(call)
        if not done.wait(LOOP_CALL_TIMEOUT_S):
            raise RuntimeError("the RTSP server did not answer in time")
        if "error" in outcome:
            raise outcome["error"]
        value: T = outcome["value"]
        return value

    def health(self) -> JsonObject:
        ready = self._encoder.ready.is_set() and bool(self._source_id)
        stream = self.options.stream
        return {
            "status": "ok" if ready else "starting",
            "rtsp_port": self.options.rtsp_port,
            "cameras": len(self._cameras),
            "media": self._fanout.count(),
            "width": stream.width,
            "height": stream.height,
            "fps": stream.fps,
        }

    def list_cameras(self) -> list[JsonObject]:
        return self._in_loop(
            lambda: [
                {"path": path, "state": "online" if online else "offline"}
                for path, online in self._cameras.items()
            ]
        )

    def add_camera(self, path: str) -> JsonObject:
        def add() -> JsonObject:
            if path in self._cameras:
                raise camera_exists(path)
            self._mount(path)
            log_event("camera_added", path=path)
            return {"path": path, "state": "online"}

        return self._in_loop(add)

    def stop_camera(self, path: str) -> JsonObject:
        def stop() -> JsonObject:
            if path not in self._cameras:
                raise camera_not_found(path)
            if self._cameras[path]:
                self._mounts.remove_factory(f"/{path}")
                self._cameras[path] = False
            closed = self._disconnect(path)
            log_event("camera_stopped", path=path, clients_closed=closed)
            return {"path": path, "state": "offline", "clients_closed": closed}

        return self._in_loop(stop)

    def start_camera(self, path: str) -> JsonObject:
        def start() -> JsonObject:
            if path not in self._cameras:
                raise camera_not_found(path)
            if not self._cameras[path]:
                self._mount(path)
                log_event("camera_started", path=path)
            return {"path": path, "state": "online"}

        return self._in_loop(start)


def serve(options: ServeOptions) -> int:
    """Serve the cameras of `options` until SIGINT or SIGTERM; return the exit code."""
    os.environ["TZ"] = "UTC"
    time.tzset()
    Gst.init(None)
    server = CameraServer(options)
    try:
        control = ControlServer(options.host, options.control_port, server)
    except OSError as error:
        log_event(
            "startup_failed",
            level="error",
            error=f"cannot listen for control on {options.host}:{options.control_port}: {error}",
        )
        return 2
    try:
        server.start()
    except RuntimeError as error:
        log_event("startup_failed", level="error", error=str(error))
        control.close()
        server.close()
        return 2
    control.start()
    log_event(
        "server_started",
        host=options.host,
        rtsp_port=options.rtsp_port,
        control_port=options.control_port,
        cameras=len(options.paths),
        width=options.stream.width,
        height=options.stream.height,
        fps=options.stream.fps,
    )
    try:
        server.run()
    finally:
        control.close()
        server.close()
        log_event("server_stopped", exit_code=server.exit_code)
    return server.exit_code


__all__ = ["ApiError", "CameraServer", "serve"]
