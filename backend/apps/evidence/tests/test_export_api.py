"""POST /api/playback/{camera_id}/export and GET /api/exports/: validation, tenancy, holds.

The recorder is a tiny real HTTP server in the test (RecorderServer) or, where it must be
down, a port on which nothing listens.
"""

import uuid
from datetime import timedelta

import pytest

from apps.audit.models import AuditEntry
from apps.evidence.models import EvidenceHold, ExportJob
from apps.evidence.tests.conftest import T0, iso
from apps.usuarios.models import Role


def export_url(camera_id) -> str:
    return f"/api/playback/{camera_id}/export"


@pytest.fixture
def recorded(camera, put_segment, segment_bytes):
    return [put_segment(camera, T0 + timedelta(seconds=5 * n), segment_bytes[n]) for n in range(3)]


def test_an_export_is_accepted_with_a_queued_job(
    auth_client, camera, recorded, recorder_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = auth_client.post(
            export_url(camera.id),
            {"start": iso(T0), "end": iso(T0 + timedelta(seconds=12))},
            format="json",
        )

    assert response.status_code == 202
    body = response.json()
    assert set(body) == {
        "id", "camera_id", "start", "end", "status", "progress", "error", "warning",
        "created_at", "finished_at", "sha256", "clip_url", "manifest_url",
    }  # fmt: skip
    assert body["camera_id"] == str(camera.id)
    assert (body["start"], body["end"]) == ("2026-11-23T10:00:00Z", "2026-11-23T10:00:12Z")
    assert (body["status"], body["progress"]) == ("queued", 0.0)
    assert body["clip_url"] is body["manifest_url"] is body["sha256"] is body["warning"] is None
    assert len(callbacks) == 1  # the worker task is queued when the request commits


def test_an_export_holds_its_range_and_the_recorder_is_told(
    auth_client, user, camera, recorded, recorder_server
):
    end = T0 + timedelta(seconds=12)
    response = auth_client.post(
        export_url(camera.id), {"start": iso(T0), "end": iso(end)}, format="json"
    )

    hold = EvidenceHold.objects.get(export_id=response.json()["id"])
    assert (hold.camera_id, hold.start, hold.end, hold.released_at) == (camera.id, T0, end, None)
    assert hold.created_by == user
    assert hold.pushed_at is not None
    [pushed] = recorder_server.requests
    assert pushed.path == f"/cameras/{camera.tenant_id}/{camera.id}/policy"
    assert pushed.body == {
        "retention_days": 30,
        "holds": [
            {"id": str(hold.id), "start": "2026-11-23T10:00:00Z", "end": "2026-11-23T10:00:12Z"}
        ],
    }


def test_an_export_request_is_audited(auth_client, user, camera, recorded, recorder_server):
    response = auth_client.post(
        export_url(camera.id),
        {"start": iso(T0), "end": iso(T0 + timedelta(seconds=12))},
        format="json",
    )

    entry = AuditEntry.objects.get(action="export.requested")
    assert (entry.user, entry.target_type, entry.target_id) == (
        user,
        "export",
        response.json()["id"],
    )
    assert entry.details == {
        "camera_id": str(camera.id),
        "start": "2026-11-23T10:00:00Z",
        "end": "2026-11-23T10:00:12Z",
    }
    assert AuditEntry.objects.filter(action="hold.created", tenant=camera.tenant).count() == 1


def test_an_unreachable_recorder_does_not_stop_the_export_but_is_reported(
    auth_client, camera, recorded
):
    # RECORDER_URL points at a port where nothing listens (see conftest).
    response = auth_client.post(
        export_url(camera.id),
        {"start": iso(T0), "end": iso(T0 + timedelta(seconds=12))},
        format="json",
    )

    assert response.status_code == 202
    assert "evidence hold" in response.json()["warning"]
    hold = EvidenceHold.objects.get(export_id=response.json()["id"])
    assert hold.released_at is None
    assert hold.pushed_at is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"start": "2026-11-23T10:00:10Z", "end": "2026-11-23T10:00:10Z"}, "end"),
        ({"start": "2026-11-23T10:00:10Z", "end": "2026-11-23T10:00:00Z"}, "end"),
        ({"start": "yesterday", "end": "2026-11-23T10:00:10Z"}, "start"),
        ({"start": "2026-11-23T10:00:00Z", "end": "2026-13-45T10:00:00Z"}, "end"),
        ({"start": "2026-11-23T10:00:00Z"}, "end"),
        ({"start": "2026-11-22T09:59:59Z", "end": "2026-11-23T10:00:00Z"}, "end"),
    ],
)
def test_bad_ranges_are_refused_with_400(auth_client, camera, recorded, body, field):
    response = auth_client.post(export_url(camera.id), body, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"message", "code", "extra"}
    assert response.json()["message"].startswith(f"{field}:")
    assert not ExportJob.objects.exists()


def test_the_maximum_range_comes_from_the_settings(auth_client, camera, recorded, settings):
    settings.EXPORT_MAX_RANGE_HOURS = 1

    response = auth_client.post(
        export_url(camera.id),
        {"start": iso(T0), "end": iso(T0 + timedelta(hours=1, seconds=1))},
        format="json",
    )

    assert response.status_code == 400
    assert "1 hours" in response.json()["message"]


def test_a_range_with_nothing_playable_is_refused(auth_client, camera, put_segment, segment_bytes):
    put_segment(camera, T0, segment_bytes[0], status="corrupt")

    response = auth_client.post(
        export_url(camera.id),
        {"start": iso(T0), "end": iso(T0 + timedelta(seconds=5))},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "nothing_recorded"
    assert not ExportJob.objects.exists()
    assert not EvidenceHold.objects.exists()


def test_another_tenants_camera_is_not_found(client_for, make_user, other_tenant, camera, recorded):
    response = client_for(make_user(other_tenant, role=Role.OPERATOR)).post(
        export_url(camera.id),
        {"start": iso(T0), "end": iso(T0 + timedelta(seconds=5))},
        format="json",
    )

    assert response.status_code == 404
    assert response.json()["code"] == "camera_not_found"
    assert not ExportJob.objects.exists()


def test_an_unknown_camera_is_not_found(auth_client, db):
    response = auth_client.post(
        export_url(uuid.uuid4()),
        {"start": iso(T0), "end": iso(T0 + timedelta(seconds=5))},
        format="json",
    )

    assert response.status_code == 404


def test_exporting_needs_a_login(api_client, camera):
    response = api_client.post(
        export_url(camera.id),
        {"start": iso(T0), "end": iso(T0 + timedelta(seconds=5))},
        format="json",
    )

    assert response.status_code == 401


def test_exports_are_listed_newest_first_for_the_tenant_only(
    auth_client, client_for, other_user, camera, recorded, recorder_server
):
    first = auth_client.post(
        export_url(camera.id),
        {"start": iso(T0), "end": iso(T0 + timedelta(seconds=5))},
        format="json",
    )
    second = auth_client.post(
        export_url(camera.id),
        {"start": iso(T0), "end": iso(T0 + timedelta(seconds=9))},
        format="json",
    )

    mine = auth_client.get("/api/exports/")
    theirs = client_for(other_user).get("/api/exports/")

    assert [job["id"] for job in mine.json()] == [second.json()["id"], first.json()["id"]]
    assert theirs.json() == []


def test_another_tenants_export_is_not_found(
    auth_client, client_for, other_user, camera, recorded, recorder_server
):
    job = auth_client.post(
        export_url(camera.id),
        {"start": iso(T0), "end": iso(T0 + timedelta(seconds=5))},
        format="json",
    ).json()

    own = auth_client.get(f"/api/exports/{job['id']}")
    foreign = client_for(other_user).get(f"/api/exports/{job['id']}")
    malformed = auth_client.get("/api/exports/not-an-id")

    assert own.status_code == 200
    assert own.json()["id"] == job["id"]
    assert foreign.status_code == malformed.status_code == 404
    assert foreign.json()["code"] == "export_not_found"


@pytest.mark.parametrize("file", ["clip", "manifest"])
def test_files_are_not_found_until_the_export_is_done(
    auth_client, camera, recorded, recorder_server, file
):
    job = auth_client.post(
        export_url(camera.id),
        {"start": iso(T0), "end": iso(T0 + timedelta(seconds=5))},
        format="json",
    ).json()

    response = auth_client.get(f"/api/exports/{job['id']}/{file}")

    assert response.status_code == 404
    assert response.json()["code"] == "export_not_ready"
