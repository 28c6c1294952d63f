import socket

import pytest
from django.db import connections


def _closed_port() -> int:
    """A port of 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("path", ["/api/health", "/health"])
def test_health_is_ok_when_postgres_rabbitmq_and_redis_answer(client, db, path):
    response = client.get(path)

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"postgres": "ok", "rabbitmq": "ok", "redis": "ok"},
    }


def test_health_is_open_even_with_a_bad_token(client, db):
    response = client.get("/api/health", HTTP_AUTHORIZATION="Bearer garbage")

    assert response.status_code == 200


def test_health_is_503_naming_the_failing_check(client, db, settings):
    settings.RABBITMQ_URL = f"amqp://guest:guest@127.0.0.1:{_closed_port()}/vms_test"

    response = client.get("/api/health")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["postgres"] == "ok"
    assert body["checks"]["redis"] == "ok"
    assert body["checks"]["rabbitmq"].startswith("error:")


def test_health_is_503_when_redis_is_down_with_every_state(client, db, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{_closed_port()}/7"

    response = client.get("/api/health")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["postgres"] == "ok"
    assert body["checks"]["rabbitmq"] == "ok"
    assert body["checks"]["redis"].startswith("error:")
    assert "Connection" in body["checks"]["redis"]


def test_health_is_503_when_postgres_is_down(client, transactional_db):
    # outside a test transaction, the connection is closed and reopened on a closed port
    connection = connections["default"]
    saved = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = str(_closed_port())
    try:
        response = client.get("/api/health")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = saved

    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["postgres"].startswith("error:")
    assert body["checks"]["rabbitmq"] == "ok"
    assert body["checks"]["redis"] == "ok"
