"""camera_sync with fakes of the three ports: each service is pushed on its own."""

from apps.cameras.sync import CameraServices, camera_sync, detection_options
from apps.cameras.tests.recorder_fakes import FakeDetection, FakeRecorder, FakeRelay
from infrastructure.camera_services import ServiceRejected, ServiceUnavailable
from infrastructure.recorder_client import RecorderUnavailable


def services(**errors: Exception) -> CameraServices:
    return CameraServices(
        recorder=FakeRecorder(error=errors.get("recorder")),
        detection=FakeDetection(error=errors.get("detection")),
        relay=FakeRelay(error=errors.get("relay")),
    )


def test_a_service_that_is_away_does_not_stop_the_others(camera):
    report = camera_sync(camera, services(recorder=RecorderUnavailable("down")))

    assert report.as_dict() == {"relay": "done", "recorder": "pending", "detection": "done"}
    assert report.pending


def test_a_refusal_is_failed_not_retried(camera):
    report = camera_sync(
        camera, services(detection=ServiceRejected("bad token"), relay=ServiceUnavailable("x"))
    )

    assert report.as_dict() == {"relay": "pending", "recorder": "done", "detection": "failed"}


def test_without_a_relay_api_the_relay_is_skipped(camera):
    pushed = CameraServices(recorder=FakeRecorder(), detection=FakeDetection())

    assert camera_sync(camera, pushed).relay == "skipped"


def test_a_camera_without_an_address_has_no_relay_path(camera):
    relay = FakeRelay(paths={f"{camera.tenant_id}/camera/{camera.id}": "rtsp://old/"})
    pushed = CameraServices(recorder=FakeRecorder(), detection=FakeDetection(), relay=relay)

    camera_sync(camera, pushed)

    assert relay.paths == {}


def test_the_local_provider_needs_no_confidence_and_the_default_budget_is_null(camera):
    assert detection_options(camera) == {"provider": {"type": "opencv"}, "daily_budget_usd": None}
