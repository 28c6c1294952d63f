"""The MP4 box reader, on hand-made boxes and on fragmented MP4 made by the real ffmpeg
(lavfi test source) with the muxer options the recorder uses."""

import struct
import subprocess
from pathlib import Path

import pytest

from vms_common.mp4 import (
    Mp4Error,
    bytes_reader,
    file_reader,
    holds_no_media,
    init_section_size,
    init_section_size_of_bytes,
    mp4_layout,
    whole_fragments_size,
)

FRAMES = 60  # 4 s at 15 fps, a keyframe every second
# The recorder's mp4 muxer options (recorder.ffmpeg_recorder.MP4_OPTIONS): 1 s fragments.
FRAGMENTED_MP4 = [
    "-movflags", "+frag_keyframe+empty_moov+default_base_moof",
    "-frag_duration", "1000000", "-flush_packets", "1",
]  # fmt: skip


def box(kind: bytes, payload: bytes = b"") -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def large_box(kind: bytes, payload: bytes = b"") -> bytes:
    return struct.pack(">I4sQ", 1, kind, 16 + len(payload)) + payload


FTYP = box(b"ftyp", b"iso5\x00\x00\x02\x00iso5iso6mp41")
MOOV = box(b"moov", box(b"mvhd", b"\x00" * 100))
FRAGMENT = box(b"moof", b"\x00" * 40) + box(b"mdat", b"\x01" * 500)


def layout(data: bytes) -> tuple[list[str], bool]:
    boxes, whole = mp4_layout(bytes_reader(data), len(data))
    return [b.kind for b in boxes], whole


def trimmed(data: bytes) -> bytes:
    return data[: whole_fragments_size(bytes_reader(data), len(data))]


@pytest.fixture(scope="module")
def fragmented(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 4-second fragmented MP4 with a fragment every second."""
    path = tmp_path_factory.mktemp("fmp4") / "clip.mp4"
    subprocess.run(
        [
            "ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi",
            "-i", "testsrc=size=320x240:rate=15", "-frames:v", str(FRAMES),
            "-c:v", "libx264", "-g", "15", "-pix_fmt", "yuv420p",
            *FRAGMENTED_MP4, "-f", "mp4", "-y", str(path),
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


def test_the_init_section_ends_where_the_first_fragment_begins() -> None:
    data = FTYP + MOOV + FRAGMENT + FRAGMENT

    assert init_section_size_of_bytes(data) == len(FTYP) + len(MOOV)


def test_boxes_between_moov_and_the_first_fragment_belong_to_the_init_section() -> None:
    data = FTYP + MOOV + box(b"free", b"\x00" * 8) + box(b"sidx", b"\x00" * 20) + FRAGMENT

    assert init_section_size_of_bytes(data) == len(FTYP) + len(MOOV) + 16


def test_a_64_bit_box_size_is_followed() -> None:
    moov = large_box(b"moov", b"\x00" * 30)

    assert init_section_size_of_bytes(FTYP + moov + FRAGMENT) == len(FTYP) + len(moov)


def test_only_box_headers_are_read() -> None:
    data = FTYP + MOOV + FRAGMENT
    reads: list[tuple[int, int]] = []

    def read_at(offset: int, length: int) -> bytes:
        reads.append((offset, length))
        return data[offset : offset + length]

    init_section_size(read_at, len(data))

    assert reads == [(0, 16), (len(FTYP), 16), (len(FTYP) + len(MOOV), 16)]


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"", "no media fragment"),
        (FTYP + MOOV, "no media fragment"),
        (FTYP + MOOV[:20], "the file ends first"),
        (FTYP + FRAGMENT, "media before the moov"),
        (FTYP + struct.pack(">I4s", 3, b"moov") + FRAGMENT, "impossible size"),
        (FTYP + struct.pack(">I4s", 0, b"moov") + FRAGMENT, "no media fragment"),
        (b"\x7f\x00\x00\x00junk, just text", "the file ends first"),
        (b"not an mp4 at all, just text", "not an MP4 box"),
    ],
)
def test_files_that_are_not_whole_fragmented_mp4s_are_refused(data: bytes, why: str) -> None:
    with pytest.raises(Mp4Error, match=why):
        init_section_size_of_bytes(data)


def test_a_head_shorter_than_the_init_section_is_refused() -> None:
    data = FTYP + MOOV + FRAGMENT

    with pytest.raises(Mp4Error, match="cut short"):
        init_section_size(bytes_reader(data[: len(FTYP) + 4]), len(data))


def test_boxes_that_tile_the_file_are_whole_and_keep_their_size() -> None:
    data = FTYP + MOOV + FRAGMENT

    assert layout(data) == (["ftyp", "moov", "moof", "mdat"], True)
    assert trimmed(data) == data


def test_bytes_after_the_last_box_that_are_not_a_box_stop_the_walk() -> None:
    data = FTYP + MOOV + FRAGMENT + b"\x00\x00\x00\x10\x01\x02\x03\x04garbage!"

    assert layout(data) == (["ftyp", "moov", "moof", "mdat"], False)
    assert trimmed(data) == FTYP + MOOV + FRAGMENT


def test_the_init_section_and_fragments_of_a_real_fragmented_mp4(fragmented: Path) -> None:
    data = fragmented.read_bytes()
    boxes, whole = mp4_layout(bytes_reader(data), len(data))

    assert whole
    assert [b.kind for b in boxes[:3]] == ["ftyp", "moov", "moof"]
    with fragmented.open("rb") as f:
        init_size = init_section_size(file_reader(f), len(data))
    assert init_size == boxes[0].size + boxes[1].size == boxes[2].offset
    assert data[init_size + 4 : init_size + 8] == b"moof"
    assert sum(1 for b in boxes if b.kind == "moof") >= 4  # at least one fragment a second


def test_init_section_plus_any_one_fragment_plays_on_its_own(fragmented: Path, tmp_path: Path):
    data = fragmented.read_bytes()
    boxes, _ = mp4_layout(bytes_reader(data), len(data))
    init = data[: init_section_size_of_bytes(data)]
    moofs = [b for b in boxes if b.kind == "moof"]
    third = moofs[2]
    mdat = boxes[boxes.index(third) + 1]
    piece = tmp_path / "piece.mp4"
    piece.write_bytes(init + data[third.offset : mdat.end])
    assert count_frames(piece) == 15


def test_a_file_that_is_not_mp4_has_no_init_section_and_nothing_to_trim() -> None:
    garbage = b"\x00\x01not an mp4 at all" * 100

    with pytest.raises(Mp4Error):
        init_section_size_of_bytes(garbage)
    assert trimmed(garbage) == garbage


def test_a_file_cut_mid_fragment_is_trimmed_to_its_last_whole_fragment_and_plays(
    fragmented: Path, tmp_path: Path
) -> None:
    data = fragmented.read_bytes()
    boxes, _ = mp4_layout(bytes_reader(data), len(data))
    moofs = [b for b in boxes if b.kind == "moof"]
    partial = data[: moofs[2].offset + 300]  # inside the third fragment's mdat

    kept = trimmed(partial)

    assert len(kept) == moofs[2].offset
    assert trimmed(kept) == kept
    (tmp_path / "kept.mp4").write_bytes(kept)
    assert count_frames(tmp_path / "kept.mp4") == 30  # two whole fragments of one second


def test_a_file_cut_inside_a_fragment_header_loses_only_that_fragment(
    fragmented: Path, tmp_path: Path
) -> None:
    data = fragmented.read_bytes()
    boxes, _ = mp4_layout(bytes_reader(data), len(data))
    moofs = [b for b in boxes if b.kind == "moof"]

    kept = trimmed(data[: moofs[1].offset + 5])

    assert len(kept) == moofs[1].offset
    (tmp_path / "kept.mp4").write_bytes(kept)
    assert count_frames(tmp_path / "kept.mp4") == 15


def test_an_init_section_alone_holds_no_media(fragmented: Path) -> None:
    data = fragmented.read_bytes()
    init = data[: init_section_size_of_bytes(data)]

    assert holds_no_media(bytes_reader(init), len(init))
    assert not holds_no_media(bytes_reader(data), len(data))
