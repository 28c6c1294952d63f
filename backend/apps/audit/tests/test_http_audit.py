"""The API's audit trail: every change requested (any outcome), every login attempt, the
append-only log, and `GET /api/audit` for the tenant's admins."""

import json
import uuid

import pytest
from asgiref.sync import async_to_sync
from conftest import PASSWORD
from django.db import DatabaseError, connection, transaction
from django.test import AsyncClient

from apps.audit.models import AuditEntry, AuditLogIsAppendOnly
from apps.audit.services import audit_record
from apps.usuarios.models import Role
from infrastructure.auth.tokens import token_pair_for_user

RULES = "/api/alert-rules"
LOGIN = "/api/auth/login"
AUDIT = "/api/audit"


@pytest.fixture
def admin(make_user, tenant):
    return make_user(tenant, username="ada", role=Role.ADMIN)


@pytest.fixture
def admin_api(client_for, admin):
    return client_for(admin)


def a_rule(**fields):
    return {"name": "Person at the gate", "label": "person", "min_confidence": 0.5, **fields}


def http_entries():
    return list(AuditEntry.objects.filter(target_type="http").order_by("id"))


def test_a_change_is_recorded_with_who_what_where_and_the_outcome(admin_api, admin):
    response = admin_api.post(RULES, a_rule(), format="json", HTTP_X_TRACE_ID="trace-abc-123")

    assert response.status_code == 201
    [entry] = http_entries()
    assert (entry.user, entry.tenant_id) == (admin, admin.tenant_id)
    assert (entry.action, entry.method, entry.path, entry.status) == (
        "api.post",
        "POST",
        RULES,
        201,
    )
    assert entry.target_id == entry.details["view"] == "alert-rule-list"
    assert (entry.ip, entry.trace_id) == ("127.0.0.1", "trace-abc-123")
    # The service's own entry stays: the two name different things.
    assert AuditEntry.objects.filter(action="alert_rule.created", user=admin).count() == 1
    assert "Person at the gate" not in json.dumps(entry.details)


def test_refused_and_invalid_changes_are_recorded_too(client_for, make_user, tenant, admin_api):
    viewer = make_user(tenant, role=Role.VIEWER)

    refused = client_for(viewer).post(RULES, a_rule(), format="json")
    invalid = admin_api.patch(f"{RULES}/{uuid.uuid4()}", {"label": ""}, format="json")
    deleted = admin_api.delete(f"{RULES}/not-a-rule")

    assert (refused.status_code, invalid.status_code, deleted.status_code) == (403, 404, 404)
    entries = http_entries()
    assert [(e.action, e.status, e.user_id) for e in entries] == [
        ("api.post", 403, viewer.pk),
        ("api.patch", 404, entries[1].user_id),
        ("api.delete", 404, entries[2].user_id),
    ]
    assert entries[1].user_id == entries[2].user_id is not None
    assert {entry.tenant_id for entry in entries} == {tenant.id}


def test_a_change_with_a_refused_token_is_recorded_without_a_user(db, api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not.a.token")

    response = api_client.post(RULES, a_rule(), format="json")

    assert response.status_code == 401
    [entry] = http_entries()
    assert (entry.user, entry.tenant, entry.status) == (None, None, 401)
    assert "not.a.token" not in json.dumps(entry.details)


def test_a_token_user_is_found_outside_drf_views_too(admin_api, admin):
    response = admin_api.post("/api/no-such-thing", {}, format="json")

    assert response.status_code == 404
    [entry] = http_entries()
    assert (entry.user, entry.tenant_id, entry.status) == (admin, admin.tenant_id, 404)


def test_reads_and_the_stream_auth_callback_are_not_recorded(auth_client, api_client):
    assert auth_client.get("/api/cameras/").status_code == 200
    refused = api_client.post(
        "/api/auth/validate-stream", {"action": "read", "path": "x"}, format="json"
    )

    assert refused.status_code == 401
    assert http_entries() == []


def test_a_failed_login_keeps_the_username_tried_and_never_the_password(api_client, user):
    response = api_client.post(
        LOGIN, {"username": "alice", "password": "wrong-password-xyz"}, format="json"
    )

    assert response.status_code == 401
    [entry] = http_entries()
    assert (entry.action, entry.status, entry.user) == ("auth.login_failed", 401, None)
    assert entry.tenant_id == user.tenant_id  # alice's admins see attempts on her account
    assert entry.details["username"] == "alice"
    assert entry.details["known_user"] is True
    stored = json.dumps({f.name: str(getattr(entry, f.attname)) for f in AuditEntry._meta.fields})
    assert "wrong-password-xyz" not in stored


def test_a_failed_login_of_an_unknown_user_has_no_tenant(api_client, user):
    unknown = api_client.post(LOGIN, {"username": "nobody", "password": "x"}, format="json")
    malformed = api_client.post(LOGIN, {"username": "alice"}, format="json")
    not_json = api_client.post(LOGIN, "{", content_type="application/json")

    assert (unknown.status_code, malformed.status_code, not_json.status_code) == (401, 400, 400)
    entries = http_entries()
    assert [(e.action, e.status, e.tenant_id) for e in entries] == [
        ("auth.login_failed", 401, None),
        ("auth.login_failed", 400, user.tenant_id),
        ("auth.login_failed", 400, None),
    ]
    assert [e.details["username"] for e in entries] == ["nobody", "alice", ""]


def test_unstorable_text_in_a_username_or_path_is_recorded_replaced(api_client, db):
    nul = api_client.post(LOGIN, {"username": "a\x00b", "password": "x"}, format="json")
    surrogate = api_client.post(
        LOGIN, b'{"username": "\\ud800x", "password": "x"}', content_type="application/json"
    )
    odd_path = api_client.post("/api/x%00y", {}, format="json")

    assert (nul.status_code, surrogate.status_code, odd_path.status_code) == (400, 400, 404)
    entries = http_entries()
    assert [e.details.get("username") for e in entries] == ["a\ufffdb", "?x", None]
    assert entries[2].path == "/api/x\ufffdy"


def test_a_successful_login_is_recorded_with_its_user(api_client, user):
    response = api_client.post(LOGIN, {"username": "alice", "password": PASSWORD}, format="json")

    assert response.status_code == 200
    [entry] = http_entries()
    assert (entry.action, entry.user, entry.tenant_id) == ("auth.login", user, user.tenant_id)
    assert response.json()["access"] not in json.dumps(entry.details)


def test_forwarded_for_is_believed_only_behind_a_trusted_proxy(db, settings, api_client):
    forwarded = {"HTTP_X_FORWARDED_FOR": "203.0.113.9, 198.51.100.7"}
    api_client.post(LOGIN, {"username": "a", "password": "b"}, format="json", **forwarded)
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    api_client.post(LOGIN, {"username": "a", "password": "b"}, format="json", **forwarded)

    assert [entry.ip for entry in http_entries()] == ["127.0.0.1", "198.51.100.7"]


def test_the_log_is_append_only(tenant):
    entry = audit_record(tenant=tenant, user=None, action="x", target_type="t", target_id="1")

    entry.action = "changed"
    with pytest.raises(AuditLogIsAppendOnly):
        entry.save()
    with pytest.raises(AuditLogIsAppendOnly):
        entry.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(action="changed")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "x"


def test_the_database_refuses_changes_made_around_the_model(tenant):
    entry = audit_record(tenant=tenant, user=None, action="x", target_type="t", target_id="1")

    for statement in (
        "UPDATE audit_auditentry SET action = 'changed' WHERE id = %s",
        "DELETE FROM audit_auditentry WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).action == "x"


def test_admins_read_their_tenants_log(admin_api, admin, other_tenant, tenant):
    admin_api.post(RULES, a_rule(), format="json")
    audit_record(tenant=other_tenant, user=None, action="x", target_type="t", target_id="1")
    audit_record(
        tenant=tenant, user=None, action="export.completed", target_type="export", target_id="e"
    )

    response = admin_api.get(AUDIT)

    assert response.status_code == 200
    body = response.json()
    actions = [entry["action"] for entry in body["results"]]
    assert actions == ["alert_rule.created", "api.post", "export.completed"]
    http = body["results"][1]
    assert http["username"] == "ada"
    assert (http["method"], http["path"], http["status"], http["ip"]) == (
        "POST",
        RULES,
        201,
        "127.0.0.1",
    )
    assert body["next_since"] == body["results"][-1]["id"]


def test_the_log_pages_by_id_and_filters_by_action(admin_api, tenant):
    for n in range(5):
        audit_record(tenant=tenant, user=None, action=f"a{n % 2}", target_type="t", target_id=n)

    first = admin_api.get(AUDIT, {"limit": 2}).json()
    after = admin_api.get(AUDIT, {"since": first["results"][0]["id"], "limit": 2}).json()
    only = admin_api.get(AUDIT, {"action": "a1"}).json()

    assert [e["target_id"] for e in first["results"]] == ["3", "4"]
    assert [e["target_id"] for e in after["results"]] == ["4"]
    assert [e["target_id"] for e in only["results"]] == ["1", "3"]


@pytest.mark.parametrize("role", [Role.VIEWER, Role.OPERATOR])
def test_only_admins_read_the_log(client_for, make_user, tenant, role):
    response = client_for(make_user(tenant, role=role)).get(AUDIT)

    assert response.status_code == 403
    assert set(response.json()) == {"message", "code", "extra"}


@pytest.mark.parametrize(
    "query", [{"limit": 0}, {"limit": 501}, {"since": -1}, {"since": "x"}, {"action": "a\x00"}]
)
def test_bad_queries_are_refused(admin_api, query):
    response = admin_api.get(AUDIT, query)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_the_log_needs_a_token(api_client):
    assert api_client.get(AUDIT).status_code == 401


def test_under_asgi_the_entry_has_the_user_and_the_trace_id(admin):
    client = AsyncClient()
    headers = {
        "Authorization": f"Bearer {token_pair_for_user(admin).access}",
        "X-Trace-Id": "asgi-trace-7",
    }

    async def post():
        return await client.post(RULES, a_rule(), content_type="application/json", headers=headers)

    response = async_to_sync(post)()

    assert response.status_code == 201
    [entry] = http_entries()
    assert (entry.user, entry.trace_id, entry.status) == (admin, "asgi-trace-7", 201)
