"""The range queries against the real PostgreSQL: edges, tenancy, look-back, plans."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from apps.cameras.services import camera_create
from apps.playback.models import Recording
from domain.playback.recording import RecordedSegment, SegmentStatus, StorageTier
from infrastructure.persistence.recording_repository import (
    _RANGE_SQL,
    _params,
    recorded_spans_in_range,
    recordings_in_range,
)

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def in_range(camera, start, end) -> list[RecordedSegment]:
    return recordings_in_range(
        camera_id=camera.id, tenant_id=camera.tenant_id, start=start, end=end
    )


def test_the_queries_read_the_recording_models_table():
    assert Recording._meta.db_table == "playback_recording"


def test_rows_carry_everything_playback_and_export_need(camera, make_recording):
    recording = make_recording(
        camera, at(0) + timedelta(microseconds=123_457), init_size_bytes=900, size_bytes=5000
    )
    Recording.objects.filter(pk=recording.pk).update(tier="s3", location="s3://b-1/k")

    [row] = in_range(camera, at(0), at(1))

    assert row == RecordedSegment(
        id=recording.id,
        start=recording.start,
        end=recording.end,
        duration_s=60.0,
        status=SegmentStatus.OK,
        tier=StorageTier.S3,
        path=recording.path,
        location="s3://b-1/k",
        size_bytes=5000,
        init_size_bytes=900,
        sha256=recording.sha256,
    )
    assert row.start.microsecond == 123_457
    assert row.start.tzinfo is UTC


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        # recordings: A 10:00-10:01, B 10:01-10:02, C 10:02-10:03
        (at(0.5), at(0.75), ["A"]),  # inside one segment
        (at(0.5), at(1.5), ["A", "B"]),  # starts inside A, ends inside B
        (at(1), at(2), ["B"]),  # exactly B: A ends and C starts at the edges
        (at(-5), at(0), []),  # ends exactly where A starts
        (at(3), at(5), []),  # starts exactly where C ends
        (at(2.999), at(4), ["C"]),
        (at(-1), at(10), ["A", "B", "C"]),
    ],
)
def test_time_range_query(camera, make_recording, start, end, expected):
    names = {make_recording(camera, at(n)).id: name for n, name in enumerate("ABC")}

    found = [names[row.id] for row in in_range(camera, start, end)]

    assert found == expected


def test_a_long_segment_starting_hours_before_the_range_is_found(camera, make_recording):
    long_one = make_recording(camera, at(-300), timedelta(hours=5, minutes=35))
    make_recording(camera, at(-200))  # ended long before the range
    inside = make_recording(camera, at(31))

    found = [row.id for row in in_range(camera, at(30), at(40))]

    assert found == [long_one.id, inside.id]


def test_overlapping_segments_before_the_range_are_all_found(camera, make_recording):
    # the earliest overlapping one starts before a later one that also overlaps
    early = make_recording(camera, at(-10), timedelta(minutes=15))
    later = make_recording(camera, at(-1), timedelta(minutes=2))

    assert [row.id for row in in_range(camera, at(0), at(1))] == [early.id, later.id]


def test_other_cameras_and_tenants_are_never_found(camera, other_tenant, make_recording):
    mine = make_recording(camera, at(0))
    make_recording(camera_create(tenant=camera.tenant, name="Other"), at(0))
    make_recording(camera_create(tenant=other_tenant, name="Foreign"), at(0))

    assert [row.id for row in in_range(camera, at(0), at(1))] == [mine.id]
    assert (
        recordings_in_range(camera_id=camera.id, tenant_id=other_tenant.id, start=at(0), end=at(1))
        == []
    )


def test_corrupt_rows_are_found_but_have_no_recorded_span(camera, make_recording):
    make_recording(camera, at(0))
    corrupt = make_recording(camera, at(1), status="corrupt")

    rows = in_range(camera, at(0), at(2))
    spans = recorded_spans_in_range(
        camera_id=camera.id, tenant_id=camera.tenant_id, start=at(0), end=at(2)
    )

    assert [r.status for r in rows] == ["ok", "corrupt"] and rows[1].id == corrupt.id
    assert spans == [(0.0, 60.0)]


def test_spans_are_seconds_since_the_range_start(camera, make_recording):
    make_recording(camera, at(-0.5))
    make_recording(camera, at(2), timedelta(seconds=30.25))

    spans = recorded_spans_in_range(
        camera_id=camera.id, tenant_id=camera.tenant_id, start=at(0), end=at(5)
    )

    assert spans == [(-30.0, 30.0), (120.0, 150.25)]


def test_the_range_query_reads_the_camera_start_index(camera, make_recording):
    for n in range(50):
        make_recording(camera, at(n))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE playback_recording")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN " + _RANGE_SQL, _params(camera.id, camera.tenant_id, at(10), at(20))
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "recording_camera_start_incl" in plan
