"""Normalisation of every provider's output into the `DetectionResult` contract."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from ai_detection.domain.detection import Detection
from ai_detection.domain.detection_result import (
    detection_result,
    normalise_box,
    normalise_confidence,
    normalise_name,
)
from ai_detection.domain.frame import Frame
from vms_common.contracts import Box, DetectionResult, Face, Label, decode

CAPTURED = datetime(2026, 11, 25, 9, 0, 0, tzinfo=UTC)


def frame() -> Frame:
    return Frame("acme", "cam-1", CAPTURED, b"jpeg", trace_id="t-1")


def test_names_are_lower_case_and_trimmed() -> None:
    assert normalise_name("Person") == "person"
    assert normalise_name("  Motor   Vehicle ") == "motor vehicle"


@pytest.mark.parametrize(
    ("raw", "expected"), [(0.0, 0.0), (0.42, 0.42), (1.0, 1.0), (87.5, 0.875), (100.0, 1.0)]
)
def test_confidences_are_fractions_and_percentages_become_fractions(
    raw: float, expected: float
) -> None:
    assert normalise_confidence(raw) == pytest.approx(expected)


def test_boxes_overhanging_the_frame_are_clipped_to_it() -> None:
    box = normalise_box(-0.1, 0.9, 0.3, 0.2)
    assert box.left == 0.0
    assert box.width == pytest.approx(0.2)
    assert box.top == pytest.approx(0.9)
    assert box.height == pytest.approx(0.1)
    assert normalise_box(1.2, 0.0, 0.1, 0.1).width == 0.0


def test_result_carries_the_frame_identity_and_the_provider() -> None:
    processed = CAPTURED + timedelta(milliseconds=300)
    detection = Detection(
        labels=(
            Label(name="Car", confidence=0.6),
            Label(name="PERSON", confidence=0.9, box=Box(left=0.1, top=0.1, width=0.2, height=0.5)),
        ),
        faces=(Face(confidence=0.8, box=Box(left=0.5, top=0.5, width=0.6, height=0.1)),),
        calls={"DetectLabels": 1, "DetectFaces": 1},
    )
    result = detection_result(
        frame(), detection, provider="rekognition", processed_at=processed, cost_usd=0.002
    )
    assert isinstance(result, DetectionResult)
    assert (result.tenant_id, result.camera_id, result.trace_id) == ("acme", "cam-1", "t-1")
    assert result.captured_at == CAPTURED
    assert result.processed_at == processed
    assert result.provider == "rekognition"
    assert result.cost_usd == pytest.approx(0.002)
    assert [label.name for label in result.labels] == ["person", "car"]
    assert result.route() == "acme.cam-1.person"
    face_box = result.faces[0].box
    assert face_box.left + face_box.width <= 1.0


def test_nothing_found_routes_as_none_and_round_trips_on_the_wire() -> None:
    local = timezone(timedelta(hours=2))
    result = detection_result(
        frame(),
        Detection(),
        provider="opencv",
        processed_at=datetime(2026, 11, 25, 11, 0, 1, tzinfo=local),
        cost_usd=0.0,
    )
    assert result.route() == "acme.cam-1.none"
    assert result.processed_at.utcoffset() == timedelta(0)
    assert decode("detection.result", result.model_dump_json().encode()) == result
