"""Signed links to an export's clip and manifest, usable without an Authorization header.

Like the segment links: django.core.signing (keyed by SECRET_KEY) binds the export, the
file and the user who asked, and expires after EXPORT_URL_TTL_SECONDS.
"""

from typing import Any, Literal
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.urls import reverse

from apps.core.exceptions import AuthenticationRequired

EXPORT_FILE_SALT = "vms.evidence.export-file"
ExportFile = Literal["clip", "manifest"]


def export_file_url(*, export_id: Any, file: ExportFile, user_id: Any) -> str:
    """A site-relative URL of the export's clip or manifest, signed for this user."""
    path = reverse(f"export-{file}", kwargs={"export_id": str(export_id)})
    payload = {"export": str(export_id), "file": file, "user": user_id}
    signature = signing.dumps(payload, salt=EXPORT_FILE_SALT)
    return f"{path}?{urlencode({'sig': signature})}"


def reader_of_export_link(*, signature: str, export_id: Any, file: ExportFile) -> Any:
    """The active user a valid, unexpired link to this export's file was signed for."""
    invalid = AuthenticationRequired("the export link is not valid", code="invalid_signature")
    try:
        payload = signing.loads(
            signature, salt=EXPORT_FILE_SALT, max_age=settings.EXPORT_URL_TTL_SECONDS
        )
    except signing.SignatureExpired:
        raise AuthenticationRequired(
            "the export link has expired", code="signature_expired"
        ) from None
    except signing.BadSignature:
        raise invalid from None
    if (
        not isinstance(payload, dict)
        or payload.get("export") != str(export_id)
        or payload.get("file") != file
    ):
        raise invalid
    user = get_user_model().objects.filter(pk=payload.get("user"), is_active=True).first()
    if user is None:
        raise invalid
    return user
