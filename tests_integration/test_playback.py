"""Playback of a real recording with a real outage: gaps, the HLS playlist, many viewers at once,
and a browser playing across the gap. Everything is real: simulator, recorder, RabbitMQ,
Celery, PostgreSQL, backend, Chromium."""

import itertools
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import httpx
from playwright.sync_api import Page, expect, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

CHROMIUM = "/usr/bin/chromium"
CLIENTS = 20
RECONNECT_S = 1  # the recorder's RECONNECT_MAX_S
GOP_S = 1  # the camera simulator sends a keyframe every second


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def playlist_entries(text: str) -> list[dict]:
    """The media segments of an HLS playlist, each with its tags."""
    entries, tags = [], {}
    for line in text.splitlines():
        if line == "#EXT-X-DISCONTINUITY":
            tags["discontinuity"] = True
        elif line.startswith("#EXT-X-PROGRAM-DATE-TIME:"):
            tags["date"] = parse(line.split(":", 1)[1])
        elif line.startswith("#EXTINF:"):
            tags["duration"] = float(line.split(":", 1)[1].rstrip(","))
        elif line.startswith("#EXT-X-BYTERANGE:"):
            length, offset = line.split(":", 1)[1].split("@")
            tags["range"] = (int(offset), int(offset) + int(length) - 1)
        elif line and not line.startswith("#"):
            entries.append({**tags, "uri": line})
            tags = {}
    return entries


def inner_gaps(body: dict) -> list[tuple[datetime, datetime]]:
    segments = body["segments"]
    first, last = parse(segments[0]["start"]), parse(segments[-1]["end"])
    gaps = [(parse(g["start"]), parse(g["end"])) for g in body["gaps"]]
    return [(start, end) for start, end in gaps if first < start and end < last]


PLAYER_STATE = """() => {
  const v = document.querySelector('[data-testid=playback-player]');
  if (!v) return 'no player';
  const buffered = [];
  for (let i = 0; i < v.buffered.length; i += 1) buffered.push([v.buffered.start(i), v.buffered.end(i)]);
  const notice = document.querySelector('[data-testid=player-notice]');
  return JSON.stringify({
    state: v.getAttribute('data-state'),
    playingAt: v.getAttribute('data-playing-at'),
    currentTime: v.currentTime,
    buffered,
    paused: v.paused,
    seeking: v.seeking,
    readyState: v.readyState,
    networkState: v.networkState,
    error: v.error && v.error.message,
    notice: notice && notice.textContent,
  });
}"""


def wait_for_player(page: Page, condition: str, timeout_ms: int, console: list[str]) -> None:
    """Waits for `condition` (a JS function) in the page; on timeout, fails with the player's
    state and the page's console, which is what tells a stall from a wrong position."""
    try:
        page.wait_for_function(condition, timeout=timeout_ms)
    except PlaywrightTimeout:
        state = page.evaluate(PLAYER_STATE)
        raise AssertionError(
            f"player never met {condition}\nplayer: {state}\nconsole:\n" + "\n".join(console)
        ) from None


def test_gap_in_recording_is_reported_with_its_length_and_a_discontinuity(
    running_stack, recorded_with_outage
):
    s, recording = running_stack, recorded_with_outage
    with s.api() as api:
        body = s.recorded(api, recording)
    gaps = inner_gaps(body)
    assert len(gaps) == 1, body["gaps"]
    gap_start, gap_end = gaps[0]
    outage = (recording.camera_on - recording.camera_off).total_seconds()
    # The gap outlasts the outage by the recorder's next retry (at most RECONNECT_MAX_S, 1 s),
    # the wait for the camera's next keyframe (one a second) and the connection: about 3 s.
    assert abs((gap_end - gap_start).total_seconds() - outage) <= RECONNECT_S + GOP_S + 1, (
        gaps,
        outage,
    )
    assert abs((gap_start - recording.camera_off).total_seconds()) <= 2, gaps

    playlist = httpx.get(s.url + body["hls_url"], timeout=10)  # signed: no Authorization
    assert playlist.status_code == 200, playlist.text
    assert playlist.headers["content-type"].startswith("application/vnd.apple.mpegurl")
    assert "#EXT-X-ENDLIST" in playlist.text
    entries = playlist_entries(playlist.text)
    assert len(entries) == len(body["segments"])
    jumps = [
        (previous, entry)
        for previous, entry in itertools.pairwise(entries)
        if (entry["date"] - previous["date"]).total_seconds() - previous["duration"] > 1
    ]
    assert len(jumps) == 1, entries
    previous, after_gap = jumps[0]
    assert after_gap.get("discontinuity"), "no discontinuity at the gap"
    hole = (after_gap["date"] - previous["date"]).total_seconds() - previous["duration"]
    assert abs(hole - (gap_end - gap_start).total_seconds()) < 0.5


def test_concurrent_playback_serves_twenty_viewers_the_same_video(
    running_stack, recorded_with_outage
):
    s, recording = running_stack, recorded_with_outage
    with s.api() as api:
        body = s.recorded(api, recording)
        token = api.headers["Authorization"]

    def view(_: int) -> tuple[str, bytes]:
        with httpx.Client(base_url=s.url, headers={"Authorization": token}, timeout=30) as client:
            answer = client.get(
                f"/api/playback/{s.camera_id}",
                params={"start": body["start"], "end": body["end"]},
            )
            assert answer.status_code == 200, answer.text
            playlist = client.get(answer.json()["hls_url"])
            assert playlist.status_code == 200, playlist.text
            entry = playlist_entries(playlist.text)[-1]
            first, last = entry["range"]
            media = client.get(entry["uri"], headers={"Range": f"bytes={first}-{last}"})
            assert media.status_code == 206, media.text
            return re.sub(r"sig=[^&\s\"]+|exp=\d+", "", playlist.text), media.content

    with ThreadPoolExecutor(CLIENTS) as pool:
        views = list(pool.map(view, range(CLIENTS), timeout=120))
    assert len({text for text, _ in views}) == 1
    assert len({media for _, media in views}) == 1
    assert views[0][1][4:8] == b"moof"


def test_an_investigator_plays_across_the_outage_in_the_browser(
    running_stack, recorded_with_outage
):
    s, recording = running_stack, recorded_with_outage
    with s.api() as api:
        gap_start, gap_end = inner_gaps(s.recorded(api, recording))[0]
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
            page = browser.new_page(timezone_id="UTC")
            console: list[str] = []
            page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
            page.goto(s.url + "/")
            page.get_by_label("Username").fill(s.username)
            page.get_by_label("Password").fill(s.password)
            page.get_by_role("button", name="Sign in").click()
            page.get_by_test_id("camera-card").first.click()
            expect(page.get_by_test_id("timeline")).to_be_visible(timeout=15_000)

            before_gap = gap_start - timedelta(seconds=6)
            page.get_by_label("Jump to").fill(before_gap.strftime("%Y-%m-%dT%H:%M:%S"))
            page.get_by_label("Jump to").press("Enter")
            player = page.get_by_test_id("playback-player")
            expect(player).to_be_visible(timeout=15_000)
            playing_at = (
                "() => { const v = document.querySelector('[data-testid=playback-player]');"
                " const at = v && v.getAttribute('data-playing-at');"
                " return at ? Date.parse(at) : 0; }"
            )
            wait_for_player(
                page,
                f"() => ({playing_at})() >= {before_gap.timestamp() * 1000}"
                f" && ({playing_at})() < {gap_start.timestamp() * 1000}",
                30_000,
                console,
            )
            wait_for_player(
                page,
                f"() => ({playing_at})() > {(gap_end + timedelta(seconds=2)).timestamp() * 1000}",
                40_000,
                console,
            )
        finally:
            browser.close()
