"""The timeline: recorded and gap seconds and detections per bucket."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from apps.playback.models import Recording
from apps.playback.selectors import NoDetectionsStored, playback_timeline

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def minutes(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


def timeline_path(camera_id) -> str:
    return f"/api/playback/{camera_id}/timeline"


def summary(body) -> list[tuple[float, float]]:
    return [(b["recorded_s"], b["gap_s"]) for b in body["buckets"]]


def test_each_bucket_has_its_recorded_and_gap_seconds(auth_client, camera, make_recording):
    # recorded 10:00-10:02, a corrupt 10:02-10:03, a hole, 10:04:30-10:05:30
    make_recording(camera, minutes(0))
    make_recording(camera, minutes(1))
    make_recording(camera, minutes(2), status="corrupt")
    make_recording(camera, minutes(4.5))

    response = auth_client.get(
        timeline_path(camera.id),
        {"start": "2026-11-23T10:00:00Z", "end": "2026-11-23T10:06:00Z", "bucket": 120},
    )

    assert response.status_code == 200
    body = response.json()
    assert body["camera_id"] == str(camera.id)
    assert (body["start"], body["end"], body["bucket_s"]) == (
        "2026-11-23T10:00:00Z",
        "2026-11-23T10:06:00Z",
        120,
    )
    assert [b["start"] for b in body["buckets"]] == [
        "2026-11-23T10:00:00Z",
        "2026-11-23T10:02:00Z",
        "2026-11-23T10:04:00Z",
    ]
    assert summary(body) == [(120, 0), (0, 120), (60, 60)]
    assert [b["detections"] for b in body["buckets"]] == [0, 0, 0]


def test_the_future_is_neither_recorded_nor_a_gap(auth_client, camera, make_recording):
    now = timezone.now().replace(microsecond=0)
    start = now - timedelta(minutes=10)
    make_recording(camera, start, timedelta(minutes=5))

    body = auth_client.get(
        timeline_path(camera.id),
        {
            "start": start.isoformat(),
            "end": (now + timedelta(minutes=50)).isoformat(),
            "bucket": 1200,
        },
    ).json()

    [past, *future] = body["buckets"]
    assert past["recorded_s"] == 300
    assert 299 <= past["gap_s"] <= 300 + 5  # up to "now" when the request ran
    assert all(b["recorded_s"] == b["gap_s"] == 0 for b in future)
    assert len(future) == 2


def test_a_week_is_allowed_and_served_whole(auth_client, camera):
    """Its speed is measured by bench/timeline_buckets.py and bench/range_query.py."""
    week_start = datetime(2026, 10, 1, tzinfo=UTC)  # in the past, whatever the clock says
    Recording.objects.bulk_create(
        Recording(
            tenant_id=camera.tenant_id,
            camera=camera,
            event_id=uuid.uuid4(),
            start=week_start + timedelta(minutes=n),
            end=week_start + timedelta(minutes=n + 1),
            duration_s=60.0,
            path=f"t/c/segment_{n}.mp4",
            size_bytes=1000,
            codec="h264",
            width=1,
            height=1,
            sha256="0" * 64,
        )
        for n in range(7 * 1440)
    )
    params = {"start": "2026-10-01T00:00:00Z", "end": "2026-10-08T00:00:00Z", "bucket": 3600}
    auth_client.get(timeline_path(camera.id), params)  # warm

    response = auth_client.get(timeline_path(camera.id), params)

    assert response.status_code == 200
    body = response.json()
    assert len(body["buckets"]) == 168
    assert summary(body) == [(3600, 0)] * 168


def test_without_a_bucket_the_range_is_cut_into_about_a_thousand(auth_client, camera):
    body = auth_client.get(
        timeline_path(camera.id),
        {"start": "2026-11-23T00:00:00Z", "end": "2026-11-24T00:00:00Z"},
    ).json()

    assert body["bucket_s"] == 87
    assert len(body["buckets"]) == 994


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"start": "2026-11-23T10:00:00Z", "end": "2026-11-23T10:00:00Z"}, "end"),
        ({"start": "yesterday", "end": "2026-11-23T10:00:00Z"}, "start"),
        ({"start": "2026-10-01T00:00:00Z", "end": "2026-11-23T10:00:00Z"}, "end"),
        ({"start": "2026-11-23T00:00:00Z", "end": "2026-11-24T00:00:00Z", "bucket": 0}, "bucket"),
        ({"start": "2026-11-23T00:00:00Z", "end": "2026-11-24T00:00:00Z", "bucket": 43}, "bucket"),
        ({"start": "2026-11-23T00:00:00Z", "end": "2026-11-24T00:00:00Z", "bucket": "x"}, "bucket"),
    ],
)
def test_bad_requests_are_400_naming_the_parameter(auth_client, camera, params, named):
    response = auth_client.get(timeline_path(camera.id), params)

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"
    assert response.json()["message"].startswith(f"{named}:")


def test_the_smallest_bucket_allowed_gives_two_thousand_buckets(auth_client, camera):
    response = auth_client.get(
        timeline_path(camera.id),
        {"start": "2026-11-23T00:00:00Z", "end": "2026-11-24T00:00:00Z", "bucket": 44},
    )

    assert response.status_code == 200
    assert len(response.json()["buckets"]) == 1964


def test_ranges_up_to_the_configured_days_are_allowed(auth_client, camera, settings):
    settings.PLAYBACK_TIMELINE_MAX_DAYS = 7
    params = {"start": "2026-11-16T00:00:00Z", "bucket": 3600}

    week = auth_client.get(timeline_path(camera.id), {**params, "end": "2026-11-23T00:00:00Z"})
    longer = auth_client.get(timeline_path(camera.id), {**params, "end": "2026-11-23T00:00:01Z"})

    assert week.status_code == 200
    assert longer.status_code == 400
    assert "7 days" in longer.json()["message"]


def test_another_tenants_camera_is_404(client_for, other_user, camera):
    response = client_for(other_user).get(
        timeline_path(camera.id), {"start": "2026-11-23T10:00:00Z", "end": "2026-11-23T11:00:00Z"}
    )

    assert response.status_code == 404


def test_the_timeline_needs_a_token(api_client, camera):
    response = api_client.get(
        timeline_path(camera.id), {"start": "2026-11-23T10:00:00Z", "end": "2026-11-23T11:00:00Z"}
    )

    assert response.status_code == 401


class CountingDetections:
    """A detections store that knows three detections in the second bucket."""

    def __init__(self) -> None:
        self.asked: list[dict] = []

    def counts(self, *, tenant_id, camera_id, start, bucket_s, buckets):
        self.asked.append({"camera_id": camera_id, "start": start, "buckets": buckets})
        return [0, 3, 0][:buckets]


def test_detection_counts_come_from_the_detections_port(camera):
    source = CountingDetections()

    timeline = playback_timeline(
        camera=camera, start=T0, end=minutes(3), bucket_s=60, now=minutes(100), detections=source
    )

    assert [b.detections for b in timeline.buckets] == [0, 3, 0]
    assert source.asked == [{"camera_id": str(camera.id), "start": T0, "buckets": 3}]


def test_until_detections_are_stored_every_count_is_zero():
    assert list(
        NoDetectionsStored().counts(tenant_id="t", camera_id="c", start=T0, bucket_s=60, buckets=4)
    ) == [0, 0, 0, 0]
