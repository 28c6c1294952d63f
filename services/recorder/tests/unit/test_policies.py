"""Retention policies and evidence holds: set by the backend over HTTP, kept on disk."""

import secrets

import pytest
from fastapi.testclient import TestClient

from recorder.main import create_app
from recorder.policies import PolicyStore, PolicyUnreadable
from recorder.retention import RetentionPolicy
from recorder.settings import RecorderSettings

HOLD = {"id": "export-17", "start": "2026-03-01T10:00:00Z", "end": "2026-03-01T10:05:00+00:00"}


@pytest.fixture
def settings(tmp_path) -> RecorderSettings:
    return RecorderSettings(
        recordings_root=tmp_path / "recordings",
        RECORDER_API_TOKEN=secrets.token_urlsafe(24),
        retention_days_default=21,
    )


def _client(settings: RecorderSettings) -> TestClient:
    # Without `with`, the app's start-up (broker, recorder, scheduler) does not run:
    # the policy endpoints need none of it.
    token = settings.api_token.get_secret_value()
    return TestClient(create_app(settings), headers={"Authorization": f"Bearer {token}"})


def test_a_policy_put_is_returned_and_survives_a_restart(settings):
    response = _client(settings).put(
        "/cameras/tenant-a/cam-1/policy", json={"retention_days": 7, "holds": [HOLD]}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["retention_days"] == 7
    assert body["holds"] == [
        {"id": "export-17", "start": "2026-03-01T10:00:00Z", "end": "2026-03-01T10:05:00Z"}
    ]
    assert body["updated_at"] is not None

    again = _client(settings).get("/cameras/tenant-a/cam-1/policy").json()
    assert again == body
    stored = PolicyStore(settings.recordings_root, 30).get("tenant-a", "cam-1")
    assert stored.retention_days == 7
    assert [h.id for h in stored.holds] == ["export-17"]


def test_a_put_replaces_the_holds(settings):
    client = _client(settings)
    client.put("/cameras/tenant-a/cam-1/policy", json={"retention_days": 7, "holds": [HOLD]})
    body = client.put("/cameras/tenant-a/cam-1/policy", json={"retention_days": 15}).json()
    assert body["holds"] == []
    assert body["retention_days"] == 15


def test_a_camera_never_described_has_the_default_retention_and_no_holds(settings):
    body = _client(settings).get("/cameras/tenant-a/cam-9/policy").json()
    assert body == {
        "tenant_id": "tenant-a",
        "camera_id": "cam-9",
        "retention_days": 21,
        "holds": [],
        "updated_at": None,
    }


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/cameras/tenant-a/cam-1/policy", {"retention_days": 0}),
        ("/cameras/tenant-a/cam-1/policy", {"retention_days": 3651}),
        ("/cameras/tenant-a/cam-1/policy", {}),
        (
            "/cameras/tenant-a/cam-1/policy",
            {"retention_days": 7, "holds": [{**HOLD, "end": HOLD["start"]}]},
        ),
        (
            "/cameras/tenant-a/cam-1/policy",
            {"retention_days": 7, "holds": [{**HOLD, "start": "yesterday"}]},
        ),
        (
            "/cameras/tenant-a/cam-1/policy",
            {"retention_days": 7, "holds": [{**HOLD, "start": "2026-03-01T10:00:00"}]},
        ),
        (
            "/cameras/tenant-a/cam-1/policy",
            {"retention_days": 7, "holds": [{**HOLD, "id": "../x"}]},
        ),
        ("/cameras/tenant-a/cam-1/policy", {"retention_days": 7, "holds": [HOLD, HOLD]}),
        ("/cameras/tenant.a/cam-1/policy", {"retention_days": 7}),
    ],
    ids=[
        "zero-days",
        "too-many-days",
        "missing-days",
        "hold-ends-at-start",
        "malformed-time",
        "naive-time",
        "bad-hold-id",
        "duplicate-hold-ids",
        "bad-tenant-id",
    ],
)
def test_bad_policies_are_refused_with_a_400_and_nothing_is_stored(settings, path, body):
    response = _client(settings).put(path, json=body)
    assert response.status_code == 400, response.text
    error = response.json()
    assert set(error) == {"message", "code", "extra"}
    assert error["code"] == "invalid_request"
    assert not (settings.recordings_root / ".policies").exists()


def test_policies_need_the_recorder_token(settings):
    client = TestClient(create_app(settings))
    response = client.put("/cameras/tenant-a/cam-1/policy", json={"retention_days": 7})
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert client.get("/cameras/tenant-a/cam-1/policy").status_code == 401


def test_a_damaged_policy_file_is_reported_not_guessed(settings):
    store = PolicyStore(settings.recordings_root, 30)
    store.put("tenant-a", "cam-1", RetentionPolicy(7))
    (settings.recordings_root / ".policies" / "tenant-a" / "cam-1.json").write_text("{not json")
    with pytest.raises(PolicyUnreadable):
        store.get("tenant-a", "cam-1")
    response = _client(settings).get("/cameras/tenant-a/cam-1/policy")
    assert response.status_code == 503
    assert set(response.json()) == {"message", "code", "extra"}
    # a PUT repairs it
    fixed = _client(settings).put("/cameras/tenant-a/cam-1/policy", json={"retention_days": 9})
    assert fixed.status_code == 200
    assert store.get("tenant-a", "cam-1").retention_days == 9


def test_a_policy_that_cannot_be_written_is_a_clear_503_not_a_crash(settings):
    settings.recordings_root.mkdir(parents=True)
    (settings.recordings_root / ".policies").write_text(
        "in the way"
    )  # as unwritable as a full disk
    response = _client(settings).put("/cameras/tenant-a/cam-1/policy", json={"retention_days": 7})
    assert response.status_code == 503
    assert set(response.json()) == {"message", "code", "extra"}
    assert "policy not stored" in response.json()["message"]
