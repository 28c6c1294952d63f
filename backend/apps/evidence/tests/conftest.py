"""Real fragmented-MP4 segments made with ffmpeg at test time, and an export runner."""

import hashlib
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from apps.cameras.tests.conftest import recorder_server  # noqa: F401 (fixture)
from apps.usuarios.models import Role

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
SEGMENT_S = 5


@pytest.fixture
def user(make_user: Callable[..., Any], tenant: Any) -> Any:
    """Exports are made by operators: their role has the control_camera permission."""
    return make_user(tenant, username="olivia", role=Role.OPERATOR)


@pytest.fixture(scope="session")
def segment_bytes(tmp_path_factory: pytest.TempPathFactory) -> list[bytes]:
    """Three different 5 s H.264 segments (15 fps, a keyframe every second), fragmented MP4."""
    folder = tmp_path_factory.mktemp("segments")
    contents = []
    for number, pattern in enumerate(("testsrc", "testsrc2", "smptebars")):
        out = folder / f"segment_{number}.mp4"
        subprocess.run(
            [
                "ffmpeg",
                "-nostdin",
                "-loglevel",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                f"{pattern}=size=320x240:rate=15",
                "-t",
                str(SEGMENT_S),
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-g",
                "15",
                "-movflags",
                "+frag_keyframe+empty_moov+default_base_moof",
                str(out),
            ],
            check=True,
            timeout=60,
        )
        contents.append(out.read_bytes())
    return contents


@pytest.fixture
def put_segment(make_recording: Callable[..., Any]) -> Callable[..., Any]:
    """Store a real segment file and its Recording row (with the file's true SHA-256)."""

    def put(camera: Any, start: datetime, content: bytes, **overrides: Any) -> Any:
        return make_recording(
            camera,
            start,
            timedelta(seconds=SEGMENT_S),
            content=content,
            sha256=hashlib.sha256(content).hexdigest(),
            **overrides,
        )

    return put


@pytest.fixture
def admin_client(client_for: Callable[..., Any], make_user: Callable[..., Any], tenant: Any) -> Any:
    return client_for(make_user(tenant, role=Role.ADMIN))


def ffprobe_duration(path: Path) -> float:
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return float(result.stdout.strip())


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
