"""Source segment files of an export: a local path to each, and their SHA-256."""

import hashlib
from pathlib import Path

from django.conf import settings

from apps.core.exceptions import ResourceNotFound
from apps.evidence.errors import ExportFailed
from apps.playback.models import Recording
from infrastructure.storage.recordings import recording_file_path

CHUNK = 1024 * 1024


def source_file(*, recording: Recording, destination_dir: Path) -> Path:
    """A local path to the recording's file (below RECORDINGS_ROOT for local segments)."""
    if recording.tier != "local":
        raise ExportFailed(
            f"source segment {recording.id} is stored in tier {recording.tier!r}, "
            "which the export cannot read yet",
            code="source_unavailable",
            extra={"recording_id": recording.id, "tier": recording.tier},
        )
    try:
        return recording_file_path(root=Path(settings.RECORDINGS_ROOT), relative=recording.path)
    except ResourceNotFound:
        raise ExportFailed(
            f"source segment {recording.id} ({recording.path}) is missing from storage",
            code="source_missing",
            extra={"recording_id": recording.id, "path": recording.path},
        ) from None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
