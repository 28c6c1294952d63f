"""What can go wrong reading a recording's file, in the backend's error hierarchy."""

from apps.core.exceptions import ApplicationError, ResourceNotFound, Unavailable


class RecordingFileMissing(ResourceNotFound):
    """The recording's file is not on disk (any more) or not in the bucket (404)."""

    default_code = "recording_file_not_found"


class RecordingFileTruncated(ResourceNotFound):
    """The file on disk is shorter than the recording it belongs to (404)."""

    default_code = "recording_file_truncated"


class StorageUnavailable(Unavailable):
    """Object storage cannot be reached or refuses us: try again later (503)."""

    default_code = "storage_unavailable"


class RecordingChecksumMismatch(ApplicationError):
    """A fetched copy's SHA-256 differs from the one recorded: it must not be used."""

    default_code = "recording_checksum_mismatch"


class ObjectRangeNotSatisfiable(Exception):
    """Object storage says the asked-for byte range lies outside the object (416)."""
