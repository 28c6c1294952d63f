from typing import Any

import pytest

from apps.dashboard.tests.helpers import own_channel_layer


@pytest.fixture(autouse=True)
def channel_layer(settings: Any) -> str:
    return own_channel_layer(settings)
