"""Storing detection results once per event, against the real PostgreSQL."""

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from apps.cameras.errors import UnknownCamera
from apps.cameras.services import camera_create
from apps.core.exceptions import InvalidInput
from apps.detections.models import DetectionResult
from apps.detections.services import detection_event_persist, detection_persist
from vms_common.contracts import SegmentDeleted

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


def test_a_detection_result_is_stored_with_its_labels_faces_and_cost(camera, detection_event):
    event = detection_event(camera, T0)

    row = detection_persist(event=event)

    row.refresh_from_db()
    assert (row.tenant_id, row.camera_id, row.event_id) == (
        camera.tenant_id,
        camera.id,
        event.event_id,
    )
    assert (row.captured_at, row.processed_at) == (event.captured_at, event.processed_at)
    assert row.provider == "rekognition"
    assert row.labels == [
        {
            "name": "person",
            "confidence": 0.93,
            "box": {"left": 0.1, "top": 0.2, "width": 0.3, "height": 0.6},
        }
    ]
    assert row.faces == [
        {"confidence": 0.88, "box": {"left": 0.2, "top": 0.2, "width": 0.1, "height": 0.1}}
    ]
    assert row.cost_usd == Decimal("0.002000")
    assert row.trace_id == "trace-det-1"


def test_a_redelivered_event_is_stored_once(camera, detection_event):
    event = detection_event(camera, T0)

    first = detection_persist(event=event)
    again = detection_persist(event=event)

    assert again.pk == first.pk
    assert DetectionResult.objects.count() == 1


def test_an_unknown_camera_is_refused(camera, detection_event):
    with pytest.raises(UnknownCamera) as raised:
        detection_persist(event=detection_event(camera, T0, camera_id=str(uuid.uuid4())))
    assert raised.value.code == "unknown_camera"
    assert not DetectionResult.objects.exists()


def test_a_camera_of_another_tenant_is_unknown(camera, other_tenant, detection_event):
    elsewhere = camera_create(tenant=other_tenant, name="Lobby")

    with pytest.raises(UnknownCamera):
        detection_persist(event=detection_event(elsewhere, T0, tenant_id=str(camera.tenant_id)))


def test_ids_that_are_not_uuids_are_an_unknown_camera(camera, detection_event):
    with pytest.raises(UnknownCamera):
        detection_persist(event=detection_event(camera, T0, camera_id="cam-1"))


def test_the_consumer_entry_point_refuses_other_events(camera):
    other = SegmentDeleted(
        tenant_id=str(camera.tenant_id),
        camera_id=str(camera.id),
        start=T0,
        path="a/b.mp4",
        reason="retention",
    )
    with pytest.raises(InvalidInput) as raised:
        detection_event_persist(other)
    assert raised.value.code == "unexpected_event"
