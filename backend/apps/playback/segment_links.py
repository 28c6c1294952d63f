"""Links to segment files and playlists that a player can open without sending a token."""

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from infrastructure.auth.link_signatures import (
    PLAYLIST,
    SEGMENT_FILE,
    expiry_in,
    link_signature,
    micros,
)


class SegmentLinks:
    """Signed, site-relative links to segment files for one user, valid until `expires`.

    The URL pattern is resolved once, so that a day's playlist (1440 links) costs a
    couple of milliseconds.
    """

    def __init__(self, *, user_id: Any, expires: int | None = None) -> None:
        self._user_id = user_id
        self._expires = expires if expires is not None else segment_link_expiry()
        path = reverse("segment-file", kwargs={"recording_id": 0})
        cut = path.rindex("/0/")
        self._head, self._tail = path[: cut + 1], path[cut + 2 :]

    def __call__(self, recording_id: int) -> str:
        signature = link_signature(
            purpose=SEGMENT_FILE,
            user_id=self._user_id,
            parts=(recording_id,),
            expires=self._expires,
        )
        return f"{self._head}{recording_id}{self._tail}?exp={self._expires}&sig={signature}"


def segment_link_expiry(extra_s: float = 0.0) -> int:
    """When a segment link made now expires: the TTL from now, plus `extra_s`."""
    return expiry_in(settings.SEGMENT_URL_TTL_SECONDS + extra_s)


def segment_file_url(*, recording_id: int, user_id: Any, expires: int | None = None) -> str:
    """A site-relative URL to the segment's file, signed for this user."""
    return SegmentLinks(user_id=user_id, expires=expires)(recording_id)


def playlist_url(
    *, camera_id: Any, user_id: Any, start: datetime, end: datetime, expires: int | None = None
) -> str:
    """A site-relative URL to the HLS playlist of the range, signed for this user."""
    expires = expires if expires is not None else expiry_in(settings.PLAYLIST_URL_TTL_SECONDS)
    signature = link_signature(
        purpose=PLAYLIST,
        user_id=user_id,
        parts=(camera_id, micros(start), micros(end)),
        expires=expires,
    )
    path = reverse("playback-playlist", kwargs={"camera_id": camera_id})
    query = urlencode(
        {"start": iso_time(start), "end": iso_time(end), "exp": expires, "sig": signature}
    )
    return f"{path}?{query}"


def iso_time(moment: datetime) -> str:
    """UTC ISO 8601 with `Z`, with microseconds only when there are some."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
