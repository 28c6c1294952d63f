"""The recordings folder on disk: finding a segment's file without leaving the folder."""

from pathlib import Path

from apps.core.exceptions import ResourceNotFound
from domain.playback.recording import is_safe_relative_path


def recording_file_path(*, root: Path, relative: str) -> Path:
    """The existing regular file at `relative` below `root`.

    Refuses `..`, absolute paths and symbolic links that lead out of `root`; all of
    these, and a missing file, are reported as not found.
    """
    missing = ResourceNotFound("recording file not found", code="recording_file_not_found")
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
