"""The recorder's /health: RabbitMQ, its recordings folder (present, writable, not full), ffmpeg."""

import shutil


def test_health_reports_every_dependency(recorder):
    response = recorder.get("/health")

    assert response.status_code == 200, response.json()
    assert response.json() == {
        "status": "ok",
        "checks": {"rabbitmq": "ok", "storage": "ok", "ffmpeg": "ok"},
    }


def test_health_is_503_when_the_recordings_folder_is_gone(recorder, settings):
    shutil.rmtree(settings.recordings_root)

    response = recorder.get("/health")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["storage"] == "recordings root missing"
    assert body["checks"]["rabbitmq"] == "ok"
