def test_health_is_ok_when_postgres_and_rabbitmq_answer(client, db):
    response = client.get("/api/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"postgres": "ok", "rabbitmq": "ok"}}


def test_health_is_open_even_with_a_bad_token(client, db):
    response = client.get("/api/health", HTTP_AUTHORIZATION="Bearer garbage")

    assert response.status_code == 200


def test_health_is_503_naming_the_failing_check(client, db, settings):
    settings.RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:1/vms_test"

    response = client.get("/api/health")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["postgres"] == "ok"
    assert body["checks"]["rabbitmq"].startswith("error:")
