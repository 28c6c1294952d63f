"""The `alert.raised` contract: round trip, registration and schema_version handling."""

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest

from vms_common.contracts import CONTRACTS, AlertRaised, Box, ContractError, decode, encode


def alert(**overrides):
    fields = dict(
        event_id=uuid.uuid4(),
        tenant_id=str(uuid.uuid4()),
        camera_id=str(uuid.uuid4()),
        rule_id=uuid.uuid4(),
        rule_name="Person at the gate",
        label="person",
        confidence=0.91,
        box=Box(left=0.1, top=0.2, width=0.3, height=0.4),
        captured_at=datetime(2026, 11, 25, 12, 0, tzinfo=UTC),
        detection_id=42,
        trace_id="trace-1",
    )
    return AlertRaised(**{**fields, **overrides})


def test_alert_raised_round_trips_through_json():
    event = alert()

    assert decode("alert.raised", encode(event)) == event
    assert CONTRACTS["alert.raised"] is AlertRaised
    assert event.route() == "alert.raised"


def test_a_box_is_optional_and_times_become_utc():
    local = datetime(2026, 11, 25, 14, 0, tzinfo=timezone(timedelta(hours=2)))

    event = alert(box=None, captured_at=local)

    assert event.box is None
    assert event.captured_at == datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("version", [None, 0, 2, "1"])
def test_an_unknown_schema_version_is_refused(version):
    data = json.loads(encode(alert()))
    if version is None:
        del data["schema_version"]
    else:
        data["schema_version"] = version

    with pytest.raises(ContractError, match="unsupported schema_version"):
        decode("alert.raised", json.dumps(data).encode())


@pytest.mark.parametrize(
    ("field", "value"),
    [("confidence", 1.5), ("detection_id", 0), ("rule_name", ""), ("rule_id", "not-a-uuid")],
)
def test_invalid_fields_are_refused_with_their_name(field, value):
    data = {**json.loads(encode(alert())), field: value}

    with pytest.raises(ContractError, match=field):
        decode("alert.raised", json.dumps(data).encode())


def test_malformed_json_is_refused():
    with pytest.raises(ContractError, match="malformed JSON"):
        decode("alert.raised", b'{"schema_version": 1,')
