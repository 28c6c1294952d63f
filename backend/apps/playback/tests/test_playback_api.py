import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def url(camera_id, **params):
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"/api/playback/{camera_id}?{query}"


def minutes(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


def test_segments_in_the_range_come_ordered_by_start_with_the_gaps(
    auth_client, camera, make_recording
):
    # recorded 10:02-10:04 and 10:06-10:07; asked 10:00-10:10 (all in the past)
    later = make_recording(camera, minutes(6))
    first = make_recording(camera, minutes(2))
    second = make_recording(camera, minutes(3))

    response = auth_client.get(
        url(camera.id, start="2026-11-23T10:00:00Z", end="2026-11-23T10:10:00Z")
    )

    assert response.status_code == 200
    body = response.json()
    assert body["camera_id"] == str(camera.id)
    assert (body["start"], body["end"]) == ("2026-11-23T10:00:00Z", "2026-11-23T10:10:00Z")
    assert [s["id"] for s in body["segments"]] == [first.id, second.id, later.id]
    assert body["segments"][0] == {
        "id": first.id,
        "start": "2026-11-23T10:02:00Z",
        "end": "2026-11-23T10:03:00Z",
        "duration": 60.0,
        "url": body["segments"][0]["url"],
        "status": "ok",
    }
    assert body["gaps"] == [
        {"start": "2026-11-23T10:00:00Z", "end": "2026-11-23T10:02:00Z"},
        {"start": "2026-11-23T10:04:00Z", "end": "2026-11-23T10:06:00Z"},
        {"start": "2026-11-23T10:07:00Z", "end": "2026-11-23T10:10:00Z"},
    ]


def test_contiguous_segments_give_no_gap(auth_client, camera, make_recording):
    for n in range(3):
        make_recording(camera, minutes(n))

    body = auth_client.get(
        url(camera.id, start="2026-11-23T10:00:00Z", end="2026-11-23T10:03:00Z")
    ).json()

    assert len(body["segments"]) == 3
    assert body["gaps"] == []


def test_segments_overlapping_the_range_edges_are_included(auth_client, camera, make_recording):
    before = make_recording(camera, minutes(-2))
    straddling_start = make_recording(camera, minutes(-0.5))
    straddling_end = make_recording(camera, minutes(4.5))
    make_recording(camera, minutes(5))

    body = auth_client.get(
        url(camera.id, start="2026-11-23T10:00:00Z", end="2026-11-23T10:05:00Z")
    ).json()

    ids = [s["id"] for s in body["segments"]]
    assert ids == [straddling_start.id, straddling_end.id]
    assert before.id not in ids


def test_no_gap_is_reported_in_the_future(auth_client, camera, make_recording):
    now = timezone.now().replace(microsecond=0)
    make_recording(camera, now - timedelta(minutes=10), timedelta(minutes=9))

    start = (now - timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (now + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = auth_client.get(url(camera.id, start=start, end=end)).json()

    [gap] = body["gaps"]
    gap_end = datetime.fromisoformat(gap["end"])
    assert gap["start"] == (now - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert now <= gap_end <= timezone.now()


def test_corrupt_segments_are_listed_and_leave_a_gap(auth_client, camera, make_recording):
    make_recording(camera, minutes(0))
    corrupt = make_recording(camera, minutes(1), status="corrupt")
    make_recording(camera, minutes(2))

    body = auth_client.get(
        url(camera.id, start="2026-11-23T10:00:00Z", end="2026-11-23T10:03:00Z")
    ).json()

    assert [s["status"] for s in body["segments"]] == ["ok", "corrupt", "ok"]
    assert body["segments"][1]["id"] == corrupt.id
    assert body["gaps"] == [{"start": "2026-11-23T10:01:00Z", "end": "2026-11-23T10:02:00Z"}]


def test_offsets_are_converted_and_naive_times_are_taken_as_utc(auth_client, camera):
    with_offset = auth_client.get(
        f"/api/playback/{camera.id}",
        {"start": "2026-11-23T11:00:00+01:00", "end": "2026-11-23T10:30:00"},
    )
    unencoded_plus = auth_client.get(
        url(camera.id, start="2026-11-23T11:00:00+01:00", end="2026-11-23T10:30:00Z")
    )

    assert with_offset.status_code == 200
    assert with_offset.json()["start"] == "2026-11-23T10:00:00Z"
    assert with_offset.json()["end"] == "2026-11-23T10:30:00Z"
    assert unencoded_plus.json()["start"] == "2026-11-23T10:00:00Z"


def test_segment_urls_are_signed_links_to_the_file(auth_client, camera, make_recording):
    recording = make_recording(camera, minutes(0))

    body = auth_client.get(
        url(camera.id, start="2026-11-23T10:00:00Z", end="2026-11-23T10:01:00Z")
    ).json()

    link = urlsplit(body["segments"][0]["url"])
    assert link.path == f"/api/playback/segments/{recording.id}/file.mp4"
    assert parse_qs(link.query)["sig"][0]


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"end": "2026-11-23T10:00:00Z"}, "start"),
        ({"start": "2026-11-23T10:00:00Z"}, "end"),
        ({"start": "yesterday", "end": "2026-11-23T10:00:00Z"}, "start"),
        ({"start": "2026-11-23T10:00:00Z", "end": "2026-13-45T99:00:00Z"}, "end"),
        ({"start": "2026-11-23T10:00:00Z", "end": "2026-11-23T10:00:00Z"}, "end"),
        ({"start": "2026-11-23T11:00:00Z", "end": "2026-11-23T10:00:00Z"}, "end"),
        ({"start": "2026-11-22T09:59:59Z", "end": "2026-11-23T10:00:00Z"}, "end"),
        ({"start": "0001-01-01T00:00:00+05:00", "end": "2026-11-23T10:00:00Z"}, "start"),
    ],
)
def test_bad_ranges_are_400_naming_the_parameter(auth_client, camera, params, named):
    response = auth_client.get(f"/api/playback/{camera.id}", params)

    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert body["message"].startswith(f"{named}:")


def test_the_longest_allowed_range_is_accepted(auth_client, camera):
    response = auth_client.get(
        f"/api/playback/{camera.id}",
        {"start": "2026-11-22T10:00:00Z", "end": "2026-11-23T10:00:00Z"},
    )

    assert response.status_code == 200


def test_another_tenants_camera_is_404(client_for, other_user, camera, make_recording):
    make_recording(camera, minutes(0))

    response = client_for(other_user).get(
        url(camera.id, start="2026-11-23T10:00:00Z", end="2026-11-23T10:01:00Z")
    )

    assert response.status_code == 404
    assert "segments" not in response.json()


def test_an_unknown_camera_is_404(auth_client, db):
    response = auth_client.get(
        url(uuid.uuid4(), start="2026-11-23T10:00:00Z", end="2026-11-23T10:01:00Z")
    )

    assert response.status_code == 404


def test_playback_needs_a_token(api_client, camera):
    response = api_client.get(
        url(camera.id, start="2026-11-23T10:00:00Z", end="2026-11-23T10:01:00Z")
    )

    assert response.status_code == 401


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        # recorded: A 10:00-10:01, B 10:01-10:02, C 10:02-10:03
        ("10:00:30", "10:00:45", ["A"]),  # inside one segment
        ("10:00:30", "10:01:30", ["A", "B"]),  # starts inside A, ends inside B
        ("10:01:00", "10:02:00", ["B"]),  # exactly B: neighbours only touch the edges
        ("09:55:00", "10:00:00", []),  # ends where A starts
        ("10:03:00", "10:05:00", []),  # starts where C ends
    ],
)
def test_time_range_query(auth_client, camera, make_recording, start, end, expected):
    names = {make_recording(camera, minutes(n)).id: name for n, name in enumerate("ABC")}

    body = auth_client.get(
        url(camera.id, start=f"2026-11-23T{start}Z", end=f"2026-11-23T{end}Z")
    ).json()

    assert [names[s["id"]] for s in body["segments"]] == expected


def test_the_listing_carries_a_signed_hls_url_for_the_same_range(auth_client, user, camera):
    body = auth_client.get(
        url(camera.id, start="2026-11-23T10:00:00Z", end="2026-11-23T10:05:00Z")
    ).json()

    link = urlsplit(body["hls_url"])
    query = parse_qs(link.query)
    assert link.path == f"/api/playback/{camera.id}/playlist.m3u8"
    assert query["start"] == ["2026-11-23T10:00:00Z"]
    assert query["end"] == ["2026-11-23T10:05:00Z"]
    assert query["exp"][0].isdigit()
    assert query["sig"][0].startswith(f"{user.pk}.")
