"""Frames on the wire: queue `frames`, body the JPEG bytes, the rest in headers.

Published on the default exchange with routing key `frames`, content type `image/jpeg` and
headers `schema_version` (1), `tenant_id`, `camera_id`, `captured_at` (ISO 8601, UTC) and
`trace_id`.
"""

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from ai_detection.domain.frame import Frame

QUEUE = "frames"
CONTENT_TYPE = "image/jpeg"
SCHEMA_VERSION = 1


def queue_arguments(max_length: int) -> dict[str, Any]:
    """Arguments the `frames` queue is declared with: a length cap as a safety net.

    The publisher checks the depth before publishing; the cap only catches what slips past
    the cached depth. Overflow drops the oldest frame, the least useful one to analyse.
    """
    return {"x-queue-type": "classic", "x-max-length": max_length, "x-overflow": "drop-head"}


def declare_frames_queue(channel: Any, max_length: int) -> int:
    """Declare the durable `frames` queue (idempotent with the same bound); its depth.

    `channel` is a pika channel. Consumers that do not know the bound declare it passively.
    """
    result = channel.queue_declare(QUEUE, durable=True, arguments=queue_arguments(max_length))
    return int(result.method.message_count)


def frame_to_message(frame: Frame) -> tuple[bytes, dict[str, Any]]:
    """The body and AMQP headers of `frame`."""
    headers: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "tenant_id": frame.tenant_id,
        "camera_id": frame.camera_id,
        "captured_at": frame.captured_at.astimezone(UTC).isoformat(),
        "trace_id": frame.trace_id,
    }
    return frame.jpeg, headers


def frame_from_message(body: bytes, headers: Mapping[str, Any] | None) -> Frame:
    """The frame in a message; `ValueError` saying why when the message is not a frame."""
    if not headers:
        raise ValueError("no headers")
    version = headers.get("schema_version")
    if version != SCHEMA_VERSION:
        raise ValueError(f"unsupported schema_version {version!r}")
    fields: dict[str, str] = {}
    for name in ("tenant_id", "camera_id", "captured_at", "trace_id"):
        value = headers.get(name)
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        if not isinstance(value, str) or not value:
            raise ValueError(f"missing or invalid header {name}")
        fields[name] = value
    try:
        captured_at = datetime.fromisoformat(fields["captured_at"])
    except ValueError as exc:
        raise ValueError(f"invalid captured_at {fields['captured_at']!r}") from exc
    if captured_at.tzinfo is None:
        raise ValueError("captured_at has no time zone")
    if not body:
        raise ValueError("empty body")
    return Frame(
        tenant_id=fields["tenant_id"],
        camera_id=fields["camera_id"],
        captured_at=captured_at.astimezone(UTC),
        jpeg=bytes(body),
        trace_id=fields["trace_id"],
    )
