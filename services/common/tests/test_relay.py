"""The relay reader's camera URL and the redaction of its credentials, with the real ffmpeg
against a relay that demands credentials (`vms_common.testing_relay`)."""

import subprocess

import pytest

from vms_common.relay import REDACTED, redact, relay_camera_url
from vms_common.testing_relay import CredentialsRelay

AWKWARD = "p@ss:w/rd%2F #?&x"  # every character that means something in a URL


def test_without_a_password_the_url_has_no_credentials():
    assert relay_camera_url("rtsp://mediamtx:8554/", "t", "c") == "rtsp://mediamtx:8554/t/camera/c"
    assert (
        relay_camera_url("rtsps://mediamtx:8322", "t", "c", user="vms-reader")
        == "rtsps://mediamtx:8322/t/camera/c"
    )


def test_the_credentials_are_percent_encoded_into_the_url():
    url = relay_camera_url("rtsp://mediamtx:8554", "t", "c", user="vms reader", password=AWKWARD)

    assert url == "rtsp://vms%20reader:p%40ss%3Aw%2Frd%252F%20%23%3F%26x@mediamtx:8554/t/camera/c"


def test_credentials_already_in_the_base_are_replaced():
    url = relay_camera_url("rtsp://old:old@relay:8554", "t", "c", user="u", password="new")

    assert url == "rtsp://u:new@relay:8554/t/camera/c"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rtsp://u:secret@relay:8554/t/camera/c", f"rtsp://u:{REDACTED}@relay:8554/t/camera/c"),
        (
            "open rtsp://u:s%40cret@relay/x: 401; amqp://guest:guest@rabbitmq:5672/%2F",
            f"open rtsp://u:{REDACTED}@relay/x: 401; amqp://guest:{REDACTED}@rabbitmq:5672/%2F",
        ),
        ("rtsp://relay:8554/t/camera/c", "rtsp://relay:8554/t/camera/c"),
        ("rtsp://u@relay/x and a:b@c", "rtsp://u@relay/x and a:b@c"),
        ("", ""),
    ],
)
def test_redact_takes_the_password_out_of_every_url(text, expected):
    assert redact(text) == expected


def test_redact_takes_out_the_given_secrets_however_they_appear():
    text = f"user:{AWKWARD} then p%40ss%3Aw%2Frd%252F%20%23%3F%26x, nothing else"

    redacted = redact(text, AWKWARD, "")

    assert redacted == f"user:{REDACTED} then {REDACTED}, nothing else"


def test_ffmpeg_presents_the_credentials_and_its_message_is_redacted():
    with CredentialsRelay() as relay:
        url = relay_camera_url(
            f"rtsp://127.0.0.1:{relay.port}", "t", "c", user="vms-reader", password=AWKWARD
        )
        command = ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "warning"]
        command += ["-rtsp_transport", "tcp", "-timeout", "5000000", "-i", url, "-f", "null", "-"]
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )

    assert result.returncode != 0
    assert ("vms-reader", AWKWARD) in relay.presented
    assert url in result.stderr  # ffmpeg repeats the URL, credentials and all
    message = redact(result.stderr, AWKWARD)
    assert f"rtsp://vms-reader:{REDACTED}@127.0.0.1:{relay.port}/t/camera/c" in message
    assert "p%40ss" not in message and AWKWARD not in message
