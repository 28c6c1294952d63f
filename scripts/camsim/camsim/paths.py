"""Camera paths: the `{tenant_id}/camera/{camera_id}` part of a camera's RTSP URL.

The simulator serves each camera at `rtsp://HOST:PORT/{path}`, the same scheme as the
production relay. Paths are validated here, by the server and by the control client alike.
"""

import re
from collections.abc import Iterable
from pathlib import Path

PATH_PATTERN = re.compile(r"[A-Za-z0-9_-]+/camera/[A-Za-z0-9_-]+")
PATH_PATTERN_TEXT = "^[A-Za-z0-9_-]+/camera/[A-Za-z0-9_-]+$"


class InvalidPathError(ValueError):
    """A camera path that does not have the form `{tenant_id}/camera/{camera_id}`."""

    def __init__(self, path: object) -> None:
        super().__init__(f"invalid camera path {path!r}: expected {PATH_PATTERN_TEXT}")
        self.path = path


def validate_path(path: object) -> str:
    """Return `path` if it is a valid camera path, else raise :class:`InvalidPathError`."""
    if not isinstance(path, str) or PATH_PATTERN.fullmatch(path) is None:
        raise InvalidPathError(path)
    return path


def unique_paths(paths: Iterable[str]) -> list[str]:
    """Validate `paths` and drop repeats, keeping the first occurrence's order."""
    seen: dict[str, None] = {}
    for path in paths:
        seen.setdefault(validate_path(path), None)
    return list(seen)


def read_paths_file(file: Path) -> list[str]:
    """Read one camera path per line; blank lines and lines starting with `#` are skipped."""
    lines = file.read_text(encoding="utf-8").splitlines()
    return unique_paths(s for line in lines if (s := line.strip()) and not s.startswith("#"))
