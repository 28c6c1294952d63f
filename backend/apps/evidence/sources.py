"""Source segment files of an export: a local path to each, checked against its SHA-256."""

from pathlib import Path

from apps.evidence.errors import ExportFailed
from domain.playback.recording import RecordedSegment
from infrastructure.storage.errors import (
    RecordingChecksumMismatch,
    RecordingFileMissing,
    RecordingFileTruncated,
    StorageUnavailable,
)
from infrastructure.storage.recordings import recording_fetch
from vms_common.checksums import file_sha256


def source_file_verified(*, recording: RecordedSegment, destination_dir: Path) -> Path:
    """A local file with the recording's content whose SHA-256 is the one recorded.

    A local segment is read in place; a tiered one is downloaded into `destination_dir`.
    Raises ExportFailed when the file is missing, cut off, unreachable or altered.
    """
    extra = {"recording_id": recording.id, "path": recording.path}
    try:
        path = recording_fetch(recording=recording, destination_dir=destination_dir)
    except (RecordingFileMissing, RecordingFileTruncated) as exc:
        raise ExportFailed(
            f"source segment {recording.id} ({recording.path}) cannot be read: {exc.message}",
            code="source_missing",
            extra=extra,
        ) from None
    except StorageUnavailable as exc:
        raise ExportFailed(
            f"source segment {recording.id} ({recording.path}) could not be fetched from "
            f"object storage: {exc.message}",
            code="source_unavailable",
            extra=extra,
        ) from None
    except RecordingChecksumMismatch as exc:
        raise _altered(recording, exc.extra.get("actual", "?")) from None
    actual = file_sha256(path)
    if actual != recording.sha256:
        raise _altered(recording, actual)
    return path


def _altered(recording: RecordedSegment, actual: str) -> ExportFailed:
    return ExportFailed(
        f"source segment {recording.id} ({recording.path}) does not match the SHA-256 "
        f"recorded when it was written (expected {recording.sha256}, found {actual}); "
        "the export was stopped because evidence must be unaltered",
        code="source_altered",
        extra={"recording_id": recording.id, "expected": recording.sha256, "actual": actual},
    )
