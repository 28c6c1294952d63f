from pathlib import Path

from recorder.ffmpeg_recorder import ffmpeg_command
from vms_common.backoff import Backoff


def test_backoff_doubles_up_to_its_cap_and_resets():
    backoff = Backoff(0.5, 4.0)
    assert [backoff.next_delay() for _ in range(6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    backoff.reset()
    assert backoff.next_delay() == 0.5


def test_ffmpeg_copies_the_stream_into_fragmented_mp4_segments():
    command = ffmpeg_command("ffmpeg", "rtsp://relay/t/camera/c", Path("/w"), 30, 5.0)
    joined = " ".join(command)
    assert "-c copy" in joined
    assert "-segment_time 30" in joined
    assert "frag_keyframe" in joined
    assert "-rtsp_transport tcp" in joined
    assert "-timeout 5000000" in joined
    assert command[-1] == "/w/%06d.mp4"
