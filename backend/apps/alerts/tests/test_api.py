"""The alert rule and alert APIs: authentication, roles, tenancy, validation and auditing."""

import uuid

import pytest

from apps.alerts.models import Alert, AlertRule
from apps.alerts.tests.conftest import a_detection, a_rule, store
from apps.audit.models import AuditEntry
from apps.cameras.services import camera_create
from apps.usuarios.models import Role

RULES = "/api/alert-rules"


def a_body(**fields):
    return {"name": "Person at night", "label": "person", "min_confidence": 0.6, **fields}


def test_an_admin_creates_a_rule_with_every_field(admin_client, admin, camera):
    body = a_body(
        camera_id=str(camera.id),
        label="Person",
        zone=[[0, 0], [1, 0], [1, 1], [0, 1]],
        schedule={
            "weekdays": [4, 5],
            "start": "22:00",
            "end": "06:00",
            "timezone": "Europe/Madrid",
        },
        cooldown_s=120,
        webhook_url="https://hooks.example.com/vms",
        emails=["ops@example.com", "guard@example.com"],
    )

    response = admin_client.post(RULES, body, format="json")

    assert response.status_code == 201, response.json()
    created = response.json()
    assert set(created) == {
        "id", "name", "camera_id", "label", "min_confidence", "zone", "schedule", "cooldown_s",
        "enabled", "webhook_url", "emails", "created_at", "updated_at",
    }  # fmt: skip
    assert created["label"] == "person"
    assert created["camera_id"] == str(camera.id)
    assert created["zone"] == [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]
    assert created["schedule"] == {
        "weekdays": [4, 5], "start": "22:00:00", "end": "06:00:00", "timezone": "Europe/Madrid",
    }  # fmt: skip
    assert (created["cooldown_s"], created["enabled"]) == (120, True)
    rule = AlertRule.objects.get(pk=created["id"])
    assert rule.tenant == admin.tenant
    entry = AuditEntry.objects.get(action="alert_rule.created")
    assert (entry.user, entry.target_type, entry.target_id) == (admin, "alert_rule", str(rule.id))
    assert entry.details["label"] == "person"


def test_defaults_apply_to_an_all_cameras_rule(admin_client):
    response = admin_client.post(RULES, a_body(), format="json")

    created = response.json()
    assert (created["camera_id"], created["zone"], created["schedule"]) == (None, None, None)
    assert (created["cooldown_s"], created["enabled"], created["webhook_url"]) == (60, True, "")
    assert created["emails"] == []


@pytest.mark.parametrize("role", [Role.VIEWER, Role.OPERATOR])
def test_only_admins_change_rules(client_for, make_user, tenant, camera, role):
    client = client_for(make_user(tenant, role=role))
    rule = a_rule(camera)

    assert client.post(RULES, a_body(), format="json").status_code == 403
    patched = client.patch(f"{RULES}/{rule.id}", {"enabled": False}, format="json")
    assert patched.status_code == 403
    assert patched.json()["code"] == "permission_denied"
    assert client.delete(f"{RULES}/{rule.id}").status_code == 403
    assert client.get(f"{RULES}/{rule.id}").status_code == 200
    assert [r["id"] for r in client.get(RULES).json()] == [str(rule.id)]
    assert AlertRule.objects.get().enabled


def test_requests_without_a_token_are_refused(api_client, camera):
    rule = a_rule(camera)

    for response in (
        api_client.get(RULES),
        api_client.post(RULES, a_body(), format="json"),
        api_client.get(f"{RULES}/{rule.id}"),
        api_client.get("/api/alerts"),
    ):
        assert response.status_code == 401
        assert set(response.json()) == {"message", "code", "extra"}


def test_another_tenants_rule_is_not_found(admin_client, other_tenant):
    theirs = a_rule(camera_create(tenant=other_tenant, name="Gate"))

    assert admin_client.get(RULES).json() == []
    for response in (
        admin_client.get(f"{RULES}/{theirs.id}"),
        admin_client.patch(f"{RULES}/{theirs.id}", {"enabled": False}, format="json"),
        admin_client.delete(f"{RULES}/{theirs.id}"),
        admin_client.get(f"{RULES}/{uuid.uuid4()}"),
        admin_client.get(f"{RULES}/not-a-uuid"),
    ):
        assert response.status_code == 404
        assert response.json()["code"] == "alert_rule_not_found"
    assert AlertRule.objects.get().enabled


def test_a_rule_cannot_name_another_tenants_camera(admin_client, other_tenant):
    theirs = camera_create(tenant=other_tenant, name="Gate")

    response = admin_client.post(RULES, a_body(camera_id=str(theirs.id)), format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "unknown_camera"
    assert not AlertRule.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"min_confidence": 1.5}, "min_confidence"),
        ({"label": ""}, "label"),
        ({"label": "Pérson!"}, "label"),
        ({"name": ""}, "name"),
        ({"zone": [[0, 0], [1, 1]]}, "zone"),
        ({"zone": [[0, 0], [0.5, 0.5], [1, 1]]}, "zone"),
        ({"zone": [[0, 0], [1.2, 0], [0, 1]]}, "zone"),
        ({"zone": "everywhere"}, "zone"),
        ({"schedule": {"weekdays": [1], "start": "22:00", "end": "06:00", "timezone": "Mars/Base"}}, "schedule"),
        ({"schedule": {"weekdays": [], "start": "22:00", "end": "06:00", "timezone": "UTC"}}, "schedule"),
        ({"schedule": {"weekdays": [7], "start": "22:00", "end": "06:00", "timezone": "UTC"}}, "schedule"),
        ({"schedule": {"weekdays": [1], "start": "25:00", "end": "06:00", "timezone": "UTC"}}, "schedule"),
        ({"cooldown_s": -1}, "cooldown_s"),
        ({"cooldown_s": 10**9}, "cooldown_s"),
        ({"webhook_url": "ftp://example.com/hook"}, "webhook_url"),
        ({"webhook_url": "javascript:alert(1)"}, "webhook_url"),
        ({"emails": ["not-an-address"]}, "emails"),
        ({"emails": "ops@example.com"}, "emails"),
        ({"camera_id": "not-a-uuid"}, "camera_id"),
    ],
)  # fmt: skip
def test_invalid_rules_are_400_with_the_field_named(admin_client, fields, field):
    response = admin_client.post(RULES, a_body(**fields), format="json")

    assert response.status_code == 400, response.json()
    body = response.json()
    assert set(body) == {"message", "code", "extra"}
    assert field in body["message"]
    assert not AlertRule.objects.exists()


def test_a_body_that_is_not_json_is_400(admin_client):
    response = admin_client.post(RULES, "{", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_an_admin_changes_some_fields_and_the_change_is_audited(admin_client, admin, camera):
    rule = a_rule(camera, webhook_url="https://hooks.example.com/a")

    response = admin_client.patch(
        f"{RULES}/{rule.id}",
        {"enabled": False, "min_confidence": 0.8, "zone": None, "camera_id": None},
        format="json",
    )

    assert response.status_code == 200, response.json()
    changed = response.json()
    assert (changed["enabled"], changed["min_confidence"], changed["camera_id"]) == (
        False, 0.8, None,
    )  # fmt: skip
    assert changed["webhook_url"] == "https://hooks.example.com/a"  # untouched
    assert changed["name"] == rule.name
    entry = AuditEntry.objects.get(action="alert_rule.updated")
    assert entry.user == admin
    assert entry.details["changed"]["enabled"] == {"from": True, "to": False}
    assert set(entry.details["changed"]) == {"enabled", "min_confidence", "camera_id"}


def test_an_invalid_change_leaves_the_rule_as_it_was(admin_client, camera):
    rule = a_rule(camera)

    response = admin_client.patch(f"{RULES}/{rule.id}", {"zone": [[0, 0]]}, format="json")

    assert response.status_code == 400
    rule.refresh_from_db()
    assert rule.zone is None
    assert not AuditEntry.objects.filter(action="alert_rule.updated").exists()


def test_deleting_a_rule_keeps_its_alerts(admin_client, admin, camera):
    rule = a_rule(camera)
    store(a_detection(camera))

    response = admin_client.delete(f"{RULES}/{rule.id}")

    assert response.status_code == 204
    assert not AlertRule.objects.exists()
    alert = Alert.objects.get()
    assert (alert.rule, alert.rule_name) == (None, rule.name)
    assert AuditEntry.objects.get(action="alert_rule.deleted").user == admin


# --- GET /api/alerts ---------------------------------------------------------------------------
def raise_alerts(camera, count, start=0):
    rule = a_rule(camera, name=f"every {camera.name} {start}", cooldown_s=0)
    store(*[a_detection(camera, start + n) for n in range(count)])
    return list(Alert.objects.filter(rule=rule).order_by("id"))


def test_alerts_are_listed_oldest_first_with_since_and_limit(auth_client, tenant, camera):
    alerts = raise_alerts(camera, 5)
    ids = [a.id for a in alerts]

    newest = auth_client.get("/api/alerts", {"limit": 2}).json()
    after = auth_client.get("/api/alerts", {"since": ids[1], "limit": 2}).json()
    caught_up = auth_client.get("/api/alerts", {"since": ids[-1]}).json()

    assert [a["id"] for a in newest["results"]] == ids[3:]
    assert newest["next_since"] == ids[-1]
    assert [a["id"] for a in after["results"]] == ids[2:4]
    assert after["next_since"] == ids[3]
    assert caught_up == {"results": [], "next_since": ids[-1]}
    first = newest["results"][0]
    assert set(first) == {
        "id", "event_id", "rule_id", "rule_name", "camera_id", "detection_id", "label",
        "confidence", "box", "captured_at", "raised_at", "published_at", "webhook", "email",
    }  # fmt: skip
    assert first["captured_at"].endswith("Z")
    assert first["webhook"] == {
        "status": "none", "attempts": 0, "last_error": None, "delivered_at": None,
    }  # fmt: skip


def test_alerts_filter_by_camera_and_never_show_another_tenants(
    auth_client, tenant, camera, other_tenant
):
    yard = camera_create(tenant=tenant, name="Yard")
    theirs = camera_create(tenant=other_tenant, name="Gate")
    mine = raise_alerts(camera, 2)
    in_yard = raise_alerts(yard, 1, start=100)
    raise_alerts(theirs, 3)

    everything = auth_client.get("/api/alerts").json()["results"]
    yard_only = auth_client.get("/api/alerts", {"camera_id": str(yard.id)}).json()["results"]
    other = auth_client.get("/api/alerts", {"camera_id": str(theirs.id)})

    assert [a["id"] for a in everything] == [a.id for a in mine + in_yard]
    assert [a["id"] for a in yard_only] == [in_yard[0].id]
    assert other.status_code == 404


@pytest.mark.parametrize(
    "query", [{"limit": 0}, {"limit": 501}, {"since": -1}, {"since": "x"}, {"camera_id": "nope"}]
)
def test_bad_alert_queries_are_400(auth_client, query):
    response = auth_client.get("/api/alerts", query)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
