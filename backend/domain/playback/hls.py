"""HLS VOD playlists (RFC 8216) of recorded segments, as plain text.

Each segment file is a fragmented MP4 that starts its timestamps at 0: its init section
(ftyp + moov) is the `EXT-X-MAP` and the rest is one media segment, addressed by byte
range within the same file. Since timestamps restart in every file, a discontinuity
precedes every segment after the first; `EXT-X-PROGRAM-DATE-TIME` on every segment
gives the wall-clock time, so a gap shows as a jump of the date.
"""

import math
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from domain.playback.recording import RecordedSegment

CONTENT_TYPE = "application/vnd.apple.mpegurl"


def vod_playlist(
    segments: Iterable[RecordedSegment], uri_of: Callable[[RecordedSegment], str]
) -> str:
    """The playlist of the playable segments, in the order given (by start).

    Corrupt segments and segments whose init section is unknown are left out. `uri_of`
    is called once per segment that is listed.
    """
    playable = [s for s in segments if _listable(s)]
    target = max((math.ceil(s.duration_s) for s in playable), default=1)
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:7",
        "#EXT-X-PLAYLIST-TYPE:VOD",
        "#EXT-X-INDEPENDENT-SEGMENTS",
        f"#EXT-X-TARGETDURATION:{max(1, target)}",
        "#EXT-X-MEDIA-SEQUENCE:0",
        "#EXT-X-DISCONTINUITY-SEQUENCE:0",
    ]
    for index, segment in enumerate(playable):
        init = segment.init_size_bytes
        assert init is not None  # guaranteed by _listable
        uri = uri_of(segment)
        if index:
            lines.append("#EXT-X-DISCONTINUITY")
        lines.append(f"#EXT-X-PROGRAM-DATE-TIME:{program_date_time(segment.start)}")
        lines.append(f'#EXT-X-MAP:URI="{uri}",BYTERANGE="{init}@0"')
        lines.append(f"#EXTINF:{segment.duration_s:.3f},")
        lines.append(f"#EXT-X-BYTERANGE:{segment.size_bytes - init}@{init}")
        lines.append(uri)
    lines.append("#EXT-X-ENDLIST")
    return "\n".join(lines) + "\n"


def program_date_time(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds: 2026-11-23T10:00:00.000Z."""
    u = moment if moment.tzinfo is UTC else moment.astimezone(UTC)
    return (
        f"{u.year:04d}-{u.month:02d}-{u.day:02d}T{u.hour:02d}:{u.minute:02d}:{u.second:02d}"
        f".{u.microsecond // 1000:03d}Z"
    )


def _listable(segment: RecordedSegment) -> bool:
    init = segment.init_size_bytes
    return (
        segment.playable
        and segment.duration_s > 0
        and init is not None
        and 0 < init < segment.size_bytes
    )
