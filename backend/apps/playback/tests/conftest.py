"""Real fragmented MP4 segments, made once per session with ffmpeg."""

import subprocess
from pathlib import Path

import pytest

from vms_common.mp4 import init_section_size_of_bytes


@pytest.fixture(scope="session")
def fmp4_segment(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """Two seconds of H.264 in a fragmented MP4, as the recorder writes them."""
    path = tmp_path_factory.mktemp("fmp4") / "segment.mp4"
    subprocess.run(
        [
            "ffmpeg",
            "-hide_banner",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=320x240:rate=10:duration=2",
            "-c:v",
            "libx264",
            "-g",
            "10",
            "-pix_fmt",
            "yuv420p",
            "-movflags",
            "+frag_keyframe+empty_moov+default_base_moof",
            "-f",
            "mp4",
            str(path),
        ],
        check=True,
        timeout=60,
    )
    return path.read_bytes()


@pytest.fixture(scope="session")
def fmp4_init_size(fmp4_segment: bytes) -> int:
    return init_section_size_of_bytes(fmp4_segment)


def write_file(root: Path, relative: str, content: bytes) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path
