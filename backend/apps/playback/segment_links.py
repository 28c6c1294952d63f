"""Links to segment files that a browser can play without sending a token."""

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from infrastructure.auth.segment_urls import segment_signature_make


def segment_file_url(*, recording_id: int, user_id: Any) -> str:
    """A site-relative URL to the segment's file, signed for this user."""
    path = reverse("segment-file", kwargs={"recording_id": recording_id})
    signature = segment_signature_make(recording_id=recording_id, user_id=user_id)
    return f"{path}?{urlencode({'sig': signature})}"
