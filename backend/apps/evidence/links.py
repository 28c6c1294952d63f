"""Signed links to an export's clip and manifest, usable without an Authorization header.

Signed like the segment links (infrastructure.auth.link_signatures, `?exp=&sig=`): one
purpose per file, so a link to the clip does not open the manifest; the export id and the
user who asked are signed, and the link expires after EXPORT_URL_TTL_SECONDS.
"""

from typing import Any, Literal
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from infrastructure.auth.link_signatures import (
    EXPORT_CLIP,
    EXPORT_MANIFEST,
    expiry_in,
    link_reader,
    link_signature,
)

ExportFile = Literal["clip", "manifest"]
_PURPOSES: dict[ExportFile, str] = {"clip": EXPORT_CLIP, "manifest": EXPORT_MANIFEST}


def export_file_url(
    *, export_id: Any, file: ExportFile, user_id: Any, expires: int | None = None
) -> str:
    """A site-relative URL of the export's clip or manifest, signed for this user."""
    expires = expires if expires is not None else expiry_in(settings.EXPORT_URL_TTL_SECONDS)
    signature = link_signature(
        purpose=_PURPOSES[file], user_id=user_id, parts=(export_id,), expires=expires
    )
    path = reverse(f"export-{file}", kwargs={"export_id": str(export_id)})
    return f"{path}?{urlencode({'exp': expires, 'sig': signature})}"


def reader_of_export_link(*, signature: str, expires: Any, export_id: Any, file: ExportFile) -> Any:
    """The active user a valid, unexpired link to this export's file was signed for."""
    return link_reader(
        purpose=_PURPOSES[file], signature=signature, parts=(export_id,), expires=expires
    )
