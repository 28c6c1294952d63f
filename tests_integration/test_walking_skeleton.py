"""One camera from RTSP to playback: simulator -> recorder -> RabbitMQ -> Celery ->
PostgreSQL -> REST API, with a real outage of the camera in the middle."""

import itertools
from datetime import datetime, timedelta
from pathlib import Path

import psycopg


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_recording_is_persisted_contiguous_on_both_sides_of_the_outage(
    running_stack, recorded_with_outage
):
    s, recording = running_stack, recorded_with_outage
    with s.api() as api:
        body = s.recorded(api, recording)
        segments = body["segments"]
        assert len(segments) >= 4, body
        assert all(seg["status"] == "ok" for seg in segments)
        before = [seg for seg in segments if parse(seg["end"]) <= recording.camera_on]
        after = [seg for seg in segments if parse(seg["start"]) >= recording.camera_off]
        assert before and after and len(before) + len(after) == len(segments), segments
        for stretch in (before, after):
            for previous, following in itertools.pairwise(stretch):
                hole = (parse(following["start"]) - parse(previous["end"])).total_seconds()
                assert abs(hole) < 1, f"hole of {hole} s inside a stretch: {stretch}"
        recorded_before = (parse(before[-1]["end"]) - parse(before[0]["start"])).total_seconds()
        recorded_after = (parse(after[-1]["end"]) - parse(after[0]["start"])).total_seconds()
        assert 64 <= recorded_before <= 72, recorded_before
        assert 42 <= recorded_after <= 52, recorded_after

        first = api.get(segments[0]["url"], headers={"Range": "bytes=0-1023"})
        assert first.status_code == 206
        assert first.headers["content-type"] == "video/mp4"
        assert first.content[4:8] == b"ftyp"

    with psycopg.connect(s.database_url.replace("postgres://", "postgresql://")) as db:
        rows = db.execute(
            "SELECT path, size_bytes FROM playback_recording WHERE camera_id = %s ORDER BY start",
            (s.camera_id,),
        ).fetchall()
    assert len(rows) == len(segments)
    root: Path = s.stack.config.recordings_root
    for path, size in rows:
        assert path.startswith(f"{s.tenant_id}/{s.camera_id}/")
        assert (root / path).stat().st_size == size


def test_recording_starts_within_seconds_of_asking(running_stack, recorded_with_outage):
    s, recording = running_stack, recorded_with_outage
    with s.api() as api:
        segments = s.recorded(api, recording)["segments"]
    first_start = parse(segments[0]["start"])
    assert first_start - recording.started < timedelta(seconds=5), first_start
