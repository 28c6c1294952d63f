"""STREAM_READER_USER and STREAM_READER_PASSWORD: the camera URL the recorder gives ffmpeg, and
the password's rules (a secret: 32 characters or more in production)."""

import pytest
from pydantic import ValidationError

from recorder.settings import RecorderSettings

TOKEN = "t" * 40
STRONG = "r" * 32


def test_the_camera_url_carries_the_reader_credentials(monkeypatch):
    monkeypatch.setenv("STREAM_READER_PASSWORD", "pw/with@signs")
    settings = RecorderSettings(RECORDER_API_TOKEN=TOKEN, relay_rtsp_base="rtsp://mediamtx:8554")

    url = settings.camera_url("t1", "c1")

    assert url == "rtsp://vms-reader:pw%2Fwith%40signs@mediamtx:8554/t1/camera/c1"
    assert (
        settings.redact(f"failed: {url}")
        == "failed: rtsp://vms-reader:***@mediamtx:8554/t1/camera/c1"
    )
    assert "pw/with@signs" not in repr(settings)


def test_without_a_password_the_camera_url_has_no_credentials(monkeypatch):
    monkeypatch.delenv("STREAM_READER_PASSWORD", raising=False)
    monkeypatch.setenv("STREAM_READER_USER", "someone")
    settings = RecorderSettings(RECORDER_API_TOKEN=TOKEN, relay_rtsp_base="rtsp://relay:8554/")

    assert settings.camera_url("t1", "c1") == "rtsp://relay:8554/t1/camera/c1"


@pytest.mark.parametrize("password", ["", "r" * 31])
def test_production_refuses_a_missing_or_short_reader_password(monkeypatch, password):
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("STREAM_READER_PASSWORD", password)

    with pytest.raises(ValidationError, match="STREAM_READER_PASSWORD must be a random value"):
        RecorderSettings(RECORDER_API_TOKEN=TOKEN)

    monkeypatch.setenv("STREAM_READER_PASSWORD", STRONG)
    assert (
        RecorderSettings(RECORDER_API_TOKEN=TOKEN)
        .camera_url("t", "c")
        .startswith(f"rtsp://vms-reader:{STRONG}@")
    )
