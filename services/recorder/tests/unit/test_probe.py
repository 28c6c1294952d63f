"""The MP4 box reader against fragmented MP4 made by the real ffmpeg (lavfi test source)."""

import subprocess
from pathlib import Path

import pytest

from recorder.ffmpeg_recorder import MP4_OPTIONS
from recorder.probe import (
    holds_no_media,
    init_size_bytes,
    mp4_boxes,
    probe_segment,
    trim_incomplete_tail,
)

FRAMES = 60  # 4 s at 15 fps, a keyframe every second


@pytest.fixture(scope="module")
def fragmented(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 4-second fragmented MP4 written with the recorder's own mp4 muxer options."""
    path = tmp_path_factory.mktemp("fmp4") / "clip.mp4"
    movflags, *others = MP4_OPTIONS.split(":")
    options = [f"-{movflags.split('=')[0]}", movflags.split("=", 1)[1]]
    for option in others:
        name, value = option.split("=", 1)
        options += [f"-{name}", value]
    subprocess.run(
        [
            "ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi",
            "-i", "testsrc=size=320x240:rate=15", "-frames:v", str(FRAMES),
            "-c:v", "libx264", "-g", "15", "-pix_fmt", "yuv420p",
            *options, "-f", "mp4", "-y", str(path),
        ],
        check=True,
        timeout=60,
    )  # fmt: skip
    return path


def count_frames(path: Path) -> int:
    result = subprocess.run(
        [
            "ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
            "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", str(path),
        ],
        capture_output=True, text=True, timeout=30, check=True,
    )  # fmt: skip
    return int(result.stdout.strip())


def test_the_init_section_is_ftyp_and_moov_and_ends_where_the_first_fragment_starts(fragmented):
    boxes, whole = mp4_boxes(fragmented)
    assert whole
    assert [b.kind for b in boxes[:3]] == ["ftyp", "moov", "moof"]
    assert init_size_bytes(fragmented) == boxes[0].size + boxes[1].size == boxes[2].offset
    data = fragmented.read_bytes()
    assert data[boxes[2].offset + 4 : boxes[2].offset + 8] == b"moof"
    assert sum(1 for b in boxes if b.kind == "moof") >= 4  # at least one fragment a second


def test_init_section_plus_any_one_fragment_plays_on_its_own(fragmented, tmp_path):
    boxes, _ = mp4_boxes(fragmented)
    data = fragmented.read_bytes()
    init = data[: init_size_bytes(fragmented)]
    moofs = [b for b in boxes if b.kind == "moof"]
    third = moofs[2]
    mdat = boxes[boxes.index(third) + 1]
    piece = tmp_path / "piece.mp4"
    piece.write_bytes(init + data[third.offset : mdat.end])
    assert count_frames(piece) == 15


def test_a_file_that_is_not_mp4_has_no_init_section(tmp_path):
    garbage = tmp_path / "garbage.mp4"
    garbage.write_bytes(b"\x00\x01not an mp4 at all" * 100)
    assert init_size_bytes(garbage) is None
    assert trim_incomplete_tail(garbage) == 0
    assert garbage.stat().st_size == 1900


def test_a_file_cut_mid_fragment_is_trimmed_to_its_last_whole_fragment_and_plays(
    fragmented, tmp_path
):
    boxes, _ = mp4_boxes(fragmented)
    moofs = [b for b in boxes if b.kind == "moof"]
    cut_inside = moofs[2].offset + 300  # inside the third fragment's mdat
    partial = tmp_path / "partial.mp4"
    partial.write_bytes(fragmented.read_bytes()[:cut_inside])

    assert trim_incomplete_tail(partial) == cut_inside - moofs[2].offset
    assert partial.stat().st_size == moofs[2].offset
    assert count_frames(partial) == 30  # two whole fragments of one second
    assert probe_segment(partial).duration_s == pytest.approx(2.0, abs=0.1)
    assert trim_incomplete_tail(partial) == 0


def test_a_file_cut_inside_a_fragment_header_loses_only_that_fragment(fragmented, tmp_path):
    boxes, _ = mp4_boxes(fragmented)
    moofs = [b for b in boxes if b.kind == "moof"]
    partial = tmp_path / "partial.mp4"
    partial.write_bytes(fragmented.read_bytes()[: moofs[1].offset + 5])
    trim_incomplete_tail(partial)
    assert partial.stat().st_size == moofs[1].offset
    assert count_frames(partial) == 15


def test_an_init_section_alone_holds_no_media(fragmented, tmp_path):
    init_only = tmp_path / "init.mp4"
    init_only.write_bytes(fragmented.read_bytes()[: init_size_bytes(fragmented)])
    assert holds_no_media(init_only)
    assert not holds_no_media(fragmented)
