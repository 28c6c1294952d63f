from collections.abc import Iterator
from typing import Any

import pytest

from apps.cameras.tests.recorder_fakes import RecorderServer

RECORDER_TOKEN = "test-recorder-token-0123456789"


@pytest.fixture
def recorder_server(settings: Any) -> Iterator[RecorderServer]:
    """A real HTTP recorder stand-in; RECORDER_URL points at it."""
    with RecorderServer() as server:
        settings.RECORDER_URL = server.url
        settings.RECORDER_API_TOKEN = RECORDER_TOKEN
        yield server
