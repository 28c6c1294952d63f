"""Detection end to end: camera simulator -> detection service (ffmpeg, motion gate, the local
OpenCV provider) -> `detections` exchange -> Celery consumer -> `detection_results` in
PostgreSQL. Nothing is faked."""

import time
from datetime import UTC, datetime, timedelta

import psycopg


def stored_results(database_url: str, camera_id: str) -> list[tuple[datetime, str]]:
    """The camera's results from the detection service's local provider (other tests of the
    session publish results of their own for the same camera)."""
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT captured_at, trace_id FROM detection_results"
            " WHERE camera_id = %s AND provider = 'opencv' ORDER BY captured_at",
            (camera_id,),
        ).fetchall()
    return [(row[0], row[1]) for row in rows]


def test_frames_of_an_analysed_camera_become_stored_detection_results(running_stack) -> None:
    s = running_stack
    asked = datetime.now(UTC)
    status = s.stack.analyse(
        s.tenant_id,
        s.camera_id,
        provider={"type": "opencv"},
        motion={"enabled": False},  # every frame analysed, so one result a second
    )
    assert (status["camera_id"], status["provider"]) == (s.camera_id, "opencv")
    deadline = time.monotonic() + 60
    rows: list[tuple[datetime, str]] = []
    while len(rows) < 5 and time.monotonic() < deadline:
        s.stack.check_alive()
        time.sleep(1)
        rows = stored_results(s.database_url, s.camera_id)
    s.stack.stop_analysis(s.tenant_id, s.camera_id)
    assert len(rows) >= 5, s.stack.log_tail("detection")
    captured = [row[0] for row in rows]
    assert len(set(captured)) == len(captured)  # one result per frame, each stored once
    assert captured[0] >= asked - timedelta(seconds=1)
    assert len({row[1] for row in rows}) == len(rows)  # one trace per frame
