"""Exports end to end on real files: real fragmented-MP4 segments made by ffmpeg, the real
PostgreSQL, one real ffmpeg concat, ffprobe to check the clip. The worker task's function
is called directly; the recorder is a small real HTTP server or an in-memory fake of the
RecorderPolicies port.
"""

import hashlib
import json
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from apps.audit.models import AuditEntry
from apps.cameras.tests.recorder_fakes import FakeRecorder
from apps.evidence.models import EvidenceHold
from apps.evidence.services import export_run
from apps.evidence.tests.conftest import T0, ffprobe_duration, iso


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def recorded_with_gap(camera, put_segment, segment_bytes):
    """Segments at 0-5 s and 5-10 s, a gap from 10 to 20 s, a segment at 20-25 s."""
    return [
        put_segment(camera, T0, segment_bytes[0]),
        put_segment(camera, T0 + timedelta(seconds=5), segment_bytes[1]),
        put_segment(camera, T0 + timedelta(seconds=20), segment_bytes[2]),
    ]


@pytest.fixture
def request_export(auth_client, camera, django_capture_on_commit_callbacks):
    def request(start, end) -> dict:
        with django_capture_on_commit_callbacks(execute=False) as queued:
            response = auth_client.post(
                f"/api/playback/{camera.id}/export",
                {"start": iso(start), "end": iso(end)},
                format="json",
            )
        assert response.status_code == 202, response.json()
        assert len(queued) == 1
        return response.json()

    return request


def run_and_get(auth_client, job_id: str, **kwargs) -> dict:
    export_run(job_id=job_id, **kwargs)
    return auth_client.get(f"/api/exports/{job_id}").json()


def test_export_sha256_matches(
    auth_client, settings, recorded_with_gap, request_export, recorder_server
):
    job = request_export(T0 + timedelta(seconds=2), T0 + timedelta(seconds=22))

    done = run_and_get(auth_client, job["id"])

    assert done["status"] == "done", done["error"]
    assert done["progress"] == 1.0
    assert done["error"] is None
    folder = Path(settings.EXPORTS_ROOT) / str(recorded_with_gap[0].tenant_id) / job["id"]
    clip, manifest_file = folder / "clip.mp4", folder / "manifest.json"
    manifest = json.loads(manifest_file.read_text())
    assert done["sha256"] == manifest["clip"]["sha256"] == sha256_of(clip)
    assert manifest["clip"]["size_bytes"] == clip.stat().st_size
    # 3 s of the first segment, all of the second, 2 s of the third
    assert ffprobe_duration(clip) == pytest.approx(10.0, abs=1.0)


def test_the_manifest_lists_every_source_with_its_sha256_and_the_gaps(
    auth_client, settings, camera, user, recorded_with_gap, request_export, recorder_server
):
    job = request_export(T0 + timedelta(seconds=2), T0 + timedelta(seconds=22))
    run_and_get(auth_client, job["id"])

    manifest = json.loads(
        (
            Path(settings.EXPORTS_ROOT) / str(camera.tenant_id) / job["id"] / "manifest.json"
        ).read_text()
    )

    assert manifest["export_id"] == job["id"]
    assert manifest["camera"] == {"id": str(camera.id), "name": "Front door"}
    assert manifest["tenant"] == {"id": str(camera.tenant_id), "name": "Acme"}
    assert manifest["requested_range"] == {
        "start": "2026-11-23T10:00:02Z",
        "end": "2026-11-23T10:00:22Z",
    }
    assert manifest["actual_range"] == {
        "first": "2026-11-23T10:00:02Z",
        "last": "2026-11-23T10:00:22Z",
    }
    assert [
        (
            s["recording_id"],
            s["sha256"],
            s["size_bytes"],
            s["tier"],
            s["inpoint_s"],
            s["outpoint_s"],
        )
        for s in manifest["sources"]
    ] == [
        (r.id, r.sha256, r.size_bytes, "local", inpoint, outpoint)
        for r, inpoint, outpoint in zip(
            recorded_with_gap, (2.0, None, None), (None, None, 2.0), strict=True
        )
    ]
    for source, recording in zip(manifest["sources"], recorded_with_gap, strict=True):
        assert source["sha256"] == sha256_of(Path(settings.RECORDINGS_ROOT) / recording.path)
        assert source["path"] == recording.path
    assert manifest["gaps"] == [{"start": "2026-11-23T10:00:10Z", "end": "2026-11-23T10:00:20Z"}]
    assert manifest["skipped_corrupt"] == []
    assert manifest["created_by"] == {"id": user.pk, "username": user.username}
    assert manifest["ffmpeg_version"].startswith("ffmpeg version")


def test_the_clip_and_manifest_download_through_their_signed_urls(
    auth_client,
    api_client,
    client_for,
    other_user,
    recorded_with_gap,
    request_export,
    recorder_server,
):
    job = request_export(T0, T0 + timedelta(seconds=10))
    done = run_and_get(auth_client, job["id"])

    clip = api_client.get(done["clip_url"])  # no Authorization header
    manifest = api_client.get(done["manifest_url"])

    assert clip.status_code == manifest.status_code == 200
    assert clip["Content-Type"] == "video/mp4"
    assert "attachment" in clip["Content-Disposition"]
    assert hashlib.sha256(b"".join(clip.streaming_content)).hexdigest() == done["sha256"]
    assert json.loads(b"".join(manifest.streaming_content))["clip"]["sha256"] == done["sha256"]
    # a bearer token of the tenant works too; another tenant's does not
    assert auth_client.get(f"/api/exports/{job['id']}/clip").status_code == 200
    assert client_for(other_user).get(f"/api/exports/{job['id']}/clip").status_code == 404


def test_a_signed_url_opens_only_the_file_it_was_made_for(
    auth_client, api_client, recorded_with_gap, request_export, recorder_server
):
    job = request_export(T0, T0 + timedelta(seconds=10))
    done = run_and_get(auth_client, job["id"])
    signature = urlsplit(done["clip_url"]).query

    as_manifest = api_client.get(f"/api/exports/{job['id']}/manifest?{signature}")
    tampered = api_client.get(f"/api/exports/{job['id']}/clip?sig=forged")
    unsigned = api_client.get(f"/api/exports/{job['id']}/clip")

    assert as_manifest.status_code == tampered.status_code == unsigned.status_code == 401
    assert as_manifest.json()["code"] == "invalid_signature"


def test_a_finished_export_is_audited_without_a_user(
    auth_client, recorded_with_gap, request_export, recorder_server
):
    job = request_export(T0, T0 + timedelta(seconds=10))
    done = run_and_get(auth_client, job["id"])

    actions = list(
        AuditEntry.objects.filter(target_type="export", target_id=job["id"])
        .order_by("at", "id")
        .values_list("action", flat=True)
    )
    completed = AuditEntry.objects.get(action="export.completed")
    assert actions == ["export.requested", "export.completed"]
    assert completed.user is None
    assert completed.details["sha256"] == done["sha256"]
    assert completed.details["sources"] == [r.id for r in recorded_with_gap[:2]]


def test_a_tampered_source_fails_the_export_with_a_clear_error(
    auth_client, settings, recorded_with_gap, request_export, recorder_server
):
    job = request_export(T0, T0 + timedelta(seconds=25))
    altered = Path(settings.RECORDINGS_ROOT) / recorded_with_gap[1].path
    content = bytearray(altered.read_bytes())
    content[len(content) // 2] ^= 0xFF
    altered.write_bytes(bytes(content))

    failed = run_and_get(auth_client, job["id"])

    assert failed["status"] == "failed"
    assert f"source segment {recorded_with_gap[1].id}" in failed["error"]
    assert "does not match the SHA-256" in failed["error"]
    assert failed["sha256"] is failed["clip_url"] is None
    folder = Path(settings.EXPORTS_ROOT) / str(recorded_with_gap[0].tenant_id) / job["id"]
    assert not (folder / "clip.mp4").exists()
    assert not (folder / "manifest.json").exists()
    entry = AuditEntry.objects.get(action="export.failed")
    assert entry.details["code"] == "source_altered"
    assert entry.details["recording_id"] == recorded_with_gap[1].id


def test_a_missing_source_file_fails_the_export(
    auth_client, settings, recorded_with_gap, request_export, recorder_server
):
    job = request_export(T0, T0 + timedelta(seconds=10))
    (Path(settings.RECORDINGS_ROOT) / recorded_with_gap[0].path).unlink()

    failed = run_and_get(auth_client, job["id"])

    assert failed["status"] == "failed"
    assert f"source segment {recorded_with_gap[0].id}" in failed["error"]
    assert AuditEntry.objects.filter(action="export.failed").count() == 1


def test_a_corrupt_segment_in_the_range_is_skipped_and_noted(
    auth_client,
    settings,
    camera,
    put_segment,
    segment_bytes,
    recorded_with_gap,
    request_export,
    recorder_server,
):
    corrupt = put_segment(
        camera, T0 + timedelta(seconds=12), b"not an mp4 at all", status="corrupt"
    )
    job = request_export(T0, T0 + timedelta(seconds=25))

    done = run_and_get(auth_client, job["id"])

    assert done["status"] == "done", done["error"]
    manifest = json.loads(
        (
            Path(settings.EXPORTS_ROOT) / str(camera.tenant_id) / job["id"] / "manifest.json"
        ).read_text()
    )
    assert [s["recording_id"] for s in manifest["skipped_corrupt"]] == [corrupt.id]
    assert corrupt.id not in [s["recording_id"] for s in manifest["sources"]]
    assert manifest["gaps"] == [{"start": "2026-11-23T10:00:10Z", "end": "2026-11-23T10:00:20Z"}]


def test_running_a_finished_export_again_changes_nothing(
    auth_client, recorded_with_gap, request_export, recorder_server
):
    job = request_export(T0, T0 + timedelta(seconds=10))
    first = run_and_get(auth_client, job["id"])

    again = run_and_get(auth_client, job["id"])

    assert again == first
    assert AuditEntry.objects.filter(action="export.completed").count() == 1


def test_an_unknown_export_id_is_ignored_by_the_worker(db):
    assert export_run(job_id="5d0c3b9e-8d55-4ff7-9d3c-1f1b4c1b6f00") is None


def test_the_worker_pushes_a_hold_the_recorder_missed(
    auth_client, camera, recorded_with_gap, request_export
):
    # Nothing listens at RECORDER_URL during the request (see conftest).
    job = request_export(T0, T0 + timedelta(seconds=10))
    assert job["warning"] is not None
    recorder = FakeRecorder()

    done = run_and_get(auth_client, job["id"], recorder=recorder)

    hold = EvidenceHold.objects.get(export_id=job["id"])
    assert [call["body"]["holds"][0]["id"] for call in recorder.calls] == [str(hold.id)]
    assert hold.pushed_at is not None
    assert done["warning"] is None
    assert done["status"] == "done"


def test_an_unplayable_source_fails_the_job_not_the_worker(
    auth_client, camera, put_segment, recorder_server, request_export
):
    # Stored as "ok" with a matching SHA-256, yet not video: ffmpeg refuses it.
    put_segment(camera, T0, b"\x00" * 4096)
    job = request_export(T0, T0 + timedelta(seconds=5))

    failed = run_and_get(auth_client, job["id"])

    assert failed["status"] == "failed"
    assert failed["error"].startswith("ffmpeg could not join the segments")
    assert AuditEntry.objects.get(action="export.failed").details["code"] == "ffmpeg_failed"
