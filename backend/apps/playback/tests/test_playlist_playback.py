"""The playlist played by a real HLS client (ffmpeg's HLS demuxer) over real HTTP."""

import subprocess
from datetime import UTC, datetime, timedelta

import pytest

from apps.playback.segment_links import playlist_url

pytestmark = pytest.mark.django_db(transaction=True)

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def test_ffmpeg_plays_every_frame_across_segment_boundaries_and_a_gap(
    live_server, user, camera, make_recording, fmp4_segment, fmp4_init_size
):
    # three 2-second files: 10:00:00, 10:00:02 (contiguous) and 10:00:34 (a 30 s gap)
    for offset_s in (0, 2, 34):
        make_recording(
            camera,
            T0 + timedelta(seconds=offset_s),
            timedelta(seconds=2),
            content=fmp4_segment,
            init_size_bytes=fmp4_init_size,
        )
    url = live_server.url + playlist_url(
        camera_id=str(camera.id), user_id=user.pk, start=T0, end=T0 + timedelta(minutes=1)
    )

    probe = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-count_packets",
            "-select_streams",
            "v:0",
            "-show_entries",
            "stream=nb_read_packets,codec_name",
            "-of",
            "csv=p=0",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert probe.returncode == 0, probe.stderr
    # the stream is reported once per HLS program and once on its own
    reported = {line for line in probe.stdout.splitlines() if line}
    assert reported == {"h264,60"}  # 3 files x 2 s x 10 frames, none lost or repeated
