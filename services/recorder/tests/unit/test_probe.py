"""The recorder's segment files on disk: a crash's cut-short fragment trimmed in place, a
segment without frames recognised, the init size read, against fragmented MP4 made by the
real ffmpeg (lavfi test source) with the recorder's own muxer options. The box reading
itself is tested in services/common/tests/test_mp4.py."""

import subprocess
from pathlib import Path

import pytest

from recorder.ffmpeg_recorder import MP4_OPTIONS
from recorder.probe import (
    CorruptSegment,
    ffprobe_segment,
    holds_no_media,
    init_size_bytes,
    probe_segment,
    read_fragmented_video,
    trim_incomplete_tail,
)
from vms_common.mp4 import Mp4Error, bytes_reader, mp4_layout

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


def moof_offsets(path: Path) -> list[int]:
    data = path.read_bytes()
    boxes, _ = mp4_layout(bytes_reader(data), len(data))
    return [b.offset for b in boxes if b.kind == "moof"]


def test_the_init_size_of_a_segment_is_where_its_first_fragment_starts(fragmented):
    assert init_size_bytes(fragmented) == moof_offsets(fragmented)[0]


def test_a_file_that_is_not_mp4_has_no_init_size_and_is_left_alone(tmp_path):
    garbage = tmp_path / "garbage.mp4"
    garbage.write_bytes(b"\x00\x01not an mp4 at all" * 100)
    assert init_size_bytes(garbage) is None
    assert trim_incomplete_tail(garbage) == 0
    assert garbage.stat().st_size == 1900


def test_a_segment_cut_mid_fragment_is_trimmed_in_place_and_plays_to_its_last_fragment(
    fragmented, tmp_path
):
    third = moof_offsets(fragmented)[2]
    cut_inside = third + 300  # inside the third fragment's mdat
    partial = tmp_path / "partial.mp4"
    partial.write_bytes(fragmented.read_bytes()[:cut_inside])

    assert trim_incomplete_tail(partial) == cut_inside - third
    assert partial.stat().st_size == third
    assert probe_segment(partial).duration_s == pytest.approx(2.0, abs=0.1)
    assert trim_incomplete_tail(partial) == 0


def test_a_segment_of_an_init_section_alone_holds_no_media(fragmented, tmp_path):
    init_only = tmp_path / "init.mp4"
    init_only.write_bytes(fragmented.read_bytes()[: init_size_bytes(fragmented)])
    assert holds_no_media(init_only)
    assert not holds_no_media(fragmented)


def test_a_segment_is_read_from_its_boxes_as_ffprobe_reads_it(fragmented):
    assert read_fragmented_video(fragmented) == ("h264", 320, 240, pytest.approx(4.0))
    info, probed = probe_segment(fragmented), ffprobe_segment(fragmented, "ffprobe")
    assert (info.codec, info.width, info.height) == (probed.codec, probed.width, probed.height)
    assert info.duration_s == pytest.approx(probed.duration_s, abs=1 / 15)
    assert (info.size_bytes, info.sha256) == (probed.size_bytes, probed.sha256)


def test_a_file_whose_boxes_do_not_read_is_left_to_ffprobe_and_is_corrupt(fragmented, tmp_path):
    garbage = tmp_path / "garbage.mp4"
    garbage.write_bytes(b"\x00\x01not an mp4 at all" * 100)
    init_only = tmp_path / "init.mp4"
    init_only.write_bytes(fragmented.read_bytes()[: init_size_bytes(fragmented)])
    mangled = tmp_path / "mangled.mp4"
    data = bytearray(fragmented.read_bytes())
    first_moof = moof_offsets(fragmented)[0]
    data[first_moof + 4 : first_moof + 8] = b"\xff\xfe\xfd\xfc"  # not a box type
    mangled.write_bytes(bytes(data))
    for bad in (garbage, init_only, mangled):
        with pytest.raises(Mp4Error):
            read_fragmented_video(bad)
    with pytest.raises(CorruptSegment):
        probe_segment(garbage)
    with pytest.raises(CorruptSegment):
        probe_segment(init_only)
