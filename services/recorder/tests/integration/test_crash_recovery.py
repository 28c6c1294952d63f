"""A recorder killed with SIGKILL, against the real ffmpeg, camera simulator and RabbitMQ.

The recorder runs as its own process (uvicorn), as in the native stack, so that it can be
killed for real.
"""

import hashlib
import json
import os
import secrets
import signal
import subprocess
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from camsim.control import free_port
from recorder.main import create_app
from recorder.runs import Timeline, timeline_save
from recorder.storage import incoming_dir
from vms_common.settings import REPO_ROOT

from .conftest import TENANT, TEST_URL, SegmentEvents

SEGMENT_S = 20
FPS = 15  # the simulator's frame rate


class RecorderProcess:
    def __init__(self, root: Path, relay: str) -> None:
        self.port = free_port()
        self.token = secrets.token_urlsafe(24)
        self.root = root
        self.log = root.parent / "recorder.log"
        self.env = {
            **os.environ,
            "RECORDINGS_ROOT": str(root),
            "RELAY_RTSP_BASE": relay,
            "RECORDER_API_TOKEN": self.token,
            "SEGMENT_SECONDS": str(SEGMENT_S),
            "RABBITMQ_URL": TEST_URL,
            "PYTHONUNBUFFERED": "1",
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    str(REPO_ROOT / ".venv" / "bin" / "uvicorn"),
                    "--factory",
                    "recorder.main:create_app",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--no-access-log",
                ],
                cwd=REPO_ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=3):
                    return
            except (urllib.error.URLError, OSError):
                time.sleep(0.3)
        raise AssertionError(f"recorder not healthy:\n{self.log.read_text()[-3000:]}")

    def call(self, path: str, body: dict[str, str] | None = None) -> Any:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def processes_writing_under(root: Path) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if str(root).encode() in (proc / "cmdline").read_bytes():
                found.append(int(proc.name))
        except OSError:
            continue
    return found


def frame_count(path: Path) -> int:
    result = subprocess.run(
        [
            "ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
            "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", str(path),
        ],
        capture_output=True, text=True, timeout=30, check=True,
    )  # fmt: skip
    return int(result.stdout.strip())


@pytest.fixture
def recorder_process(tmp_path, simulator):
    process = RecorderProcess(tmp_path / "recordings", f"rtsp://127.0.0.1:{simulator.rtsp_port}")
    yield process
    process.stop()


def test_a_killed_recorder_loses_at_most_two_seconds_and_indexes_the_partial_segment(
    recorder_process, events
):
    recorder_process.start()
    recorder_process.call("/record/start", {"tenant_id": TENANT, "camera_id": "cam-1"})
    deadline = time.monotonic() + 20
    while recorder_process.call("/record/status")["cameras"][0]["state"] != "recording":
        assert time.monotonic() < deadline, "the camera never started recording"
        time.sleep(0.2)
    # segments are cut on the clock every SEGMENT_S seconds: kill 10 s into a whole one
    began = time.time()
    while not (time.time() - began > SEGMENT_S and 10 <= time.time() % SEGMENT_S < 11):
        time.sleep(0.05)
    killed_at = datetime.now(UTC)
    recorder_process.kill()

    deadline = time.monotonic() + 5
    while processes_writing_under(recorder_process.root) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert processes_writing_under(recorder_process.root) == [], "ffmpeg outlived the recorder"
    runs = list((recorder_process.root / ".incoming" / TENANT / "cam-1").iterdir())
    assert len(runs) == 1 and (runs[0] / "run.json").is_file()

    recorder_process.start()
    boundary = datetime.fromtimestamp(killed_at.timestamp() // SEGMENT_S * SEGMENT_S, UTC)
    received = events.wait_for(
        lambda got: any(e.start >= boundary - timedelta(seconds=2) for e in got), timeout_s=30
    )
    [partial] = [e for e in received if e.start >= boundary - timedelta(seconds=2)]
    lost = (killed_at - partial.end).total_seconds()
    print(f"lost at the kill: {lost:.2f} s; partial segment {partial.duration_s} s")
    assert abs(lost) <= 2.0, f"lost {lost:.2f} s at the kill ({partial})"
    stored = recorder_process.root / partial.path
    assert partial.sha256 == hashlib.sha256(stored.read_bytes()).hexdigest()
    assert partial.init_size_bytes is not None
    frames = frame_count(stored)
    assert frames >= (partial.duration_s - 1) * FPS, f"{frames} frames in {partial.duration_s} s"
    assert partial.duration_s >= 8
    assert list((recorder_process.root / ".incoming" / TENANT / "cam-1").iterdir()) == []


def test_a_garbage_segment_left_by_a_crash_is_kept_and_announced_corrupt(settings):
    run_dir = incoming_dir(settings.recordings_root, TENANT, "cam-9", "20260301T120000-abcdef")
    run_dir.mkdir(parents=True)
    garbage = os.urandom(20_000)
    (run_dir / "000000.mp4").write_bytes(garbage)
    started = datetime(2026, 3, 1, 12, 0, 1, tzinfo=UTC)
    timeline_save(run_dir, Timeline(started, 0.0))
    corrupt_events = SegmentEvents("segment.corrupt")
    try:
        with TestClient(create_app(settings)):
            [event] = corrupt_events.wait_for(lambda got: len(got) >= 1, timeout_s=20)
    finally:
        corrupt_events.close()

    assert event.path == f".corrupt/{TENANT}/cam-9/20260301T120000-abcdef-000000.mp4"
    assert (settings.recordings_root / event.path).read_bytes() == garbage
    assert event.sha256 == hashlib.sha256(garbage).hexdigest()
    assert event.size_bytes == len(garbage)
    assert event.start == started
    assert event.reason
    assert not run_dir.exists()
