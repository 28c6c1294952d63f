"""Signed segment URLs, so that a `<video src>` (which cannot send headers) can play.

The signature (django.core.signing, keyed by SECRET_KEY) binds the recording and the user
who asked for it, and expires after SEGMENT_URL_TTL_SECONDS.
"""

from typing import Any

from django.core import signing

from apps.core.exceptions import AuthenticationRequired

SEGMENT_FILE_SALT = "vms.playback.segment-file"


def segment_signature_payload(*, recording_id: int, user_id: Any) -> dict[str, Any]:
    return {"recording": recording_id, "user": user_id}


def segment_signature_make(*, recording_id: int, user_id: Any) -> str:
    payload = segment_signature_payload(recording_id=recording_id, user_id=user_id)
    return signing.dumps(payload, salt=SEGMENT_FILE_SALT)


def segment_signature_user_id(*, signature: str, recording_id: int, max_age_s: int) -> Any:
    """The user a valid, unexpired signature for this recording was made for."""
    try:
        payload = signing.loads(signature, salt=SEGMENT_FILE_SALT, max_age=max_age_s)
    except signing.SignatureExpired:
        raise AuthenticationRequired(
            "the segment link has expired", code="signature_expired"
        ) from None
    except signing.BadSignature:
        raise AuthenticationRequired(
            "the segment link is not valid", code="invalid_signature"
        ) from None
    if not isinstance(payload, dict) or payload.get("recording") != recording_id:
        raise AuthenticationRequired("the segment link is not valid", code="invalid_signature")
    return payload.get("user")
