"""Evidence holds: released by admins only, audited, and the recorder is told at once.

The recorder is a tiny real HTTP server in the test (RecorderServer).
"""

import uuid
from datetime import timedelta

import pytest

from apps.audit.models import AuditEntry
from apps.evidence.models import EvidenceHold
from apps.evidence.services import hold_create
from apps.evidence.tests.conftest import T0
from apps.usuarios.models import Role


@pytest.fixture
def hold(camera, user):
    return hold_create(
        camera=camera, start=T0, end=T0 + timedelta(minutes=10), reason="case 42", user=user
    )


def test_an_admin_releases_a_hold_and_the_recorder_no_longer_keeps_it(
    admin_client, hold, recorder_server
):
    response = admin_client.post(f"/api/evidence-holds/{hold.id}/release")

    assert response.status_code == 200
    assert response.json()["released_at"] is not None
    hold.refresh_from_db()
    assert hold.released_at is not None
    [pushed] = recorder_server.requests
    assert pushed.body == {"retention_days": 30, "holds": []}
    entry = AuditEntry.objects.get(action="hold.released")
    assert entry.target_id == str(hold.id)
    assert entry.user.role == Role.ADMIN


@pytest.mark.parametrize("role", [Role.VIEWER, Role.OPERATOR])
def test_only_an_admin_may_release_a_hold(
    client_for, make_user, tenant, hold, recorder_server, role
):
    response = client_for(make_user(tenant, role=role)).post(
        f"/api/evidence-holds/{hold.id}/release"
    )

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert EvidenceHold.objects.get(pk=hold.pk).released_at is None
    assert recorder_server.requests == []


def test_another_tenants_hold_is_not_found(client_for, make_user, other_tenant, hold):
    client = client_for(make_user(other_tenant, role=Role.ADMIN))

    unknown = client.post(f"/api/evidence-holds/{uuid.uuid4()}/release")
    foreign = client.post(f"/api/evidence-holds/{hold.id}/release")

    assert unknown.status_code == foreign.status_code == 404
    assert foreign.json()["code"] == "hold_not_found"


def test_releasing_twice_keeps_the_first_release(admin_client, hold, recorder_server):
    first = admin_client.post(f"/api/evidence-holds/{hold.id}/release").json()

    second = admin_client.post(f"/api/evidence-holds/{hold.id}/release").json()

    assert second["released_at"] == first["released_at"]
    assert AuditEntry.objects.filter(action="hold.released").count() == 1
