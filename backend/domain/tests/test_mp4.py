import struct

import pytest

from domain.playback.mp4 import Mp4Error, init_section_size, init_section_size_of_bytes


def box(kind: bytes, payload: bytes = b"") -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def large_box(kind: bytes, payload: bytes = b"") -> bytes:
    return struct.pack(">I4sQ", 1, kind, 16 + len(payload)) + payload


FTYP = box(b"ftyp", b"iso5\x00\x00\x02\x00iso5iso6mp41")
MOOV = box(b"moov", box(b"mvhd", b"\x00" * 100))
FRAGMENT = box(b"moof", b"\x00" * 40) + box(b"mdat", b"\x01" * 500)


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
        (FTYP + struct.pack(">I4s", 0, b"moov") + FRAGMENT, "runs to the end"),
        (b"not an mp4 at all, just text", "the file ends first"),
    ],
)
def test_files_that_are_not_whole_fragmented_mp4s_are_refused(data: bytes, why: str) -> None:
    with pytest.raises(Mp4Error, match=why):
        init_section_size_of_bytes(data)
