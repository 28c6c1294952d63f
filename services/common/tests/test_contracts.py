import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from vms_common.contracts import ContractError, SegmentCompleted, decode, encode


def segment(**overrides):
    start = datetime(2026, 11, 23, 19, 0, tzinfo=UTC)
    fields = dict(
        tenant_id="tenant-1",
        camera_id="cam-1",
        start=start,
        end=start + timedelta(seconds=30),
        duration_s=30.0,
        path="tenant-1/cam-1/2026/11/23/19/segment_20261123T190000.000Z.mp4",
        size_bytes=1000,
        codec="h264",
        width=640,
        height=360,
        sha256="a" * 64,
    )
    return SegmentCompleted(**{**fields, **overrides})


def test_segment_completed_round_trips_through_json():
    event = segment()
    assert decode("segment.completed", encode(event)) == event


def test_times_are_normalised_to_utc():
    start = datetime(2026, 11, 23, 21, 0, tzinfo=timezone(timedelta(hours=2)))
    event = segment(start=start)
    assert event.start.utcoffset() == timedelta(0)
    assert event.start.hour == 19


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        segment(start=datetime(2026, 11, 23, 19, 0))


@pytest.mark.parametrize(
    ("routing_key", "body", "reason"),
    [
        ("segment.completed", b"{not json", "malformed JSON"),
        ("segment.completed", b"[1, 2]", "not a JSON object"),
        ("segment.unknown", b"{}", "unknown message type"),
    ],
)
def test_undecodable_messages_raise_contract_error_with_reason(routing_key, body, reason):
    with pytest.raises(ContractError, match=reason):
        decode(routing_key, body)


def test_unknown_schema_version_is_refused():
    data = json.loads(encode(segment()))
    data["schema_version"] = 2
    with pytest.raises(ContractError, match="unsupported schema_version 2"):
        decode("segment.completed", json.dumps(data).encode())


def test_invalid_fields_are_named_in_the_reason():
    data = json.loads(encode(segment()))
    data["camera_id"] = "../../etc"
    data["sha256"] = "nope"
    with pytest.raises(ContractError) as error:
        decode("segment.completed", json.dumps(data).encode())
    assert "camera_id" in str(error.value)
    assert "sha256" in str(error.value)
