"""A camera that stops sending without closing the connection, against the real ffmpeg.

The camera simulator is frozen with SIGSTOP: its TCP connections stay open and nothing more
arrives, as with a hung camera or relay. ffmpeg's own read timeout is set far longer than
the stall timeout, so only the recorder's stall detection can notice.
"""

import os
import re
import secrets
import signal
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from camsim.control import CameraSimulator
from recorder.main import create_app
from recorder.settings import RecorderSettings

from .conftest import TENANT, TEST_URL
from .test_recording import camera_status, wait_for_state

CAMERA = {"tenant_id": TENANT, "camera_id": "hung-1"}


@pytest.fixture
def frozen_camera() -> Iterator[CameraSimulator]:
    with CameraSimulator([f"{TENANT}/camera/hung-1"]) as sim:
        try:
            yield sim
        finally:
            if sim.pid is not None:
                os.kill(sim.pid, signal.SIGCONT)


@pytest.fixture
def stall_recorder(tmp_path, frozen_camera) -> Iterator[TestClient]:
    settings = RecorderSettings(
        recordings_root=tmp_path / "recordings",
        relay_rtsp_base=f"rtsp://127.0.0.1:{frozen_camera.rtsp_port}",
        segment_seconds=5,
        camera_timeout_s=60,
        stall_timeout_s=3,
        connect_timeout_s=4,
        RECORDER_API_TOKEN=secrets.token_urlsafe(24),
        rabbitmq_url=TEST_URL,
    )
    token = settings.api_token.get_secret_value()
    with TestClient(create_app(settings), headers={"Authorization": f"Bearer {token}"}) as client:
        yield client


def stalls_counted(recorder: TestClient) -> float:
    text = recorder.get("/metrics").text
    labels = f'camera_id="hung-1",tenant_id="{TENANT}"'
    pattern = r"vms_recorder_stalls_total\{" + labels + r"\} (\S+)"
    match = re.search(pattern, text)
    return float(match.group(1)) if match else 0.0


def test_a_stalled_stream_is_killed_restarted_and_recorded_again_when_it_resumes(
    stall_recorder, frozen_camera
):
    stall_recorder.post("/record/start", json=CAMERA)
    wait_for_state(stall_recorder, "recording", timeout_s=20, camera_id="hung-1")
    time.sleep(2)
    assert frozen_camera.pid is not None
    os.kill(frozen_camera.pid, signal.SIGSTOP)
    frozen_at = time.monotonic()

    stalled = wait_for_state(stall_recorder, "reconnecting", timeout_s=12, camera_id="hung-1")
    noticed_after = time.monotonic() - frozen_at
    assert re.fullmatch(r"stalled: no data for \d+ s", stalled["last_error"]), stalled
    assert 2.5 <= noticed_after <= 8, f"stall noticed after {noticed_after:.1f} s"
    assert stalls_counted(stall_recorder) >= 1
    assert stalled["segments"] >= 1  # what was written before the stall was kept

    # still frozen: the reconnected ffmpeg hangs too and is killed again
    deadline = time.monotonic() + 12
    while stalls_counted(stall_recorder) < 2:
        assert time.monotonic() < deadline, "the reconnected, hung ffmpeg was not killed"
        time.sleep(0.2)
    assert camera_status(stall_recorder, "hung-1")["restarts"] >= 2

    os.kill(frozen_camera.pid, signal.SIGCONT)
    resumed_at = time.monotonic()
    wait_for_state(stall_recorder, "recording", timeout_s=15, camera_id="hung-1")
    assert time.monotonic() - resumed_at < 10
    stall_recorder.post("/record/stop", json=CAMERA)
