import json
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from apps.cameras.models import Camera
from apps.usuarios.models import Tenant, User


def demo_setup(*args: str) -> dict:
    out = StringIO()
    call_command("demo_setup", *args, stdout=out)
    return json.loads(out.getvalue())


def test_demo_setup_creates_tenant_admin_and_cameras(db):
    result = demo_setup("--cameras", "2", "--password", "first-pass")

    tenant = Tenant.objects.get(name="Demo")
    assert result["tenant_id"] == str(tenant.id)
    assert result["username"] == "admin"
    assert [c["name"] for c in result["cameras"]] == ["Camera 1", "Camera 2"]
    for listed in result["cameras"]:
        camera = Camera.objects.get(pk=listed["id"], tenant=tenant)
        assert listed["relay_path"] == f"{tenant.id}/camera/{camera.id}"
    admin = User.objects.get(username="admin")
    assert (admin.tenant_id, admin.role) == (tenant.id, "admin")
    assert authenticate(username="admin", password="first-pass") == admin


def test_demo_setup_again_reuses_everything_and_adds_what_is_missing(db):
    first = demo_setup("--cameras", "2", "--password", "first-pass")
    second = demo_setup("--cameras", "3", "--password", "second-pass", "--username", "admin")

    assert second["tenant_id"] == first["tenant_id"]
    assert second["cameras"][:2] == first["cameras"]
    assert second["cameras"][2]["name"] == "Camera 3"
    assert Tenant.objects.count() == 1
    assert Camera.objects.count() == 3
    assert User.objects.count() == 1
    assert authenticate(username="admin", password="first-pass") is None
    assert authenticate(username="admin", password="second-pass") is not None


def test_demo_setup_with_fewer_cameras_lists_only_those(db):
    demo_setup("--cameras", "3", "--password", "p")

    result = demo_setup("--cameras", "1", "--password", "p")

    assert [c["name"] for c in result["cameras"]] == ["Camera 1"]
    assert Camera.objects.count() == 3


def test_demo_setup_refuses_a_username_of_another_tenant(user):
    with pytest.raises(CommandError, match="another tenant"):
        demo_setup("--cameras", "1", "--username", user.username, "--password", "p")
