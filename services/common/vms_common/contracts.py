"""Versioned message contracts between the services.

Every message has `schema_version`, `event_id`, `tenant_id`, `camera_id`, a UTC
`occurred_at` and a `trace_id`. Consumers validate with :func:`decode`, which raises
:class:`ContractError` with a reason fit for a dead-letter header.
"""

import json
import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
Identifier = Annotated[str, Field(pattern=ID_PATTERN)]


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_trace_id() -> str:
    return uuid.uuid4().hex


class ContractError(ValueError):
    """A message that no consumer can process: malformed, unknown or invalid."""


class Event(BaseModel):
    """Fields every message carries."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    routing_key: ClassVar[str]

    event_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    tenant_id: Identifier
    camera_id: Identifier
    occurred_at: UtcDatetime = Field(default_factory=utc_now)
    trace_id: str = Field(default_factory=new_trace_id, min_length=1, max_length=64)

    def route(self) -> str:
        """The routing key this message is published with."""
        return self.routing_key


class SegmentCompleted(Event):
    """A recorded segment is closed, verified and stored at `path` (relative to the storage root)."""

    routing_key: ClassVar[str] = "segment.completed"

    schema_version: Literal[1] = 1
    start: UtcDatetime
    end: UtcDatetime
    duration_s: float = Field(gt=0)
    path: str = Field(min_length=1, max_length=512)
    size_bytes: int = Field(gt=0)
    codec: str = Field(max_length=32)
    width: int = Field(gt=0)
    height: int = Field(gt=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    init_size_bytes: int | None = Field(
        default=None, gt=0, description="Bytes of the file's init section (ftyp + moov)"
    )


class SegmentCorrupt(Event):
    """A segment was written but cannot be played; it is kept at `path` for inspection.

    Its times are what the recorder knew of it; it covers nothing in playback.
    """

    routing_key: ClassVar[str] = "segment.corrupt"

    schema_version: Literal[1] = 1
    start: UtcDatetime
    end: UtcDatetime
    path: str = Field(min_length=1, max_length=512)
    size_bytes: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    reason: str = Field(max_length=1000)


class DeletionReason(StrEnum):
    RETENTION = "retention"
    DISK_FULL = "disk_full"


class SegmentDeleted(Event):
    """The segment at `path` is gone for good, from whatever tier held it."""

    routing_key: ClassVar[str] = "segment.deleted"

    schema_version: Literal[1] = 1
    start: UtcDatetime
    path: str = Field(min_length=1, max_length=512)
    reason: DeletionReason


class SegmentTiered(Event):
    """The segment at `path` now lives in object storage at `location` (``s3://bucket/key``).

    The upload was verified before the local copy was removed.
    """

    routing_key: ClassVar[str] = "segment.tiered"

    schema_version: Literal[1] = 1
    start: UtcDatetime
    path: str = Field(min_length=1, max_length=512)
    tier: Literal["s3"] = "s3"
    location: str = Field(pattern=r"^s3://[a-z0-9.-]{3,63}/.+$", max_length=1024)


class Box(BaseModel):
    """Where something is in the frame, as fractions of its width and height (0..1)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    left: float = Field(ge=0, le=1)
    top: float = Field(ge=0, le=1)
    width: float = Field(ge=0, le=1)
    height: float = Field(ge=0, le=1)


class Label(BaseModel):
    """One thing a provider saw: a normalised name (`person`, `car`, ...) and how sure it is."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=64)
    confidence: float = Field(ge=0, le=1)
    box: Box | None = None


class Face(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    confidence: float = Field(ge=0, le=1)
    box: Box


class DetectionResult(Event):
    """What a detection provider found in one frame of a camera.

    Published on the topic exchange `detections` with the routing key
    ``{tenant_id}.{camera_id}.{label}`` (one message per frame, keyed by its first label, or
    ``none`` when nothing was found); the AMQP `type` property names the contract
    (`detection.result`), which is what consumers decode by.
    """

    routing_key: ClassVar[str] = "detection.result"

    schema_version: Literal[1] = 1
    captured_at: UtcDatetime
    processed_at: UtcDatetime
    provider: str = Field(min_length=1, max_length=32)
    labels: tuple[Label, ...] = ()
    faces: tuple[Face, ...] = ()
    cost_usd: float = Field(default=0.0, ge=0)

    def route(self) -> str:
        first = self.labels[0].name if self.labels else "none"
        return f"{self.tenant_id}.{self.camera_id}.{first}"


class AlertRaised(Event):
    """An alert rule fired on a detection; the alert is stored (its id is `event_id`).

    Published on the fanout exchange `alerts` (AMQP `type` `alert.raised`) once the alert
    is committed; the notifications consumer delivers it to the rule's webhook and e-mails.
    """

    routing_key: ClassVar[str] = "alert.raised"

    schema_version: Literal[1] = 1
    rule_id: uuid.UUID | None = Field(description="None once the rule has been deleted")
    rule_name: str = Field(min_length=1, max_length=200)
    label: str = Field(min_length=1, max_length=64)
    confidence: float = Field(ge=0, le=1)
    box: Box | None = None
    captured_at: UtcDatetime
    detection_id: int = Field(gt=0)


CONTRACTS: dict[str, type[Event]] = {
    c.routing_key: c
    for c in (
        SegmentCompleted,
        SegmentCorrupt,
        SegmentDeleted,
        SegmentTiered,
        DetectionResult,
        AlertRaised,
    )
}


def encode(message: Event) -> bytes:
    return message.model_dump_json().encode()


def decode(routing_key: str, body: bytes) -> Event:
    """Parse a message body for its routing key, or raise ContractError with the reason."""
    contract = CONTRACTS.get(routing_key)
    if contract is None:
        raise ContractError(f"unknown message type {routing_key!r}")
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ContractError(f"malformed JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ContractError("message body is not a JSON object")
    version = data.get("schema_version")
    expected = contract.model_fields["schema_version"].default
    if version != expected:
        raise ContractError(f"unsupported schema_version {version!r} for {routing_key}")
    try:
        return contract.model_validate(data)
    except ValidationError as exc:
        fields = ", ".join(
            ".".join(str(p) for p in e["loc"]) + ": " + e["msg"] for e in exc.errors()
        )
        raise ContractError(f"invalid {routing_key}: {fields}") from exc


def relay_path(tenant_id: str, camera_id: str) -> str:
    """The camera's path on the relay (MediaMTX): ``{tenant_id}/camera/{camera_id}``."""
    return f"{tenant_id}/camera/{camera_id}"
