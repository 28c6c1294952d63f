"""STREAM_READER_USER and STREAM_READER_PASSWORD: the camera URL the detection service gives
ffmpeg, and the password's rules (a secret: 32 characters or more in production)."""

import pytest
from pydantic import ValidationError

from ai_detection.settings import DetectionSettings

TOKEN = "t" * 40
STRONG = "r" * 32


def test_the_camera_url_carries_the_reader_credentials(monkeypatch):
    monkeypatch.setenv("STREAM_READER_USER", "reader one")
    monkeypatch.setenv("STREAM_READER_PASSWORD", "pw:x@y")
    settings = DetectionSettings(DETECTION_API_TOKEN=TOKEN, relay_rtsp_base="rtsps://mediamtx:8322")

    url = settings.camera_url("t1", "c1")

    assert url == "rtsps://reader%20one:pw%3Ax%40y@mediamtx:8322/t1/camera/c1"
    assert settings.redact(url) == "rtsps://reader%20one:***@mediamtx:8322/t1/camera/c1"


def test_without_a_password_the_camera_url_has_no_credentials(monkeypatch):
    monkeypatch.delenv("STREAM_READER_PASSWORD", raising=False)
    settings = DetectionSettings(DETECTION_API_TOKEN=TOKEN, relay_rtsp_base="rtsp://relay:8554")

    assert settings.camera_url("t1", "c1") == "rtsp://relay:8554/t1/camera/c1"


@pytest.mark.parametrize("password", ["", "r" * 31])
def test_production_refuses_a_missing_or_short_reader_password(monkeypatch, password):
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("STREAM_READER_PASSWORD", password)

    with pytest.raises(ValidationError, match="STREAM_READER_PASSWORD must be a random value"):
        DetectionSettings(DETECTION_API_TOKEN=TOKEN)

    monkeypatch.setenv("STREAM_READER_PASSWORD", STRONG)
    assert (
        DetectionSettings(DETECTION_API_TOKEN=TOKEN).relay_reader_password.get_secret_value()
        == STRONG
    )
