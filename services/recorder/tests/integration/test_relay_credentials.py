"""The recorder reads the relay as the internal reader (`STREAM_READER_USER`/`_PASSWORD`):
ffmpeg presents the credentials, and neither `/record/status` nor the log holds the password,
though ffmpeg's own messages repeat the URL. Against the real ffmpeg and a relay that demands
credentials and refuses them (`vms_common.testing_relay`)."""

import secrets
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from recorder.main import create_app
from recorder.settings import RecorderSettings
from vms_common.testing_relay import CredentialsRelay

from .conftest import TENANT, TEST_URL
from .test_recording import wait_for_state

PASSWORD = "reader:p@ss/w%rd " + secrets.token_hex(12)
CAMERA = {"tenant_id": TENANT, "camera_id": "guarded"}


@pytest.fixture
def relay() -> Iterator[CredentialsRelay]:
    with CredentialsRelay() as relay:
        yield relay


def recorder_for(relay: CredentialsRelay, tmp_path, **reader: str) -> TestClient:
    settings = RecorderSettings(
        recordings_root=tmp_path / "recordings",
        relay_rtsp_base=f"rtsp://127.0.0.1:{relay.port}",
        segment_seconds=5,
        RECORDER_API_TOKEN=secrets.token_urlsafe(24),
        rabbitmq_url=TEST_URL,
        **reader,
    )
    token = settings.api_token.get_secret_value()
    return TestClient(create_app(settings), headers={"Authorization": f"Bearer {token}"})


def test_the_reader_credentials_reach_the_relay_and_nothing_shows_them(relay, tmp_path, capfd):
    reader = {"STREAM_READER_USER": "vms-reader", "STREAM_READER_PASSWORD": PASSWORD}
    with recorder_for(relay, tmp_path, **reader) as recorder:
        assert recorder.post("/record/start", json=CAMERA).status_code == 202
        lost = wait_for_state(recorder, "reconnecting", timeout_s=20, camera_id="guarded")
        status_text = recorder.get("/record/status").text
        recorder.post("/record/stop", json=CAMERA)

    assert ("vms-reader", PASSWORD) in relay.presented
    assert "401" in lost["last_error"], lost
    assert f"rtsp://vms-reader:***@127.0.0.1:{relay.port}/" in lost["last_error"]
    logged = capfd.readouterr()
    assert "camera lost, reconnecting" in logged.out
    for shown in (status_text, logged.out, logged.err):
        assert "p@ss" not in shown and "p%40ss" not in shown
        assert PASSWORD.split()[-1] not in shown


def test_without_a_reader_password_no_credentials_are_presented(relay, tmp_path):
    with recorder_for(relay, tmp_path) as recorder:
        recorder.post("/record/start", json=CAMERA)
        lost = wait_for_state(recorder, "reconnecting", timeout_s=20, camera_id="guarded")
        recorder.post("/record/stop", json=CAMERA)

    assert relay.presented == []
    assert f"rtsp://127.0.0.1:{relay.port}/{TENANT}/camera/guarded" in lost["last_error"]
