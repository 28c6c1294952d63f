import pytest

from apps.cameras.selectors import cameras_for_user
from apps.cameras.services import camera_create
from apps.core.exceptions import Conflict, InvalidInput


def test_camera_create_gives_the_relay_path_of_its_tenant(tenant):
    camera = camera_create(tenant=tenant, name="  Lobby ")

    assert camera.name == "Lobby"
    assert camera.enabled is True
    assert camera.relay_path == f"{tenant.id}/camera/{camera.id}"


def test_camera_names_are_unique_within_a_tenant_only(tenant, other_tenant):
    camera_create(tenant=tenant, name="Lobby")
    camera_create(tenant=other_tenant, name="Lobby")

    with pytest.raises(Conflict):
        camera_create(tenant=tenant, name="Lobby")


def test_a_camera_needs_a_name(tenant):
    with pytest.raises(InvalidInput):
        camera_create(tenant=tenant, name="   ")


def test_a_user_without_a_tenant_sees_no_cameras(camera, django_user_model):
    superuser = django_user_model.objects.create_superuser("root", password="x")

    assert list(cameras_for_user(superuser)) == []
