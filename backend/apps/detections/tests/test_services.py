"""Storing detection results once per event, against the real PostgreSQL."""

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import transaction

from apps.cameras.errors import UnknownCamera
from apps.cameras.services import camera_create
from apps.detections.models import DetectionResult
from apps.detections.services import detection_persist, detections_store
from apps.detections.signals import detections_stored

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


def test_a_batch_is_stored_once_per_event_and_announced_with_only_the_new_rows(
    camera, detection_event
):
    first, second = detection_event(camera, T0), detection_event(camera, T0 + timedelta(seconds=1))
    detection_persist(event=first)
    unknown = detection_event(camera, T0, camera_id=str(uuid.uuid4()))
    announced: list[list[int]] = []

    def receiver(sender, detections, **_):
        assert transaction.get_connection().in_atomic_block  # inside the storing transaction
        announced.append([row.id for row in detections])

    detections_stored.connect(receiver)
    try:
        batch = detections_store(events=[first, second, second, unknown])
        again = detections_store(events=[first, second])
    finally:
        detections_stored.disconnect(receiver)

    [row] = batch.stored
    assert row.event_id == second.event_id and row.id is not None
    assert DetectionResult.objects.get(pk=row.id).camera_id == camera.id
    assert list(batch.refused) == [unknown.event_id]
    assert batch.refused[unknown.event_id].code == "unknown_camera"
    assert announced == [[row.id]]  # the second batch stored nothing and said nothing
    assert again.stored == [] and again.refused == {}
    assert DetectionResult.objects.count() == 2
