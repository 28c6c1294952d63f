"""The simulator against the real GStreamer server, ffprobe and ffmpeg.

Every external command runs with a timeout; the whole module takes well under 90 s.
"""

import itertools
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from camsim.config import StreamSettings
from camsim.control import CameraSimulator, CameraSimulatorError, ControlApiError

FRONT = "acme/camera/front"
BACK = "acme/camera/back"
SIDE = "acme/camera/side"
OTHER = "other-co/camera/c_1"
CAMERAS = [FRONT, BACK, SIDE, OTHER]
FPS = 15
IO_TIMEOUT_US = "5000000"
RAW_GRAY = ["-f", "rawvideo", "-pix_fmt", "gray", "-"]
FORMAT_ENTRIES = "format=duration:stream=nb_frames,pix_fmt"
FFMPEG = ["ffmpeg", "-nostdin", "-v", "error", "-rtsp_transport", "tcp", "-timeout", IO_TIMEOUT_US]


pytestmark = [pytest.mark.timeout(120)]


@pytest.fixture(scope="module")
def sim() -> Iterator[CameraSimulator]:
    with CameraSimulator(CAMERAS) as simulator:
        yield simulator


def ffprobe(url: str, *args: str, timeout: float = 15) -> subprocess.CompletedProcess[str]:
    command = ["ffprobe", "-v", "error", "-rtsp_transport", "tcp", "-timeout", IO_TIMEOUT_US]
    return subprocess.run(
        [*command, *args, "-of", "json", url], capture_output=True, text=True, timeout=timeout
    )


def video_stream(url: str) -> dict[str, object]:
    result = ffprobe(url, "-analyzeduration", "1000000", "-show_streams", "-select_streams", "v")
    assert result.returncode == 0, result.stderr
    streams = json.loads(result.stdout)["streams"]
    assert len(streams) == 1
    stream: dict[str, object] = streams[0]
    return stream


def packets(url: str, seconds: float) -> list[tuple[float | None, bool]]:
    """(pts in seconds or None, keyframe) of the video packets of the first `seconds`."""
    result = ffprobe(
        url,
        "-select_streams",
        "v",
        "-show_entries",
        "packet=pts_time,flags",
        "-read_intervals",
        f"%+{seconds}",
        timeout=seconds + 15,
    )
    assert result.returncode == 0, result.stderr
    return [
        (float(p["pts_time"]) if "pts_time" in p else None, p["flags"].startswith("K"))
        for p in json.loads(result.stdout)["packets"]
    ]


def start_reader(url: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*FFMPEG, "-i", url, "-c", "copy", "-f", "null", "-"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def stop_process(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
    process.wait(timeout=10)
    if process.stderr is not None:
        process.stderr.close()


def control(
    sim: CameraSimulator, method: str, route: str, body: bytes | None = None
) -> tuple[int, object]:
    """Raw HTTP call to the control API: (status, decoded JSON body)."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{sim.control_port}{route}", data=body, method=method
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_stream_is_browser_playable_h264_at_the_configured_size(sim: CameraSimulator) -> None:
    stream = video_stream(sim.url(FRONT))
    assert stream["codec_name"] == "h264"
    assert stream["profile"] in ("Constrained Baseline", "Main")
    assert (stream["width"], stream["height"]) == (640, 360)
    assert stream["pix_fmt"] == "yuv420p"
    assert stream["r_frame_rate"] == f"{FPS}/1"


def test_late_joiner_starts_on_a_keyframe_and_gop_is_one_second(sim: CameraSimulator) -> None:
    time.sleep(0.5)  # join in the middle of a GOP
    seen = packets(sim.url(SIDE), 4.5)
    assert seen[0][1], "the first packet must be a keyframe"
    keyframes = [index for index, (_, key) in enumerate(seen) if key]
    assert len(keyframes) >= 4
    gaps = {later - earlier for earlier, later in itertools.pairwise(keyframes)}
    assert gaps == {FPS}, f"frames between keyframes: {gaps}"
    key_times = [seen[index][0] for index in keyframes[1:]]
    spacing = [b - a for a, b in itertools.pairwise(t for t in key_times if t is not None)]
    assert len(spacing) == len(key_times) - 1, f"keyframes without timestamp: {key_times}"
    assert all(abs(s - 1.0) < 0.01 for s in spacing), spacing


def test_clients_joining_at_different_moments_each_get_evenly_spaced_timestamps(
    sim: CameraSimulator,
) -> None:
    """Every client has its own timeline: the access unit it shares with the others must not
    carry another client's timestamps (a frame every 1/fps s, never backwards)."""
    with ThreadPoolExecutor(4) as pool:
        futures = []
        for path in (FRONT, BACK, SIDE, OTHER):
            futures.append(pool.submit(packets, sim.url(path), 4.0))
            time.sleep(0.3)  # each joins at another moment, so their time offsets differ
        results = [future.result() for future in futures]
    for seen in results:
        times = [pts for pts, _ in seen if pts is not None]
        assert len(times) >= 3 * FPS
        steps = [b - a for a, b in itertools.pairwise(times)]
        assert all(abs(step - 1 / FPS) < 0.002 for step in steps), sorted(set(steps))[:8]


def test_burned_in_clock_changes_from_second_to_second(sim: CameraSimulator) -> None:
    width, height = 640, 360
    result = subprocess.run(
        [*FFMPEG, "-i", sim.url(FRONT), "-frames:v", str(FPS + 1), *RAW_GRAY],
        capture_output=True,
        timeout=20,
    )
    assert result.returncode == 0, result.stderr.decode()
    size = width * height
    frames = [result.stdout[i * size : (i + 1) * size] for i in range(FPS + 1)]
    assert len(frames[-1]) == size

    def clock_region(frame: bytes) -> bytes:
        # The clock is drawn in the bottom-right corner, over a shaded box.
        rows = range(height - height // 8, height)
        return b"".join(frame[row * width + width // 2 : (row + 1) * width] for row in rows)

    def label_region(frame: bytes) -> bytes:
        # The fixed label is drawn in the top-left corner.
        rows = range(height // 8)
        return b"".join(frame[row * width : row * width + width // 2] for row in rows)

    assert sum(1 for value in label_region(frames[0]) if value > 200) > 200, "no label text"
    first, second = clock_region(frames[0]), clock_region(frames[FPS])
    assert sum(1 for value in first if value > 200) > 200, "no bright clock text"
    changed = sum(1 for a, b in zip(first, second, strict=True) if abs(a - b) > 64)
    assert changed > 50, "the clock did not change within one second"


def test_recording_has_wall_clock_duration(sim: CameraSimulator, tmp_path: Path) -> None:
    output = tmp_path / "out.mp4"
    started = time.monotonic()
    result = subprocess.run(
        [*FFMPEG, "-i", sim.url(OTHER), "-c", "copy", "-t", "10", str(output)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    wall = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-of", "json", "-show_entries", FORMAT_ENTRIES, str(output)],
        capture_output=True,
        text=True,
        timeout=15,
    )
    info = json.loads(probe.stdout)
    duration = float(info["format"]["duration"])
    assert abs(duration - 10) <= 1, duration
    assert abs(int(info["streams"][0]["nb_frames"]) - 10 * FPS) <= 2
    assert info["streams"][0]["pix_fmt"] == "yuv420p"
    # A real-time stream takes as long to record as it lasts (plus connection setup).
    assert duration - 0.5 <= wall <= duration + 2.5, (wall, duration)


def test_stopping_a_camera_ends_its_readers_and_only_that_camera(sim: CameraSimulator) -> None:
    readers = [start_reader(sim.url(BACK)), start_reader(sim.url(BACK))]
    other = start_reader(sim.url(FRONT))
    try:
        time.sleep(2)
        assert all(p.poll() is None for p in [*readers, other]), "readers should be streaming"
        stopped_at = time.monotonic()
        assert sim.stop_camera(BACK).state == "offline"
        for reader in readers:
            reader.wait(timeout=5)
        assert time.monotonic() - stopped_at < 5
        assert other.poll() is None, "a reader of another camera was disconnected"

        states = {camera.path: camera.state for camera in sim.cameras()}
        assert states[BACK] == "offline" and states[FRONT] == "online"
        refused = ffprobe(sim.url(BACK), "-show_streams")
        assert refused.returncode != 0
        assert "404" in refused.stderr
        assert video_stream(sim.url(FRONT))["codec_name"] == "h264"
        assert other.poll() is None
    finally:
        for process in [*readers, other]:
            stop_process(process)
        sim.start_camera(BACK)
    assert video_stream(sim.url(BACK))["codec_name"] == "h264"
    assert {camera.path: camera.state for camera in sim.cameras()}[BACK] == "online"


def test_stop_and_start_are_idempotent(sim: CameraSimulator) -> None:
    assert sim.stop_camera(SIDE).state == "offline"
    assert sim.stop_camera(SIDE).state == "offline"
    assert sim.start_camera(SIDE).state == "online"
    assert sim.start_camera(SIDE).state == "online"
    assert video_stream(sim.url(SIDE))["width"] == 640


def test_camera_added_at_runtime_is_served(sim: CameraSimulator) -> None:
    path = "late-co/camera/new"
    assert ffprobe(sim.url(path), "-show_streams").returncode != 0
    assert sim.add_camera(path).state == "online"
    assert video_stream(sim.url(path))["codec_name"] == "h264"
    assert path in [camera.path for camera in sim.cameras()]
    with pytest.raises(ControlApiError) as conflict:
        sim.add_camera(path)
    assert conflict.value.status == 409


@pytest.mark.parametrize(
    ("method", "route", "body", "status", "code"),
    [
        ("POST", "/cameras", b'{"path": "no slashes"}', 400, "invalid_path"),
        ("POST", "/cameras", b'{"path": "a/camera/b/c"}', 400, "invalid_path"),
        ("POST", "/cameras", b"{not json", 400, "invalid_json"),
        ("POST", "/cameras", b'["a/camera/b"]', 400, "invalid_body"),
        ("POST", "/cameras/bad%20path/stop", None, 400, "invalid_path"),
        ("POST", "/cameras/acme/camera/unknown/stop", None, 404, "camera_not_found"),
        ("POST", "/cameras/acme/camera/unknown/start", None, 404, "camera_not_found"),
        ("GET", "/nowhere", None, 404, "not_found"),
        ("GET", "/cameras/acme/camera/front/stop", None, 405, "method_not_allowed"),
    ],
)
def test_control_api_errors(
    sim: CameraSimulator, method: str, route: str, body: bytes | None, status: int, code: str
) -> None:
    answer_status, answer = control(sim, method, route, body)
    assert answer_status == status
    assert isinstance(answer, dict)
    assert set(answer) == {"message", "code", "extra"}
    assert answer["code"] == code
    assert answer["message"]


def test_control_api_lists_cameras_and_health(sim: CameraSimulator) -> None:
    status, health = control(sim, "GET", "/health")
    assert status == 200
    assert isinstance(health, dict) and health["status"] == "ok"
    status, cameras = control(sim, "GET", "/cameras")
    assert status == 200
    assert isinstance(cameras, list)
    assert {"path": FRONT, "state": "online"} in cameras


def test_whole_simulator_stops_and_starts_on_the_same_ports() -> None:
    settings = StreamSettings(width=320, height=180, fps=10)
    with CameraSimulator([FRONT], stream=settings) as simulator:
        stream = video_stream(simulator.url(FRONT))
        assert (stream["width"], stream["height"], stream["r_frame_rate"]) == (320, 180, "10/1")
        simulator.add_camera(BACK)
        url, control_port = simulator.url(BACK), simulator.control_port

        simulator.stop()
        assert not simulator.running
        assert ffprobe(url, "-show_streams").returncode != 0

        simulator.start()
        assert simulator.url(BACK) == url and simulator.control_port == control_port
        assert [camera.path for camera in simulator.cameras()] == [FRONT, BACK]
        assert video_stream(url)["width"] == 320

        simulator.restart()
        assert video_stream(simulator.url(FRONT))["height"] == 180
    assert not simulator.running


def test_a_busy_port_fails_startup_with_the_server_log(sim: CameraSimulator) -> None:
    clash = CameraSimulator([FRONT], rtsp_port=sim.rtsp_port, startup_timeout=15)
    started = time.monotonic()
    with pytest.raises(CameraSimulatorError, match="cannot listen for RTSP"):
        clash.start()
    assert time.monotonic() - started < 15
    assert not clash.running
    clash.close()


def test_server_does_not_outlive_a_killed_parent(tmp_path: Path) -> None:
    script = (
        "import sys, time\n"
        "from camsim.control import CameraSimulator\n"
        f"sim = CameraSimulator([{FRONT!r}])\n"
        "sim.start()\n"
        "print(sim.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    # The killed parent cannot clean up its working directory: keep it under tmp_path.
    parent = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(tmp_path)},
    )
    try:
        assert parent.stdout is not None
        server_pid = int(parent.stdout.readline())
        assert Path(f"/proc/{server_pid}").exists()
    finally:
        parent.kill()
        parent.wait(timeout=10)
        if parent.stdout is not None:
            parent.stdout.close()
    deadline = time.monotonic() + 5
    while Path(f"/proc/{server_pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    outlived = Path(f"/proc/{server_pid}").exists()
    if outlived:
        os.kill(server_pid, signal.SIGKILL)
    assert not outlived, "the server outlived its parent"
