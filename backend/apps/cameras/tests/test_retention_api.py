"""PATCH /api/cameras/{id}/ {retention_days}: admins only, audited, pushed to the recorder.

The recorder is a tiny real HTTP server in the test (RecorderServer), so the real client
and its error translation are exercised.
"""

import pytest

from apps.audit.models import AuditEntry
from apps.cameras.models import Camera
from apps.cameras.tests.conftest import RECORDER_TOKEN
from apps.usuarios.models import Role


@pytest.fixture
def admin_client(client_for, make_user, tenant):
    return client_for(make_user(tenant, role=Role.ADMIN))


def test_admin_changes_retention_and_the_recorder_gets_the_policy(
    admin_client, camera, recorder_server
):
    response = admin_client.patch(
        f"/api/cameras/{camera.id}/", {"retention_days": 7}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["retention_days"] == 7
    camera.refresh_from_db()
    assert camera.retention_days == 7
    [pushed] = [r for r in recorder_server.requests if r.method == "PUT"]
    assert pushed.path == f"/cameras/{camera.tenant_id}/{camera.id}/policy"
    assert pushed.authorization == f"Bearer {RECORDER_TOKEN}"
    assert pushed.body == {"retention_days": 7, "holds": []}


def test_a_retention_change_is_audited(admin_client, camera, recorder_server):
    admin_client.patch(f"/api/cameras/{camera.id}/", {"retention_days": 15}, format="json")

    [entry] = AuditEntry.objects.filter(action="camera.updated")
    assert entry.target_type == "camera"
    assert entry.target_id == str(camera.id)
    assert entry.details == {"changes": {"retention_days": {"from": 30, "to": 15}}}
    assert entry.user.role == Role.ADMIN


@pytest.mark.parametrize("role", [Role.VIEWER, Role.OPERATOR])
def test_only_an_admin_may_change_retention(
    client_for, make_user, tenant, camera, recorder_server, role
):
    client = client_for(make_user(tenant, role=role))

    response = client.patch(f"/api/cameras/{camera.id}/", {"retention_days": 7}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert response.json()["extra"] == {"permission": "manage_config"}
    assert Camera.objects.get(pk=camera.pk).retention_days == 30
    assert recorder_server.requests == []


@pytest.mark.parametrize(
    "body",
    [
        {"retention_days": 0},
        {"retention_days": 3651},
        {"retention_days": -7},
        {"retention_days": "a week"},
        {"retention_days": 7.5},
        {"retention_days": None},
        {"retention_days": True},
        {"retention_days": 7, "colour": "blue"},
    ],
)
def test_invalid_retention_is_refused_with_400(admin_client, camera, recorder_server, body):
    response = admin_client.patch(f"/api/cameras/{camera.id}/", body, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"message", "code", "extra"}
    assert response.json()["code"] == "invalid"
    assert Camera.objects.get(pk=camera.pk).retention_days == 30
    assert recorder_server.requests == []


@pytest.mark.parametrize("days", [1, 3650])
def test_the_bounds_of_retention_are_accepted(admin_client, camera, recorder_server, days):
    response = admin_client.patch(
        f"/api/cameras/{camera.id}/", {"retention_days": days}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["retention_days"] == days


def test_an_admin_of_another_tenant_gets_404(client_for, make_user, other_tenant, camera):
    client = client_for(make_user(other_tenant, role=Role.ADMIN))

    response = client.patch(f"/api/cameras/{camera.id}/", {"retention_days": 7}, format="json")

    assert response.status_code == 404
    assert response.json()["code"] == "camera_not_found"


def test_retention_is_kept_and_a_retry_scheduled_when_the_recorder_is_down(
    admin_client, camera, django_capture_on_commit_callbacks
):
    # RECORDER_URL points at a port where nothing listens (see conftest).
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = admin_client.patch(
            f"/api/cameras/{camera.id}/", {"retention_days": 7}, format="json"
        )

    assert response.status_code == 200
    assert Camera.objects.get(pk=camera.pk).retention_days == 7
    assert len(callbacks) == 1  # the retry task is queued once the change is committed
