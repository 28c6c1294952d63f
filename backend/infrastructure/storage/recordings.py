"""A recording's file, wherever its tier keeps it: on the local disk or in S3.

Local files are found without leaving the recordings folder; S3 objects through the
S3 adapter. Everything that can go wrong is one of infrastructure.storage.errors.
"""

import os
from pathlib import Path
from typing import Protocol

from django.conf import settings

from domain.playback.recording import StorageTier, is_safe_relative_path
from infrastructure.storage.errors import (
    RecordingChecksumMismatch,
    RecordingFileMissing,
    RecordingFileTruncated,
)
from infrastructure.storage.s3 import s3_recordings
from vms_common.checksums import file_sha256
from vms_common.mp4 import bytes_reader, file_reader, init_section_size

# The init section of a recorder segment (ftyp + moov of one video track) is about 1 KB;
# this much of a tiered file is read to find it.
S3_HEAD_BYTES = 256 * 1024


class RecordingFile(Protocol):
    """What locating a recording's file needs (a Recording row or a RecordedSegment)."""

    @property
    def id(self) -> int: ...
    @property
    def path(self) -> str: ...
    @property
    def tier(self) -> str: ...
    @property
    def location(self) -> str: ...
    @property
    def size_bytes(self) -> int: ...
    @property
    def sha256(self) -> str: ...


def recording_file_path(*, root: Path, relative: str) -> Path:
    """The existing regular file at `relative` below `root`.

    Refuses `..`, absolute paths and symbolic links that lead out of `root`; all of
    these, and a missing file, are reported as not found.
    """
    missing = RecordingFileMissing("recording file not found")
    if not is_safe_relative_path(relative):
        raise missing
    try:
        real_root = root.resolve(strict=True)
        candidate = (real_root / relative).resolve(strict=True)
    except (OSError, RuntimeError):
        raise missing from None
    if not candidate.is_relative_to(real_root) or not candidate.is_file():
        raise missing
    return candidate


def recording_local_file(recording: RecordingFile) -> Path:
    """The local file of a recording, refused when it is shorter than recorded."""
    path = recording_file_path(root=settings.RECORDINGS_ROOT, relative=recording.path)
    size = path.stat().st_size
    if size < recording.size_bytes:
        raise RecordingFileTruncated(
            "the recording's file is shorter than recorded: it was cut off",
            extra={"recording_id": recording.id, "size": size, "expected": recording.size_bytes},
        )
    return path


def recording_location(recording: RecordingFile) -> str:
    """The S3 URL of a tiered recording (its bucket key is its path when none is stored)."""
    return recording.location or f"s3://{settings.S3_BUCKET}/{recording.path}"


def is_tiered(recording: RecordingFile) -> bool:
    return recording.tier == StorageTier.S3


def recording_init_size(recording: RecordingFile) -> int:
    """Bytes of the recording's init section, from the box headers of its file.

    Raises Mp4Error when the file is not a complete fragmented MP4, or a storage error.
    """
    if is_tiered(recording):
        head = s3_recordings().head_bytes(recording_location(recording), S3_HEAD_BYTES)
        return init_section_size(bytes_reader(head), recording.size_bytes)
    path = recording_local_file(recording)
    with path.open("rb") as file:
        return init_section_size(file_reader(file), recording.size_bytes)


def recording_fetch(*, recording: RecordingFile, destination_dir: Path) -> Path:
    """A local file with the recording's content.

    For a local recording, its file in the recordings folder (not copied). For a tiered
    one, a copy downloaded into `destination_dir`, named like the original, whose
    SHA-256 was checked against the recorded one; a mismatch removes the copy and raises
    RecordingChecksumMismatch. Raises RecordingFileMissing, RecordingFileTruncated or
    StorageUnavailable when the file cannot be had.
    """
    if not is_tiered(recording):
        return recording_local_file(recording)
    destination_dir.mkdir(parents=True, exist_ok=True)
    target = destination_dir / Path(recording.path).name
    partial = target.with_name(f".{target.name}.{recording.id}.partial")
    try:
        s3_recordings().download(recording_location(recording), partial)
        digest = file_sha256(partial)
        if digest != recording.sha256:
            raise RecordingChecksumMismatch(
                "the copy fetched from object storage does not match the recorded SHA-256",
                extra={
                    "recording_id": recording.id,
                    "expected": recording.sha256,
                    "actual": digest,
                },
            )
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target
