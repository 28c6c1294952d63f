"""The tenant's users, managed by its admins: `/api/users` and `/api/users/{id}`."""

from collections.abc import Callable
from typing import Any

import pytest
from conftest import PASSWORD
from rest_framework.test import APIClient

from apps.audit.models import AuditEntry
from apps.usuarios.models import Role, Tenant, User
from infrastructure.auth.tokens import token_pair_for_user

USERS = "/api/users"
NEW_PASSWORD = "a long and unusual passphrase"
FIELDS = {
    "id",
    "username",
    "email",
    "first_name",
    "last_name",
    "role",
    "is_active",
    "last_login",
    "date_joined",
}


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body: dict[str, Any] = response.json()
    assert set(body) == {"message", "code", "extra"}
    assert body["code"] == code, body
    return body


def user_entries(action: str | None = None) -> list[AuditEntry]:
    entries = AuditEntry.objects.filter(target_type="user").order_by("id")
    if action is not None:
        entries = entries.filter(action=action)
    return list(entries)


@pytest.fixture
def admin(make_user: Callable[..., User], tenant: Tenant) -> User:
    return make_user(tenant, username="root-of-acme", role=Role.ADMIN)


@pytest.fixture
def admin_client(client_for: Callable[[User], APIClient], admin: User) -> APIClient:
    return client_for(admin)


def new_user(**fields: Any) -> dict[str, Any]:
    return {"username": "bob", "password": NEW_PASSWORD, "role": "operator", **fields}


# --- list and detail --------------------------------------------------------------------


def test_an_admin_lists_the_users_of_their_tenant_only(
    admin_client: APIClient, admin: User, user: User, other_user: User
) -> None:
    response = admin_client.get(USERS)

    assert response.status_code == 200
    body = response.json()
    assert [u["username"] for u in body] == ["alice", "root-of-acme"]
    assert all(set(u) == FIELDS for u in body)
    alice = body[0]
    assert alice["id"] == user.pk
    assert (alice["role"], alice["is_active"], alice["last_login"]) == ("viewer", True, None)
    assert "pbkdf2" not in response.content.decode()


def test_a_user_is_shown_with_the_time_of_their_last_login(
    admin_client: APIClient, api_client: APIClient, user: User
) -> None:
    login = api_client.post(
        "/api/auth/login", {"username": "alice", "password": PASSWORD}, format="json"
    )
    assert login.status_code == 200

    body = admin_client.get(f"{USERS}/{user.pk}").json()

    assert body["username"] == "alice"
    assert body["last_login"] is not None


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_another_tenants_user_is_not_found_and_left_alone(
    admin_client: APIClient, other_user: User, method: str
) -> None:
    response = getattr(admin_client, method)(
        f"{USERS}/{other_user.pk}", {"role": "admin"}, format="json"
    )

    assert_error(response, 404, "user_not_found")
    other_user.refresh_from_db()
    assert (other_user.role, other_user.is_active) == (Role.VIEWER, True)


@pytest.mark.parametrize(
    "user_id", ["0", "999999999", "99999999999999999999999", "abc", "%D9%A1", "+1", "1_0"]
)
def test_an_unknown_user_is_not_found(admin_client: APIClient, user_id: str) -> None:
    assert_error(admin_client.get(f"{USERS}/{user_id}"), 404, "user_not_found")


@pytest.mark.parametrize("role", [Role.VIEWER, Role.OPERATOR])
def test_only_admins_see_or_change_users(
    client_for: Callable[[User], APIClient],
    make_user: Callable[..., User],
    tenant: Tenant,
    user: User,
    role: str,
) -> None:
    client = client_for(make_user(tenant, role=role))

    assert_error(client.get(USERS), 403, "permission_denied")
    assert_error(client.post(USERS, new_user(), format="json"), 403, "permission_denied")
    assert_error(client.delete(f"{USERS}/{user.pk}"), 403, "permission_denied")
    assert User.objects.get(pk=user.pk).is_active


# --- adding a user ----------------------------------------------------------------------


def test_an_admin_adds_a_user_who_can_then_log_in(
    admin_client: APIClient, api_client: APIClient, admin: User, tenant: Tenant
) -> None:
    response = admin_client.post(
        USERS,
        new_user(email="bob@example.com", first_name="Bob", last_name="Builder"),
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == FIELDS
    assert body["username"] == "bob"
    assert (body["role"], body["email"], body["is_active"]) == (
        "operator",
        "bob@example.com",
        True,
    )
    bob = User.objects.get(pk=body["id"])
    assert bob.tenant_id == tenant.id
    assert not (bob.is_staff or bob.is_superuser)
    login = api_client.post(
        "/api/auth/login", {"username": "bob", "password": NEW_PASSWORD}, format="json"
    )
    assert login.status_code == 200
    [entry] = user_entries("user.created")
    assert (entry.user_id, entry.tenant_id, entry.target_id) == (admin.pk, tenant.id, str(bob.pk))
    assert entry.details == {"username": "bob", "role": "operator"}


def test_a_weak_password_is_refused_with_every_validators_message(
    admin_client: APIClient,
) -> None:
    response = admin_client.post(USERS, new_user(password="12345"), format="json")

    body = assert_error(response, 400, "invalid")
    messages = body["extra"]["fields"]["password"]
    assert any("too short" in m for m in messages)
    assert any("too common" in m for m in messages)
    assert any("entirely numeric" in m for m in messages)
    assert body["message"].startswith("password: ")
    assert not User.objects.filter(username="bob").exists()
    assert user_entries() == []


def test_a_password_like_the_username_is_refused(admin_client: APIClient) -> None:
    response = admin_client.post(
        USERS, new_user(username="margaret.thatcher", password="margaretthatcher"), format="json"
    )

    body = assert_error(response, 400, "invalid")
    assert any("too similar" in m for m in body["extra"]["fields"]["password"])


@pytest.mark.parametrize("owner", ["same tenant", "other tenant"])
def test_a_username_taken_anywhere_is_a_conflict(
    admin_client: APIClient, user: User, other_user: User, owner: str
) -> None:
    taken = "alice" if owner == "same tenant" else "mallory"

    response = admin_client.post(USERS, new_user(username=taken), format="json")

    body = assert_error(response, 409, "username_taken")
    assert body["extra"] == {"username": taken}
    assert User.objects.filter(username=taken).count() == 1


@pytest.mark.parametrize(
    "body",
    [
        new_user(role="superadmin"),
        new_user(role=""),
        new_user(username="bob smith"),
        new_user(username="b" * 151),
        new_user(email="not-an-email"),
        new_user(password=""),
        {"username": "bob", "password": NEW_PASSWORD},
        {"username": "bob", "role": "viewer"},
    ],
    ids=[
        "unknown-role",
        "empty-role",
        "space-in-username",
        "long-username",
        "bad-email",
        "empty-password",
        "no-role",
        "no-password",
    ],
)
def test_bad_input_when_adding_is_a_400(admin_client: APIClient, body: dict[str, Any]) -> None:
    assert_error(admin_client.post(USERS, body, format="json"), 400, "invalid")
    assert not User.objects.filter(username="bob").exists()


@pytest.mark.parametrize(
    "field, value",
    [("is_superuser", True), ("is_staff", True), ("tenant", "x"), ("tenant_id", "x")],
)
def test_unknown_fields_when_adding_are_refused(
    admin_client: APIClient, field: str, value: Any
) -> None:
    response = admin_client.post(USERS, new_user(**{field: value}), format="json")

    body = assert_error(response, 400, "invalid")
    assert field in body["extra"]["fields"]
    assert not User.objects.filter(username="bob").exists()


# --- changing a user --------------------------------------------------------------------


def test_a_role_change_is_audited_and_shows_at_the_users_next_request(
    admin_client: APIClient, client_for: Callable[[User], APIClient], admin: User, user: User
) -> None:
    alices_client = client_for(user)  # a token issued while she was a viewer
    assert_error(alices_client.get(USERS), 403, "permission_denied")

    response = admin_client.patch(f"{USERS}/{user.pk}", {"role": "admin"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["role"] == "admin"
    assert alices_client.get(USERS).status_code == 200
    [entry] = user_entries("user.role_changed")
    assert entry.user_id == admin.pk
    assert entry.details == {"username": "alice", "from": "viewer", "to": "admin"}

    admin_client.patch(f"{USERS}/{user.pk}", {"role": "viewer"}, format="json")
    assert_error(alices_client.get(USERS), 403, "permission_denied")


def test_a_password_reset_is_audited_without_the_password(
    admin_client: APIClient, api_client: APIClient, user: User
) -> None:
    response = admin_client.patch(f"{USERS}/{user.pk}", {"password": NEW_PASSWORD}, format="json")

    assert response.status_code == 200, response.content

    def login(password: str) -> int:
        return int(
            api_client.post(
                "/api/auth/login", {"username": "alice", "password": password}, format="json"
            ).status_code
        )

    assert (login(NEW_PASSWORD), login(PASSWORD)) == (200, 401)
    [entry] = user_entries("user.password_reset")
    assert entry.details == {"username": "alice"}
    stored = "".join(str(e.details) for e in AuditEntry.objects.all())
    assert NEW_PASSWORD not in stored


def test_a_weak_password_reset_is_refused_and_changes_nothing(
    admin_client: APIClient, api_client: APIClient, user: User
) -> None:
    response = admin_client.patch(
        f"{USERS}/{user.pk}", {"password": "alice", "role": "operator"}, format="json"
    )

    body = assert_error(response, 400, "invalid")
    assert body["extra"]["fields"]["password"]
    user.refresh_from_db()
    assert user.role == Role.VIEWER
    assert user.check_password(PASSWORD)
    assert user_entries() == []


def test_profile_changes_are_audited_with_before_and_after(
    admin_client: APIClient, user: User
) -> None:
    response = admin_client.patch(
        f"{USERS}/{user.pk}",
        {"email": "alice@example.com", "first_name": "Alice", "last_name": ""},
        format="json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["email"], body["first_name"], body["last_name"]) == (
        "alice@example.com",
        "Alice",
        "",
    )
    [entry] = user_entries()
    assert entry.action == "user.updated"
    assert entry.details["fields"] == {
        "email": {"from": "", "to": "alice@example.com"},
        "first_name": {"from": "", "to": "Alice"},
    }


def test_a_patch_that_changes_nothing_records_nothing(admin_client: APIClient, user: User) -> None:
    response = admin_client.patch(f"{USERS}/{user.pk}", {"role": "viewer"}, format="json")

    assert response.status_code == 200
    assert user_entries() == []


@pytest.mark.parametrize(
    "body",
    [
        {"username": "alice2"},
        {"is_superuser": True},
        {"date_joined": "2020-01-01T00:00:00Z"},
        {"role": "root"},
        {"is_active": "maybe"},
        {"email": "nope"},
    ],
    ids=["username", "is_superuser", "date_joined", "unknown-role", "not-a-bool", "bad-email"],
)
def test_bad_or_unknown_fields_when_changing_are_refused(
    admin_client: APIClient, user: User, body: dict[str, Any]
) -> None:
    assert_error(admin_client.patch(f"{USERS}/{user.pk}", body, format="json"), 400, "invalid")
    user.refresh_from_db()
    assert (user.username, user.role, user.is_superuser) == ("alice", Role.VIEWER, False)


def test_a_site_administrators_account_is_not_changed_by_a_tenant_admin(
    admin_client: APIClient, make_user: Callable[..., User], tenant: Tenant
) -> None:
    site = make_user(tenant, username="site-root", role=Role.ADMIN)
    User.objects.filter(pk=site.pk).update(is_superuser=True, is_staff=True)

    response = admin_client.patch(f"{USERS}/{site.pk}", {"password": NEW_PASSWORD}, format="json")

    assert_error(response, 403, "site_account")
    assert_error(admin_client.delete(f"{USERS}/{site.pk}"), 403, "site_account")
    site.refresh_from_db()
    assert site.check_password(PASSWORD) and site.is_active


# --- deactivating -----------------------------------------------------------------------


def test_delete_deactivates_keeps_the_row_and_ends_the_users_tokens_at_once(
    admin_client: APIClient,
    api_client: APIClient,
    client_for: Callable[[User], APIClient],
    admin: User,
    user: User,
) -> None:
    tokens = token_pair_for_user(user)
    alices_client = client_for(user)
    assert alices_client.get("/api/cameras/").status_code == 200

    response = admin_client.delete(f"{USERS}/{user.pk}")

    assert response.status_code == 204
    user.refresh_from_db()
    assert user.is_active is False
    assert_error(alices_client.get("/api/cameras/"), 401, "user_inactive")
    refresh = api_client.post("/api/auth/refresh", {"refresh": tokens.refresh}, format="json")
    assert_error(refresh, 401, "token_not_valid")
    login = api_client.post(
        "/api/auth/login", {"username": "alice", "password": PASSWORD}, format="json"
    )
    assert_error(login, 401, "invalid_credentials")
    [entry] = user_entries("user.deactivated")
    assert (entry.user_id, entry.target_id) == (admin.pk, str(user.pk))
    listed = {u["username"]: u["is_active"] for u in admin_client.get(USERS).json()}
    assert listed["alice"] is False


def test_deleting_a_deactivated_user_again_changes_nothing(
    admin_client: APIClient, user: User
) -> None:
    assert admin_client.delete(f"{USERS}/{user.pk}").status_code == 204
    assert admin_client.delete(f"{USERS}/{user.pk}").status_code == 204

    assert len(user_entries("user.deactivated")) == 1


def test_a_deactivated_user_is_reactivated_with_a_patch(
    admin_client: APIClient, api_client: APIClient, user: User
) -> None:
    admin_client.delete(f"{USERS}/{user.pk}")

    response = admin_client.patch(f"{USERS}/{user.pk}", {"is_active": True}, format="json")

    assert response.status_code == 200
    assert response.json()["is_active"] is True
    login = api_client.post(
        "/api/auth/login", {"username": "alice", "password": PASSWORD}, format="json"
    )
    assert login.status_code == 200
    assert [e.action for e in user_entries()] == ["user.deactivated", "user.reactivated"]


# --- guard rails ------------------------------------------------------------------------


def test_an_admin_cannot_deactivate_themselves(admin_client: APIClient, admin: User) -> None:
    assert_error(admin_client.delete(f"{USERS}/{admin.pk}"), 409, "own_account")
    response = admin_client.patch(f"{USERS}/{admin.pk}", {"is_active": False}, format="json")

    assert_error(response, 409, "own_account")
    admin.refresh_from_db()
    assert admin.is_active
    assert user_entries() == []


def test_the_last_active_admin_cannot_be_demoted(admin_client: APIClient, admin: User) -> None:
    response = admin_client.patch(f"{USERS}/{admin.pk}", {"role": "operator"}, format="json")

    body = assert_error(response, 409, "last_admin")
    assert body["extra"] == {"user_id": admin.pk}
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN
    assert user_entries() == []


def test_an_inactive_admin_does_not_count_as_the_tenants_admin(
    admin_client: APIClient, make_user: Callable[..., User], tenant: Tenant, admin: User
) -> None:
    dormant = make_user(tenant, role=Role.ADMIN)
    assert admin_client.delete(f"{USERS}/{dormant.pk}").status_code == 204

    response = admin_client.patch(f"{USERS}/{admin.pk}", {"role": "viewer"}, format="json")

    assert_error(response, 409, "last_admin")


def test_an_admin_may_step_down_while_another_admin_remains(
    admin_client: APIClient, make_user: Callable[..., User], tenant: Tenant, admin: User
) -> None:
    make_user(tenant, role=Role.ADMIN)

    response = admin_client.patch(f"{USERS}/{admin.pk}", {"role": "operator"}, format="json")

    assert response.status_code == 200
    assert response.json()["role"] == "operator"
    # Their next request is an operator's.
    assert_error(admin_client.get(USERS), 403, "permission_denied")
