"""Camera administration through the API: an admin adds, changes and removes cameras, and
each change reaches the relay, the recorder and the detection service at once.

The three services are tiny real HTTP servers in the test (RecorderServer), so the real
clients run end to end. MediaMTX cannot run here: its stand-in answers its Control API's
documented `POST /v3/config/paths/replace/{name}` and `DELETE /v3/config/paths/delete/{name}`.
"""

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from apps.audit.models import AuditEntry
from apps.cameras.models import Camera
from apps.cameras.tests.recorder_fakes import RecorderServer
from apps.usuarios.models import Role

URL = "/api/cameras/"
SECRET = "s3cr3t:p@ss"
ENCODED = "s3cr3t%3Ap%40ss"


@pytest.fixture
def services(settings: Any) -> Iterator[dict[str, RecorderServer]]:
    with RecorderServer() as recorder, RecorderServer() as detection, RecorderServer() as relay:
        settings.RECORDER_URL = recorder.url
        settings.DETECTION_URL = detection.url
        settings.MEDIAMTX_API_URL = relay.url
        yield {"recorder": recorder, "detection": detection, "relay": relay}


@pytest.fixture
def admin_client(client_for, make_user, tenant):
    return client_for(make_user(tenant, role=Role.ADMIN))


def calls(server: RecorderServer) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in server.requests]


def create(client: Any, **body: Any) -> Any:
    return client.post(URL, {"name": "Gate", **body}, format="json")


def test_an_admin_adds_a_camera_and_every_service_is_told(admin_client, services, tenant):
    response = create(
        admin_client,
        rtsp_url=f"rtsp://admin:{ENCODED}@10.1.2.3:554/Streaming/Channels/101",
        retention_days=14,
        detection_provider="rekognition",
        detection_min_confidence=0.8,
        detection_daily_budget_usd="2.50",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    camera = Camera.objects.get(pk=body["id"])
    assert body["rtsp_url"] == "rtsp://10.1.2.3:554/Streaming/Channels/101"
    assert body["has_credentials"] is True
    assert body["sync"] == {"relay": "done", "recorder": "done", "detection": "done"}
    path = f"{tenant.id}/camera/{camera.id}"
    [relayed] = services["relay"].requests
    assert (relayed.method, relayed.path) == ("POST", f"/v3/config/paths/replace/{path}")
    assert relayed.body["source"] == (f"rtsp://admin:{ENCODED}@10.1.2.3:554/Streaming/Channels/101")
    assert relayed.body["sourceOnDemand"] is False
    assert calls(services["recorder"]) == [
        ("PUT", f"/cameras/{tenant.id}/{camera.id}/policy"),
        ("POST", "/record/start"),
    ]
    assert services["recorder"].requests[0].body["retention_days"] == 14
    [started] = services["detection"].requests
    assert started.path == "/cameras/start"
    assert started.body == {
        "tenant_id": str(tenant.id),
        "camera_id": str(camera.id),
        "provider": {"type": "rekognition", "min_confidence": 0.8},
        "daily_budget_usd": 2.5,
    }


def test_credentials_are_never_returned_stored_in_clear_audited_or_logged(
    admin_client, services, caplog, capsys
):
    caplog.set_level(logging.DEBUG)
    services["detection"].statuses = [500]  # a failure is logged: still without the password
    response = create(
        admin_client,
        rtsp_url="rtsp://10.1.2.3/live",
        username="operator",
        password=SECRET,
    )
    assert response.status_code == 201, response.content
    camera = Camera.objects.get(pk=response.json()["id"])
    listed = (
        admin_client.get(URL).content.decode()
        + admin_client.get(f"{URL}{camera.id}/").content.decode()
    )
    audit = json.dumps([e.details for e in AuditEntry.objects.all()])
    logs = caplog.text + "".join(capsys.readouterr())
    for text in (response.content.decode(), listed, audit, logs, camera.source_password_sealed):
        assert SECRET not in text and ENCODED not in text
    assert camera.source_username == "operator"
    assert "credentials" in audit


@pytest.mark.parametrize(
    "rtsp_url",
    [
        "http://10.1.2.3/live",
        "rtsp://10.1.2.3/live; rm -rf /",
        "rtsp://10.1.2.3/$(reboot)",
        "rtsp://10.1.2.3/live -f null",
        "rtsp://10.1.2.3/live`id`",
        "rtsp:///live",
        "file:///etc/passwd",
    ],
)
def test_a_bad_address_is_a_400_and_nothing_is_stored_or_sent(admin_client, services, rtsp_url):
    response = create(admin_client, rtsp_url=rtsp_url)

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"
    assert response.json()["extra"]["field"] == "rtsp_url"
    assert not Camera.objects.exists()
    assert all(not s.requests for s in services.values())


@pytest.mark.parametrize(
    "body",
    [
        {"username": "only-a-name"},
        {"detection_provider": "yolo"},
        {"detection_min_confidence": 1.5},
        {"detection_daily_budget_usd": -1},
        {"recording_enabled": "sometimes"},
        {"colour": "blue"},
        {"name": ""},
    ],
)
def test_bad_settings_are_a_400(admin_client, services, body):
    response = create(admin_client, **body)

    assert response.status_code == 400, response.content
    assert set(response.json()) == {"message", "code", "extra"}
    assert not Camera.objects.exists()


def test_a_second_camera_with_the_same_name_is_a_409(admin_client, services, camera):
    response = create(admin_client, name=camera.name)

    assert response.status_code == 409
    assert response.json()["code"] == "camera_exists"


def test_changes_reach_the_services_without_a_restart(admin_client, services, camera):
    def patch(**body: Any) -> Any:
        for server in services.values():
            server.requests.clear()
        response = admin_client.patch(f"{URL}{camera.id}/", body, format="json")
        assert response.status_code == 200, response.content
        return response.json()

    patch(rtsp_url="rtsp://cam.example.com/main")
    assert calls(services["relay"]) == [
        ("POST", f"/v3/config/paths/replace/{camera.tenant_id}/camera/{camera.id}")
    ]
    assert services["relay"].requests[0].body["source"] == "rtsp://cam.example.com/main"

    patch(detection_enabled=False)
    assert calls(services["detection"]) == [("POST", "/cameras/stop")]

    patch(recording_enabled=False)
    assert calls(services["recorder"])[-1] == ("POST", "/record/stop")

    body = patch(enabled=False, detection_enabled=True)
    assert body["enabled"] is False
    assert calls(services["relay"]) == [
        ("DELETE", f"/v3/config/paths/delete/{camera.tenant_id}/camera/{camera.id}")
    ]
    assert calls(services["detection"]) == [("POST", "/cameras/stop")]
    [entry, *_] = AuditEntry.objects.filter(action="camera.updated").order_by("-id")
    assert entry.details["changes"] == {
        "enabled": {"from": True, "to": False},
        "detection_enabled": {"from": False, "to": True},
    }


def test_a_service_that_is_away_gets_the_change_later(
    admin_client, services, camera, django_capture_on_commit_callbacks
):
    services["recorder"].statuses = [503]

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = admin_client.patch(f"{URL}{camera.id}/", {"retention_days": 9}, format="json")

    assert response.status_code == 200
    assert response.json()["sync"]["recorder"] == "pending"
    assert response.json()["sync"]["detection"] == "done"
    assert Camera.objects.get(pk=camera.pk).retention_days == 9
    assert len(callbacks) == 1  # the retry task, queued once the change is committed


def test_viewers_see_cameras_but_not_their_addresses(auth_client, admin_client, camera, services):
    admin_client.patch(f"{URL}{camera.id}/", {"rtsp_url": "rtsp://10.0.0.9/a"}, format="json")

    [seen] = auth_client.get(URL).json()
    assert "rtsp_url" not in seen and "has_credentials" not in seen
    assert admin_client.get(f"{URL}{camera.id}/").json()["rtsp_url"] == "rtsp://10.0.0.9/a"


def test_deleting_a_camera_stops_it_everywhere(admin_client, services, camera):
    response = admin_client.delete(f"{URL}{camera.id}/")

    assert response.status_code == 204
    assert not Camera.objects.filter(pk=camera.pk).exists()
    assert calls(services["recorder"]) == [("POST", "/record/stop")]
    assert calls(services["detection"]) == [("POST", "/cameras/stop")]
    assert [m for m, _ in calls(services["relay"])] == ["DELETE"]
    assert AuditEntry.objects.filter(action="camera.deleted", target_id=str(camera.id)).exists()


def test_a_camera_with_recordings_is_kept_and_can_be_disabled_instead(
    admin_client, services, camera, make_recording
):
    from datetime import UTC, datetime

    make_recording(camera, datetime(2026, 11, 23, 10, 0, tzinfo=UTC))

    response = admin_client.delete(f"{URL}{camera.id}/")

    assert response.status_code == 409
    assert response.json()["code"] == "camera_has_history"
    assert response.json()["extra"] == {"history": ["recordings"]}
    assert Camera.objects.filter(pk=camera.pk).exists()
    assert all(not s.requests for s in services.values())


def test_the_django_admin_adds_a_camera_with_the_same_checks_and_pushes(client, services, tenant):
    from apps.usuarios.models import User

    client.force_login(User.objects.create_superuser("root", password="x" * 20))
    form = {
        "tenant": str(tenant.id),
        "name": "Yard",
        "enabled": "on",
        "rtsp_url": "rtsp://10.1.2.3/live; reboot",
        "username": "admin",
        "password": SECRET,
        "recording_enabled": "on",
        "retention_days": "30",
        "detection_enabled": "on",
        "detection_provider": "opencv",
        "detection_min_confidence": "0.7",
        "detection_daily_budget_usd": "",
    }
    refused = client.post("/admin/cameras/camera/add/", form)
    assert refused.status_code == 200 and not Camera.objects.exists()

    added = client.post("/admin/cameras/camera/add/", form | {"rtsp_url": "rtsp://10.1.2.3/live"})

    assert added.status_code == 302
    camera = Camera.objects.get(name="Yard")
    assert camera.source_url == "rtsp://10.1.2.3/live"
    assert SECRET not in camera.source_password_sealed
    assert services["relay"].requests[0].body["source"] == f"rtsp://admin:{ENCODED}@10.1.2.3/live"
    assert ("POST", "/record/start") in calls(services["recorder"])
