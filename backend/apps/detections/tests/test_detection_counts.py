"""Detections per timeline bucket from detection_results, and through the timeline API."""

from datetime import UTC, datetime, timedelta

import pytest

from apps.cameras.services import camera_create
from apps.detections.selectors import StoredDetectionCounts, camera_detections_in_range
from apps.detections.services import detection_persist

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


def minutes(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


def store(camera, detection_event, *moments: datetime, **overrides) -> None:
    for moment in moments:
        detection_persist(event=detection_event(camera, moment, **overrides))


def counts(camera, start=T0, bucket_s=120, buckets=3):
    return list(
        StoredDetectionCounts().counts(
            tenant_id=str(camera.tenant_id),
            camera_id=str(camera.id),
            start=start,
            bucket_s=bucket_s,
            buckets=buckets,
        )
    )


def test_results_are_counted_in_their_bucket(camera, detection_event):
    store(camera, detection_event, minutes(0), minutes(1.99), minutes(4), minutes(5.5))

    assert counts(camera) == [2, 0, 2]


def test_bucket_edges_belong_to_the_later_bucket_and_the_range_is_half_open(
    camera, detection_event
):
    store(camera, detection_event, minutes(-0.01), minutes(2), minutes(6))

    assert counts(camera) == [0, 1, 0]


def test_frames_with_nothing_found_are_not_detections(camera, detection_event):
    store(camera, detection_event, minutes(0.5), labels=(), faces=())
    store(camera, detection_event, minutes(1), labels=())

    assert counts(camera) == [1, 0, 0]


def test_other_cameras_are_not_counted(camera, tenant, detection_event):
    other = camera_create(tenant=tenant, name="Yard")
    store(other, detection_event, minutes(0), minutes(3))

    assert counts(camera) == [0, 0, 0]


def test_no_buckets_no_query(camera):
    assert counts(camera, buckets=0) == []


def test_results_in_a_range_come_oldest_first(camera, detection_event):
    store(camera, detection_event, minutes(3), minutes(1), minutes(9))

    found = camera_detections_in_range(
        tenant_id=camera.tenant_id, camera_id=camera.id, start=T0, end=minutes(5)
    )

    assert [r.captured_at for r in found] == [minutes(1), minutes(3)]


def test_the_timeline_api_returns_stored_detection_counts(
    auth_client, camera, make_recording, detection_event
):
    make_recording(camera, minutes(0))
    store(camera, detection_event, minutes(0.2), minutes(0.4), minutes(1), minutes(4.5))

    response = auth_client.get(
        f"/api/playback/{camera.id}/timeline",
        {"start": "2026-11-23T10:00:00Z", "end": "2026-11-23T10:06:00Z", "bucket": 120},
    )

    assert response.status_code == 200
    assert [b["detections"] for b in response.json()["buckets"]] == [3, 0, 1]


def test_the_timeline_of_a_week_counts_detections_per_day(auth_client, camera, detection_event):
    week = datetime(2026, 10, 1, tzinfo=UTC)
    store(camera, detection_event, week + timedelta(hours=1), week + timedelta(days=6, hours=23))

    body = auth_client.get(
        f"/api/playback/{camera.id}/timeline",
        {"start": week.isoformat(), "end": (week + timedelta(days=7)).isoformat(), "bucket": 86400},
    ).json()

    assert [b["detections"] for b in body["buckets"]] == [1, 0, 0, 0, 0, 0, 1]


def test_a_day_of_buckets_is_counted_in_one_query(
    camera, detection_event, django_assert_num_queries
):
    store(camera, detection_event, *(minutes(n * 7) for n in range(200)))

    with django_assert_num_queries(1):
        day = counts(camera, bucket_s=300, buckets=288)

    assert sum(day) == 200
    assert day[0] == 1 and day[1] == 1  # 10:00 and 10:07 in the first two buckets
