"""One camera from RTSP to playback: simulator -> recorder -> RabbitMQ -> Celery ->
PostgreSQL -> REST API -> browser."""

import itertools
import time
from datetime import datetime, timedelta
from pathlib import Path

import psycopg
from playwright.sync_api import expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def playback(api, running_stack, start: datetime, end: datetime) -> dict:
    response = api.get(
        f"/api/playback/{running_stack.camera_id}",
        params={"start": start.isoformat(), "end": end.isoformat()},
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_two_minutes_of_recording_are_persisted_contiguous_and_played_back(
    running_stack, two_minutes_recorded
):
    s, recording = running_stack, two_minutes_recorded
    window = (recording.started - timedelta(minutes=1), recording.stopped + timedelta(minutes=1))
    with s.api() as api:
        deadline = time.monotonic() + 45
        while time.monotonic() < deadline:  # the last segment closes when recording stops
            body = playback(api, s, *window)
            last_end = parse(body["segments"][-1]["end"]) if body["segments"] else None
            if last_end and last_end > recording.stopped - timedelta(seconds=5):
                break
            time.sleep(1)

        segments = body["segments"]
        assert len(segments) >= 4, body
        starts = [parse(seg["start"]) for seg in segments]
        ends = [parse(seg["end"]) for seg in segments]
        for (_, end), (start, _) in itertools.pairwise(zip(starts, ends, strict=True)):
            assert abs((start - end).total_seconds()) < 1, f"hole between {end} and {start}"
        recorded = (ends[-1] - starts[0]).total_seconds()
        assert 110 <= recorded <= 125, recorded
        inner_gaps = [g for g in body["gaps"] if starts[0] < parse(g["start"]) < ends[-1]]
        assert inner_gaps == []
        assert all(seg["status"] == "ok" for seg in segments)

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


def test_an_operator_logs_in_opens_the_camera_and_sees_it_play(running_stack, two_minutes_recorded):
    s = running_stack
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--autoplay-policy=no-user-gesture-required",
            ],
        )
        try:
            page = browser.new_page()
            page.goto(s.url + "/")
            page.get_by_label("Username").fill(s.username)
            page.get_by_label("Password").fill(s.password)
            page.get_by_role("button", name="Sign in").click()
            page.get_by_test_id("camera-card").first.click()
            video = page.get_by_test_id("playback-video")
            expect(video).to_be_visible(timeout=15_000)
            page.wait_for_function(
                "() => { const v = document.querySelector('[data-testid=playback-video]');"
                " return v && v.currentTime > 2; }",
                timeout=30_000,
            )
            expect(page.get_by_test_id("segment-item").first).to_be_visible()
        finally:
            browser.close()
