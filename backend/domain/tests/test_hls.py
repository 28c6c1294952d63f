from datetime import UTC, datetime, timedelta

from domain.playback.hls import program_date_time, vod_playlist
from domain.playback.recording import RecordedSegment, SegmentStatus, StorageTier

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def segment(
    n: int,
    start_s: float,
    duration_s: float = 60.0,
    *,
    status: SegmentStatus = SegmentStatus.OK,
    init: int | None = 800,
    size: int = 100_000,
) -> RecordedSegment:
    start = T0 + timedelta(seconds=start_s)
    return RecordedSegment(
        id=n,
        start=start,
        end=start + timedelta(seconds=duration_s),
        duration_s=duration_s,
        status=status,
        tier=StorageTier.LOCAL,
        path=f"t/c/segment_{n}.mp4",
        location="",
        size_bytes=size,
        init_size_bytes=init,
        sha256="0" * 64,
    )


def uri(s: RecordedSegment) -> str:
    return f"/seg/{s.id}?sig=x"


def test_an_empty_range_is_a_valid_empty_vod_playlist() -> None:
    text = vod_playlist([], uri)

    assert text.startswith("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-PLAYLIST-TYPE:VOD\n")
    assert "#EXT-X-TARGETDURATION:1\n" in text
    assert text.endswith("#EXT-X-ENDLIST\n")
    assert "#EXTINF" not in text


def test_each_segment_has_its_date_its_init_map_and_its_media_byte_range() -> None:
    text = vod_playlist([segment(1, 0, 60.04, init=812, size=50_000)], uri)

    lines = text.splitlines()
    start = lines.index("#EXT-X-PROGRAM-DATE-TIME:2026-11-23T10:00:00.000Z")
    assert lines[start + 1 :] == [
        '#EXT-X-MAP:URI="/seg/1?sig=x",BYTERANGE="812@0"',
        "#EXTINF:60.040,",
        "#EXT-X-BYTERANGE:49188@812",
        "/seg/1?sig=x",
        "#EXT-X-ENDLIST",
    ]
    assert "#EXT-X-DISCONTINUITY\n" not in text
    assert "#EXT-X-TARGETDURATION:61\n" in text


def test_a_discontinuity_precedes_every_segment_after_the_first() -> None:
    # contiguous 0-60, 60-120, then a 30 s gap, 150-210
    segments = [segment(1, 0), segment(2, 60), segment(3, 150)]

    lines = vod_playlist(segments, uri).splitlines()

    dates = [line.split(":", 1)[1] for line in lines if line.startswith("#EXT-X-PROGRAM-DATE")]
    assert dates == [
        "2026-11-23T10:00:00.000Z",
        "2026-11-23T10:01:00.000Z",
        "2026-11-23T10:02:30.000Z",
    ]
    assert lines.count("#EXT-X-DISCONTINUITY") == 2
    for index, line in enumerate(lines):
        if line == "#EXT-X-DISCONTINUITY":
            assert lines[index + 1].startswith("#EXT-X-PROGRAM-DATE-TIME:")


def test_corrupt_segments_and_segments_without_a_known_init_section_are_skipped() -> None:
    segments = [
        segment(1, 0),
        segment(2, 60, status=SegmentStatus.CORRUPT),
        segment(3, 120, init=None),
        segment(4, 180, init=100_000, size=100_000),  # no media after the init section
        segment(5, 240),
    ]

    text = vod_playlist(segments, uri)

    assert "/seg/1?" in text and "/seg/5?" in text
    for skipped in (2, 3, 4):
        assert f"/seg/{skipped}?" not in text
    assert text.count("#EXTINF") == 2
    assert text.count("#EXT-X-DISCONTINUITY\n") == 1


def test_the_uri_is_made_once_per_listed_segment() -> None:
    calls: list[int] = []

    def counting_uri(s: RecordedSegment) -> str:
        calls.append(s.id)
        return uri(s)

    vod_playlist([segment(1, 0), segment(2, 60, status=SegmentStatus.CORRUPT)], counting_uri)

    assert calls == [1]


def test_target_duration_is_the_longest_segment_rounded_up() -> None:
    text = vod_playlist([segment(1, 0, 59.2), segment(2, 60, 120.5)], uri)

    assert "#EXT-X-TARGETDURATION:121\n" in text


def test_program_date_time_is_utc_with_milliseconds() -> None:
    moment = datetime(2026, 1, 2, 4, 5, 6, 789_999, tzinfo=UTC) + timedelta(hours=0)
    assert program_date_time(moment) == "2026-01-02T04:05:06.789Z"


def test_a_day_of_one_minute_segments_is_written_whole() -> None:
    """Its speed is measured by bench/range_query.py (24-hour playlists)."""
    segments = [segment(n, n * 60) for n in range(1440)]

    text = vod_playlist(segments, uri)

    assert text.count("#EXTINF") == 1440
