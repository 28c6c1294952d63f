"""Finished segments in local storage, walked lazily in start order, and their removal.

Only ``{root}/{tenant}/{camera}/{yyyy}/{mm}/{dd}/{hh}/segment_*.mp4`` is ever looked at: the
dot folders (``.incoming`` with segments being written, ``.corrupt``, ``.outbox``,
``.policies``) are skipped entirely.
"""

import os
import re
from collections.abc import Iterator
from pathlib import Path

from recorder.retention import StoredSegment, parse_segment_path
from vms_common.contracts import ID_PATTERN


def _subdirs(path: Path, pattern: str) -> list[Path]:
    try:
        with os.scandir(path) as entries:
            names = sorted(
                e.name
                for e in entries
                if e.is_dir(follow_symlinks=False) and re.match(pattern, e.name)
            )
    except (FileNotFoundError, NotADirectoryError):
        return []
    return [path / name for name in names]


def camera_dirs(root: Path) -> Iterator[tuple[str, str]]:
    """(tenant_id, camera_id) of every camera with a folder in local storage."""
    for tenant in _subdirs(root, ID_PATTERN):
        for camera in _subdirs(tenant, ID_PATTERN):
            yield tenant.name, camera.name


def camera_segments(root: Path, tenant_id: str, camera_id: str) -> Iterator[StoredSegment]:
    """The camera's finished segments, oldest first (folders and names sort by time)."""
    for year in _subdirs(root / tenant_id / camera_id, r"^\d{4}$"):
        for month in _subdirs(year, r"^\d{2}$"):
            for day in _subdirs(month, r"^\d{2}$"):
                for hour in _subdirs(day, r"^\d{2}$"):
                    yield from _hour_segments(root, hour)


def _hour_segments(root: Path, hour: Path) -> Iterator[StoredSegment]:
    try:
        with os.scandir(hour) as entries:
            files = sorted(
                (e.name, e) for e in entries if e.name.startswith("segment_") and e.is_file()
            )
    except FileNotFoundError:
        return
    for _, entry in files:
        try:
            size = entry.stat().st_size
        except FileNotFoundError:
            continue
        segment = parse_segment_path((hour / entry.name).relative_to(root).as_posix(), size)
        if segment is not None:
            yield segment


def segment_remove(root: Path, segment: StoredSegment, prune: bool) -> bool:
    """Delete a segment file; False if it was already gone. With `prune`, also remove the hour,
    day, month and year folders it leaves empty (never the camera's own folder)."""
    path = root / segment.path
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    if prune:
        camera_dir = root / segment.tenant_id / segment.camera_id
        parent = path.parent
        while parent != camera_dir and camera_dir in parent.parents:
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent
    return True
