"""Frames to and from AMQP messages."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from ai_detection.domain.frame import Frame
from ai_detection.infrastructure.frame_queue import frame_from_message, frame_to_message

FRAME = Frame("tenant-a", "cam-1", datetime(2026, 1, 2, 3, 4, 5, 600000, UTC), b"\xff\xd8jpeg")


def test_frame_survives_the_round_trip_through_a_message() -> None:
    body, headers = frame_to_message(FRAME)
    assert body == FRAME.jpeg
    assert headers["schema_version"] == 1
    assert headers["captured_at"] == "2026-01-02T03:04:05.600000+00:00"
    assert frame_from_message(body, headers) == FRAME


def test_captured_at_in_another_zone_is_published_in_utc() -> None:
    local = FRAME.captured_at.astimezone(timezone(timedelta(hours=2)))
    frame = Frame("t", "c", local, b"x", "trace")
    _, headers = frame_to_message(frame)
    assert headers["captured_at"].endswith("+00:00")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"schema_version": 2}, "schema_version"),
        ({"camera_id": None}, "camera_id"),
        ({"captured_at": "yesterday"}, "captured_at"),
        ({"captured_at": "2026-01-02T03:04:05"}, "time zone"),
    ],
)
def test_bad_message_raises_value_error_with_the_reason(change: dict, reason: str) -> None:
    body, headers = frame_to_message(FRAME)
    headers.update(change)
    with pytest.raises(ValueError, match=reason):
        frame_from_message(body, headers)


def test_message_without_headers_or_body_is_refused() -> None:
    with pytest.raises(ValueError, match="headers"):
        frame_from_message(b"x", None)
    _, headers = frame_to_message(FRAME)
    with pytest.raises(ValueError, match="body"):
        frame_from_message(b"", headers)


def test_byte_string_headers_are_accepted() -> None:
    body, headers = frame_to_message(FRAME)
    headers["tenant_id"] = b"tenant-a"
    assert frame_from_message(body, headers).tenant_id == "tenant-a"
