"""Where segments live on disk.

Finished segments: ``{root}/{tenant}/{camera}/{yyyy}/{mm}/{dd}/{hh}/segment_{timestamp}.mp4`` (UTC).
Segments being written: ``{root}/.incoming/{tenant}/{camera}/{run}/``; unreadable ones are kept,
never deleted, under ``{root}/.corrupt/``.
"""

from datetime import UTC, datetime
from pathlib import Path, PurePosixPath


def segment_relative_path(tenant_id: str, camera_id: str, start: datetime) -> PurePosixPath:
    """The storage-root-relative path of a segment starting at `start`."""
    start = start.astimezone(UTC)
    stamp = start.strftime("%Y%m%dT%H%M%S") + f".{start.microsecond // 1000:03d}Z"
    return PurePosixPath(
        tenant_id,
        camera_id,
        f"{start:%Y}",
        f"{start:%m}",
        f"{start:%d}",
        f"{start:%H}",
        f"segment_{stamp}.mp4",
    )


def incoming_dir(root: Path, tenant_id: str, camera_id: str, run: str) -> Path:
    return root / ".incoming" / tenant_id / camera_id / run


def corrupt_dir(root: Path, tenant_id: str, camera_id: str) -> Path:
    return root / ".corrupt" / tenant_id / camera_id
