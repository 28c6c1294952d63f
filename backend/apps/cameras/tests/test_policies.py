"""The policy sent to the recorder: retention days and the camera's active holds."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command

from apps.cameras.policies import camera_policy_push
from apps.cameras.services import camera_create
from apps.cameras.tasks import camera_policy_push_task
from apps.cameras.tests.recorder_fakes import FakeRecorder, RecorderServer
from apps.evidence.models import EvidenceHold
from apps.evidence.services import hold_create
from infrastructure.recorder_client import (
    HttpRecorderClient,
    RecorderRejected,
    RecorderUnavailable,
)

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def test_policy_carries_only_active_holds_of_that_camera(camera, tenant, user):
    other_camera = camera_create(tenant=tenant, name="Back door")
    kept = hold_create(
        camera=camera, start=T0, end=T0 + timedelta(minutes=5), reason="case 1", user=user
    )
    released = hold_create(
        camera=camera, start=T0, end=T0 + timedelta(hours=1), reason="old", user=user
    )
    EvidenceHold.objects.filter(pk=released.pk).update(released_at=T0)
    hold_create(camera=other_camera, start=T0, end=T0 + timedelta(minutes=1), reason="x", user=user)
    recorder = FakeRecorder()

    camera_policy_push(camera=camera, recorder=recorder)

    [call] = recorder.calls
    assert call["tenant_id"] == str(camera.tenant_id)
    assert call["camera_id"] == str(camera.id)
    assert call["body"] == {
        "retention_days": 30,
        "holds": [
            {"id": str(kept.id), "start": "2026-11-23T10:00:00Z", "end": "2026-11-23T10:05:00Z"}
        ],
    }
    kept.refresh_from_db()
    assert kept.pushed_at is not None


def test_a_failed_push_leaves_holds_unstamped(camera, user):
    hold = hold_create(
        camera=camera, start=T0, end=T0 + timedelta(minutes=5), reason="r", user=user
    )

    with pytest.raises(RecorderUnavailable):
        camera_policy_push(camera=camera, recorder=FakeRecorder(error=RecorderUnavailable("down")))

    hold.refresh_from_db()
    assert hold.pushed_at is None


def test_client_reports_an_unreachable_recorder_as_unavailable():
    client = HttpRecorderClient(base_url="http://127.0.0.1:9", token="t", timeout_s=2)

    with pytest.raises(RecorderUnavailable) as caught:
        client.policy_put(tenant_id="t", camera_id="c", body={})

    assert caught.value.code == "recorder_unavailable"


def test_client_reports_a_5xx_as_unavailable_and_a_4xx_as_rejected():
    with RecorderServer(statuses=[503, 401]) as server:
        client = HttpRecorderClient(base_url=server.url, token="t", timeout_s=5)
        with pytest.raises(RecorderUnavailable) as unavailable:
            client.policy_put(tenant_id="t", camera_id="c", body={})
        with pytest.raises(RecorderRejected) as rejected:
            client.policy_put(tenant_id="t", camera_id="c", body={})

    assert unavailable.value.extra["status"] == 503
    assert rejected.value.extra["status"] == 401


def test_client_gives_up_on_a_recorder_that_does_not_answer_in_time():
    with RecorderServer(delay_s=2.0) as server:
        client = HttpRecorderClient(base_url=server.url, token="t", timeout_s=0.3)
        with pytest.raises(RecorderUnavailable):
            client.policy_put(tenant_id="t", camera_id="c", body={})


def test_the_push_task_retries_until_the_recorder_takes_the_policy(camera, settings):
    with RecorderServer(statuses=[503, 503]) as server:
        settings.RECORDER_URL = server.url
        camera_policy_push_task.apply(args=[str(camera.id)])

    assert len(server.requests) == 3
    assert server.requests[-1].body == {"retention_days": 30, "holds": []}


def test_cameras_sync_command_sends_every_cameras_policy(
    camera, tenant, other_tenant, recorder_server, settings
):
    second = camera_create(tenant=other_tenant, name="Gate", retention_days=7)
    settings.DETECTION_URL = recorder_server.url  # the stand-in answers 204 to anything

    call_command("cameras_sync")

    pushed = {
        request.path: request.body["retention_days"]
        for request in recorder_server.requests
        if request.method == "PUT"
    }
    assert pushed == {
        f"/cameras/{camera.tenant_id}/{camera.id}/policy": 30,
        f"/cameras/{second.tenant_id}/{second.id}/policy": 7,
    }


def test_cameras_sync_command_fails_when_a_service_is_down(camera):
    with pytest.raises(CommandError, match="1 cameras were not synced with every service"):
        call_command("cameras_sync")
