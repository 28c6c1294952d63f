"""moto's server standing in for AWS (Secrets Manager, KMS), which the tests cannot reach."""

from collections.abc import Iterator

import pytest

from vms_common.testing import free_port, moto_server


@pytest.fixture
def closed_port() -> int:
    return free_port()


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """URL of a moto server (`moto_server` of the venv) started for the session."""
    with moto_server() as url:
        yield url
