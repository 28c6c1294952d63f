"""Corrupt, deleted and tiered segment events against the real database."""

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from apps.cameras.errors import UnknownCamera
from apps.core.exceptions import InvalidInput, ResourceNotFound
from apps.playback.models import Recording
from apps.playback.services import segment_event_persist
from vms_common.contracts import SegmentCorrupt, SegmentDeleted, SegmentTiered

T0 = datetime(2026, 11, 23, 19, 30, tzinfo=UTC)
T1 = T0 + timedelta(minutes=1)


def ids(camera) -> dict:
    return {"tenant_id": str(camera.tenant_id), "camera_id": str(camera.id)}


def corrupt_event(camera, path="t/c/segment_corrupt.mp4", **overrides) -> SegmentCorrupt:
    fields = {
        **ids(camera),
        "start": T0,
        "end": T0 + timedelta(seconds=42),
        "path": path,
        "size_bytes": 5000,
        "sha256": hashlib.sha256(b"bad").hexdigest(),
        "reason": "ffprobe: moov atom not found",
        **overrides,
    }
    return SegmentCorrupt(**fields)


def tiered_event(camera, path) -> SegmentTiered:
    return SegmentTiered(**ids(camera), start=T0, path=path, location=f"s3://vms-recordings/{path}")


def deleted_event(camera, path) -> SegmentDeleted:
    return SegmentDeleted(**ids(camera), start=T0, path=path, reason="retention")


def test_completed_segments_keep_their_init_section_size(camera, segment_event):
    recording = segment_event_persist(segment_event(camera, T0, T1, init_size_bytes=812))

    assert Recording.objects.get(pk=recording.pk).init_size_bytes == 812


def test_an_init_size_as_large_as_the_file_is_not_kept(camera, segment_event):
    event = segment_event(camera, T0, T1, size_bytes=800, init_size_bytes=800)

    recording = segment_event_persist(event)

    assert Recording.objects.get(pk=recording.pk).init_size_bytes is None


def test_a_corrupt_segment_is_stored_flagged_corrupt(camera):
    event = corrupt_event(camera)

    recording = segment_event_persist(event)

    stored = Recording.objects.get(pk=recording.pk)
    assert stored.status == "corrupt"
    assert stored.status_reason == "ffprobe: moov atom not found"
    assert (stored.start, stored.end, stored.duration_s) == (T0, event.end, 42.0)
    assert (stored.codec, stored.width, stored.height) == ("", 0, 0)
    assert (stored.path, stored.size_bytes, stored.sha256) == (
        event.path,
        5000,
        event.sha256,
    )


def test_the_same_corrupt_event_twice_makes_one_row(camera):
    event = corrupt_event(camera)

    first = segment_event_persist(event)
    second = segment_event_persist(event)

    assert first.pk == second.pk
    assert Recording.objects.count() == 1


def test_a_corrupt_segment_without_length_is_kept(camera):
    recording = segment_event_persist(corrupt_event(camera, end=T0, size_bytes=0))

    assert Recording.objects.get(pk=recording.pk).duration_s == 0


def test_a_corrupt_segment_ending_before_it_starts_is_refused(camera):
    with pytest.raises(InvalidInput):
        segment_event_persist(corrupt_event(camera, end=T0 - timedelta(seconds=1)))


def test_a_tiered_segment_moves_its_recording_to_s3(camera, make_recording):
    recording = make_recording(camera, T0)
    other = make_recording(camera, T1)

    segment_event_persist(tiered_event(camera, recording.path))
    segment_event_persist(tiered_event(camera, recording.path))  # redelivered

    stored = Recording.objects.get(pk=recording.pk)
    assert stored.tier == "s3"
    assert stored.location == f"s3://vms-recordings/{recording.path}"
    assert Recording.objects.get(pk=other.pk).tier == "local"


def test_a_tiered_segment_without_a_recording_is_an_error_with_a_clear_code(camera):
    with pytest.raises(ResourceNotFound) as caught:
        segment_event_persist(tiered_event(camera, "t/c/never-recorded.mp4"))

    assert caught.value.code == "recording_not_found"


def test_a_deleted_segment_removes_its_recording_and_a_repeat_is_harmless(camera, make_recording):
    recording = make_recording(camera, T0)
    kept = make_recording(camera, T1)

    assert segment_event_persist(deleted_event(camera, recording.path)) == 1
    assert segment_event_persist(deleted_event(camera, recording.path)) == 0

    assert list(Recording.objects.values_list("pk", flat=True)) == [kept.pk]


def test_events_of_another_tenants_camera_touch_nothing(camera, other_tenant, make_recording):
    recording = make_recording(camera, T0)
    foreign = {"tenant_id": str(other_tenant.id)}

    for event in (
        deleted_event(camera, recording.path).model_copy(update=foreign),
        tiered_event(camera, recording.path).model_copy(update=foreign),
        corrupt_event(camera).model_copy(update=foreign),
    ):
        with pytest.raises(UnknownCamera):
            segment_event_persist(event)

    stored = Recording.objects.get()
    assert (stored.pk, stored.tier) == (recording.pk, "local")


@pytest.mark.parametrize("path", ["../../etc/passwd", "/var/recordings/x.mp4"])
def test_paths_leaving_the_root_are_refused_for_every_event(camera, path):
    for event in (
        corrupt_event(camera).model_copy(update={"path": path}),
        deleted_event(camera, "a.mp4").model_copy(update={"path": path}),
        tiered_event(camera, "a.mp4").model_copy(update={"path": path}),
    ):
        with pytest.raises(InvalidInput):
            segment_event_persist(event)


def test_an_unknown_camera_id_is_refused(camera):
    with pytest.raises(UnknownCamera):
        segment_event_persist(
            deleted_event(camera, "a.mp4").model_copy(update={"camera_id": str(uuid.uuid4())})
        )
