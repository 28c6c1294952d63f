import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from apps.cameras.errors import UnknownCamera
from apps.cameras.services import camera_create
from apps.core.exceptions import InvalidInput
from apps.playback.models import Recording
from apps.playback.services import recording_persist
from apps.usuarios.services import tenant_create

T0 = datetime(2026, 11, 23, 19, 30, tzinfo=UTC)
T1 = T0 + timedelta(minutes=1)


def test_recording_persist_stores_the_segment(camera, segment_event):
    event = segment_event(camera, T0, T1)

    recording = recording_persist(event=event)

    stored = Recording.objects.get(pk=recording.pk)
    assert stored.event_id == event.event_id
    assert stored.tenant_id == camera.tenant_id
    assert stored.camera_id == camera.id
    assert (stored.start, stored.end) == (T0, T1)
    assert stored.duration_s == 60.0
    assert stored.path == event.path
    assert (stored.codec, stored.width, stored.height) == ("h264", 1280, 720)
    assert stored.status == "ok"
    assert stored.tier == "local"


def test_the_same_event_twice_makes_one_recording(camera, segment_event):
    event = segment_event(camera, T0, T1)

    first = recording_persist(event=event)
    second = recording_persist(event=event)

    assert first.pk == second.pk
    assert Recording.objects.count() == 1


def test_an_unknown_camera_is_refused(tenant, segment_event, camera):
    event = segment_event(camera, T0, T1, camera_id=str(uuid.uuid4()))

    with pytest.raises(UnknownCamera):
        recording_persist(event=event)
    assert Recording.objects.count() == 0


def test_a_camera_of_another_tenant_is_refused(camera, other_tenant, segment_event):
    event = segment_event(camera, T0, T1, tenant_id=str(other_tenant.id))

    with pytest.raises(UnknownCamera):
        recording_persist(event=event)
    assert Recording.objects.count() == 0


def test_ids_that_are_not_uuids_name_an_unknown_camera(camera, segment_event):
    event = segment_event(camera, T0, T1, camera_id="camera-1")

    with pytest.raises(UnknownCamera):
        recording_persist(event=event)


@pytest.mark.parametrize(
    "overrides",
    [{"end": T0}, {"path": "../../etc/passwd"}, {"path": "/var/recordings/x.mp4"}],
)
def test_impossible_segments_are_refused(camera, segment_event, overrides):
    event = segment_event(camera, T0, T1).model_copy(update=overrides)

    with pytest.raises(InvalidInput):
        recording_persist(event=event)


@pytest.mark.django_db(transaction=True)
def test_the_same_event_taken_by_two_workers_at_once_makes_one_recording(segment_event):
    camera = camera_create(tenant=tenant_create(name="Race"), name="Gate")
    event = segment_event(camera, T0, T1)
    barrier = threading.Barrier(2, timeout=10)
    results: list[int] = []
    errors: list[BaseException] = []

    def persist() -> None:
        try:
            barrier.wait()
            results.append(recording_persist(event=event).pk)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=persist) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=20)

    assert errors == []
    assert len(results) == 2 and results[0] == results[1]
    assert Recording.objects.filter(event_id=event.event_id).count() == 1
