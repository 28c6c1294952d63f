"""JPEG stream splitting, the ffmpeg command and the extractor's restarts (a fake ffmpeg)."""

import sys
import time
from datetime import UTC, datetime

import cv2
import numpy as np
import pytest

from ai_detection.domain.frame import Frame
from ai_detection.infrastructure.frame_extractor import (
    ExtractorPool,
    FrameExtractor,
    JpegStreamSplitter,
    UnknownCamera,
    ffmpeg_command,
)
from vms_common.backoff import Backoff


def jpeg(value: int) -> bytes:
    image = np.full((24, 32, 3), value, dtype=np.uint8)
    ok, encoded = cv2.imencode(".jpg", image)
    assert ok
    return encoded.tobytes()


def test_splitter_returns_whole_jpegs_fed_in_arbitrary_chunks() -> None:
    images = [jpeg(v) for v in (10, 120, 240)]
    stream = b"".join(images)
    splitter = JpegStreamSplitter()
    out: list[bytes] = []
    for i in range(0, len(stream), 7):
        out += splitter.feed(stream[i : i + 7])
    assert out == images
    assert splitter.corrupt == 0
    for data in out:
        assert cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR) is not None


def test_splitter_drops_and_counts_a_truncated_jpeg() -> None:
    first, second = jpeg(50), jpeg(200)
    truncated = first[: len(first) // 2]
    splitter = JpegStreamSplitter()
    assert splitter.feed(truncated + second) == [second]
    assert splitter.corrupt == 1


def test_splitter_drops_and_counts_garbage_between_jpegs() -> None:
    first, second = jpeg(50), jpeg(200)
    splitter = JpegStreamSplitter()
    assert splitter.feed(first + b"garbage bytes" + second) == [first, second]
    assert splitter.corrupt == 1


def test_splitter_bounds_its_buffer_on_a_jpeg_that_never_ends() -> None:
    splitter = JpegStreamSplitter(max_frame_bytes=1000)
    assert splitter.feed(b"\xff\xd8\xff\xe0" + b"\x00" * 2000) == []
    assert splitter.corrupt == 1
    follow = jpeg(99)
    assert splitter.feed(follow) == [follow]


def test_splitter_waits_for_the_end_of_a_jpeg_split_across_chunks() -> None:
    image = jpeg(70)
    splitter = JpegStreamSplitter()
    assert splitter.feed(image[:-1]) == []
    assert splitter.feed(image[-1:]) == [image]


def test_keyframes_only_command_skips_non_keyframes_in_the_decoder() -> None:
    command = ffmpeg_command(
        ffmpeg="ffmpeg", url="rtsp://relay/t/camera/c", fps=1, keyframes_only=True
    )
    assert command[command.index("-rtsp_transport") + 1] == "tcp"
    skip = command.index("-skip_frame")
    assert command[skip + 1] == "nokey"
    assert skip < command.index("-i")  # an input (decoder) option
    assert command[command.index("-i") + 1] == "rtsp://relay/t/camera/c"
    assert "fps=" not in command[command.index("-vf") + 1]
    assert command[-7:] == ["-f", "image2pipe", "-c:v", "mjpeg", "-q:v", "5", "pipe:1"]


def test_full_decode_command_keeps_fps_frames_per_second_and_downscales() -> None:
    command = ffmpeg_command(
        ffmpeg="/usr/bin/ffmpeg", url="rtsp://x/a", fps=2, keyframes_only=False, width=640
    )
    assert command[0] == "/usr/bin/ffmpeg"
    assert "-skip_frame" not in command
    assert command[command.index("-vf") + 1] == "fps=2,scale=640:-2:flags=fast_bilinear"


def test_command_refuses_a_non_positive_fps() -> None:
    with pytest.raises(ValueError):
        ffmpeg_command(ffmpeg="ffmpeg", url="rtsp://x/a", fps=0, keyframes_only=True)


def fake_ffmpeg(tmp_path, frames: int) -> list[str]:
    """A command that writes `frames` JPEGs and a corrupt chunk to stdout, then exits 1."""
    path = tmp_path / "frames.bin"
    path.write_bytes(b"".join(jpeg(40 * i) for i in range(frames)) + b"junk")
    script = (
        "import sys; sys.stdout.buffer.write(open(sys.argv[1], 'rb').read());"
        "sys.stderr.write('camera gone\\n'); sys.exit(1)"
    )
    return [sys.executable, "-c", script, str(path)]


def test_extractor_hands_frames_to_the_sink_and_restarts_ffmpeg_after_an_exit(tmp_path) -> None:
    received: list[Frame] = []
    stamp = datetime(2026, 1, 1, tzinfo=UTC)
    extractor = FrameExtractor(
        tenant_id="t",
        camera_id="c",
        command=fake_ffmpeg(tmp_path, 2),
        sink=received.append,
        backoff=Backoff(0.01, 0.05),
        clock=lambda: stamp,
    )
    extractor.start()
    deadline = time.monotonic() + 10
    while extractor.status().restarts < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    extractor.stop()
    status = extractor.status()
    assert status.restarts >= 2
    assert status.frames >= 4 and status.corrupt >= 2
    assert status.last_error == "ffmpeg exited with 1: camera gone"
    assert status.state == "stopped"
    assert {(f.tenant_id, f.camera_id, f.captured_at) for f in received} == {("t", "c", stamp)}


def test_a_failing_sink_does_not_stop_the_camera(tmp_path) -> None:
    calls: list[Frame] = []

    def sink(frame: Frame) -> None:
        calls.append(frame)
        raise RuntimeError("broken sink")

    extractor = FrameExtractor(
        tenant_id="t",
        camera_id="c",
        command=fake_ffmpeg(tmp_path, 3),
        sink=sink,
        backoff=Backoff(0.01, 0.05),
    )
    extractor.start()
    deadline = time.monotonic() + 10
    while len(calls) < 6 and time.monotonic() < deadline:
        time.sleep(0.01)
    extractor.stop()
    assert len(calls) >= 6


def test_pool_starts_each_camera_once_and_404s_an_unknown_one(tmp_path) -> None:
    def factory(tenant_id: str, camera_id: str) -> FrameExtractor:
        return FrameExtractor(
            tenant_id=tenant_id,
            camera_id=camera_id,
            command=fake_ffmpeg(tmp_path, 1),
            sink=lambda frame: None,
            backoff=Backoff(0.05, 0.1),
        )

    pool = ExtractorPool(factory)
    pool.start("t", "a")
    pool.start("t", "a")
    pool.start("u", "b")
    assert sorted(s.camera_id for s in pool.statuses()) == ["a", "b"]
    assert [s.camera_id for s in pool.statuses("u")] == ["b"]
    assert pool.stop("t", "a").state == "stopped"
    with pytest.raises(UnknownCamera):
        pool.stop("t", "a")
    pool.stop_all()
    assert pool.statuses() == []
