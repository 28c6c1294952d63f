"""Camera path validation and the paths file format."""

from pathlib import Path

import pytest

from camsim.config import StreamSettings
from camsim.paths import InvalidPathError, read_paths_file, unique_paths, validate_path


@pytest.mark.parametrize("path", ["acme/camera/door", "t_1/camera/C-2", "A/camera/b"])
def test_valid_paths_are_accepted(path: str) -> None:
    assert validate_path(path) == path


@pytest.mark.parametrize(
    "path",
    [
        "",
        "acme/door",
        "/acme/camera/door",
        "acme/camera/door/",
        "acme/cameras/door",
        "acme/camera/do or",
        "acme/camera/door\n",
        "../camera/door",
        "acme/camera/dö",
        None,
        42,
    ],
)
def test_invalid_paths_are_rejected(path: object) -> None:
    with pytest.raises(InvalidPathError, match="invalid camera path"):
        validate_path(path)


def test_unique_paths_keeps_first_order() -> None:
    assert unique_paths(["b/camera/1", "a/camera/1", "b/camera/1"]) == ["b/camera/1", "a/camera/1"]


def test_paths_file_skips_blank_lines_and_comments(tmp_path: Path) -> None:
    file = tmp_path / "paths.txt"
    file.write_text("# cameras\nacme/camera/1\n\n  acme/camera/2  \nacme/camera/1\n")
    assert read_paths_file(file) == ["acme/camera/1", "acme/camera/2"]


def test_paths_file_with_a_bad_line_is_rejected(tmp_path: Path) -> None:
    file = tmp_path / "paths.txt"
    file.write_text("acme/camera/1\nnot a path\n")
    with pytest.raises(InvalidPathError, match="not a path"):
        read_paths_file(file)


def test_stream_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="even"):
        StreamSettings(width=641)
    with pytest.raises(ValueError, match="fps"):
        StreamSettings(fps=0)
