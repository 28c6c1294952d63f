"""What each role may do (`/api/roles`) and who is signed in (`/api/me`)."""

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from apps.usuarios.models import Role, Tenant, User


def test_every_signed_in_user_reads_the_roles_and_their_permissions(
    auth_client: APIClient,
) -> None:
    response = auth_client.get("/api/roles")

    assert response.status_code == 200
    assert response.json() == [
        {"role": "viewer", "label": "Viewer", "permissions": ["view_stream"]},
        {
            "role": "operator",
            "label": "Operator",
            "permissions": ["view_stream", "control_camera"],
        },
        {
            "role": "admin",
            "label": "Admin",
            "permissions": ["view_stream", "control_camera", "manage_config"],
        },
    ]


@pytest.mark.parametrize(
    "role, permissions",
    [
        (Role.VIEWER, ["view_stream"]),
        (Role.OPERATOR, ["view_stream", "control_camera"]),
        (Role.ADMIN, ["view_stream", "control_camera", "manage_config"]),
    ],
)
def test_me_is_the_signed_in_user_with_their_tenant_role_and_permissions(
    client_for: Callable[[User], APIClient],
    make_user: Callable[..., User],
    tenant: Tenant,
    role: str,
    permissions: list[str],
) -> None:
    me = make_user(tenant, username="carol", role=role)

    response = client_for(me).get("/api/me")

    assert response.status_code == 200
    assert response.json() == {
        "id": me.pk,
        "username": "carol",
        "email": "",
        "first_name": "",
        "last_name": "",
        "tenant": {"id": str(tenant.id), "name": "Acme"},
        "role": role,
        "permissions": permissions,
    }


def test_me_follows_a_role_change_without_a_new_token(
    client_for: Callable[[User], APIClient], user: User
) -> None:
    client = client_for(user)
    User.objects.filter(pk=user.pk).update(role=Role.OPERATOR)

    body = client.get("/api/me").json()

    assert (body["role"], body["permissions"]) == ("operator", ["view_stream", "control_camera"])


def test_me_and_roles_need_a_token(api_client: APIClient, db: None) -> None:
    assert api_client.get("/api/me").status_code == 401
    assert api_client.get("/api/roles").status_code == 401
