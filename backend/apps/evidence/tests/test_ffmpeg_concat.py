"""The ffmpeg concat adapter against the real ffmpeg and ffprobe."""

from pathlib import Path

import pytest

from apps.evidence.errors import ExportFailed
from apps.evidence.ffmpeg_concat import ConcatInput, clip_concat, concat_list
from apps.evidence.tests.conftest import ffprobe_duration


@pytest.fixture
def segment_files(tmp_path, segment_bytes) -> list[Path]:
    paths = []
    for number, content in enumerate(segment_bytes):
        path = tmp_path / f"it's segment {number}.mp4"  # a quote and spaces in the name
        path.write_bytes(content)
        paths.append(path)
    return paths


def test_progress_rises_from_0_to_1_and_the_clip_has_the_planned_length(tmp_path, segment_files):
    seen: list[float] = []
    inputs = [
        ConcatInput(segment_files[0], inpoint_s=1.0),
        ConcatInput(segment_files[1]),
        ConcatInput(segment_files[2], outpoint_s=3.0),
    ]

    clip_concat(
        inputs=inputs,
        output=tmp_path / "out" / "clip.mp4",
        duration_s=12.0,
        on_progress=seen.append,
        timeout_s=60,
    )

    assert seen, "ffmpeg reported no progress"
    assert all(0.0 <= value <= 1.0 for value in seen)
    assert seen == sorted(seen)
    assert seen[-1] >= 0.9
    assert ffprobe_duration(tmp_path / "out" / "clip.mp4") == pytest.approx(12.0, abs=1.0)
    assert not (tmp_path / "out" / "concat.txt").exists()


def test_the_concat_list_quotes_paths_and_cuts_only_where_asked(tmp_path):
    text = concat_list(
        [ConcatInput(tmp_path / "it's.mp4", inpoint_s=2.5), ConcatInput(tmp_path / "b.mp4")]
    )

    assert text.splitlines() == [
        "ffconcat version 1.0",
        f"file '{tmp_path}/it'\\''s.mp4'",
        "inpoint 2.500000",
        f"file '{tmp_path}/b.mp4'",
    ]


def test_a_file_that_is_not_video_is_a_clear_failure(tmp_path):
    garbage = tmp_path / "garbage.mp4"
    garbage.write_bytes(b"\x00" * 1000)

    with pytest.raises(ExportFailed) as caught:
        clip_concat(
            inputs=[ConcatInput(garbage)],
            output=tmp_path / "clip.mp4",
            duration_s=5.0,
            on_progress=lambda _: None,
            timeout_s=60,
        )

    assert caught.value.code == "ffmpeg_failed"
    assert not (tmp_path / "clip.mp4").exists()
