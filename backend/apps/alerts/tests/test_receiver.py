"""Rules evaluated on newly stored detections: alerts created in the storing transaction.

The signal is sent the way the detection consumer sends it (inside `transaction.atomic()`),
with real rows in PostgreSQL.
"""

from datetime import time

import pytest
from django.db import transaction

from apps.alerts.models import Alert, DeliveryStatus
from apps.alerts.tests.conftest import T0, a_detection, a_rule, store
from apps.cameras.services import camera_create


def test_a_matching_detection_raises_one_alert(camera, django_capture_on_commit_callbacks):
    rule = a_rule(camera, webhook_url="https://hooks.example.com/a", emails=["ops@example.com"])
    detection = a_detection(camera)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        store(detection)

    alert = Alert.objects.get()
    assert (alert.rule, alert.camera, alert.detection, alert.tenant) == (
        rule, camera, detection, camera.tenant,
    )  # fmt: skip
    assert (alert.label, alert.confidence, alert.rule_name) == ("person", 0.9, rule.name)
    assert alert.box == {"left": 0.1, "top": 0.1, "width": 0.2, "height": 0.4}
    assert alert.captured_at == detection.captured_at
    assert alert.trace_id == detection.trace_id
    assert alert.published_at is None
    assert (alert.webhook_url, alert.webhook_status) == (rule.webhook_url, DeliveryStatus.PENDING)
    assert (alert.emails, alert.email_status) == (["ops@example.com"], DeliveryStatus.PENDING)
    # Publishing waits for the commit.
    assert [c for c in callbacks if "alerts_publish" in c.__qualname__] != []


def test_without_targets_the_channels_have_nothing_to_deliver(camera):
    a_rule(camera)

    store(a_detection(camera))

    alert = Alert.objects.get()
    assert (alert.webhook_status, alert.email_status) == (DeliveryStatus.NONE, DeliveryStatus.NONE)


def test_the_cooldown_is_respected_per_rule_and_camera(tenant, camera):
    rule = a_rule(None, tenant=tenant, cooldown_s=60)
    other_camera = camera_create(tenant=tenant, name="Back yard")

    store(a_detection(camera, 0), a_detection(camera, 30))
    store(a_detection(camera, 59))
    store(a_detection(other_camera, 10))  # another camera has its own cooldown
    store(a_detection(camera, 61))

    seconds = [
        (a.camera_id, (a.captured_at - T0).total_seconds())
        for a in Alert.objects.filter(rule=rule).order_by("id")
    ]
    assert seconds == [(camera.id, 0.0), (other_camera.id, 10.0), (camera.id, 61.0)]


def test_each_rule_has_its_own_cooldown(camera):
    first = a_rule(camera, name="first", cooldown_s=600)
    second = a_rule(camera, name="second", cooldown_s=0)

    store(a_detection(camera, 0))
    store(a_detection(camera, 5))

    assert Alert.objects.filter(rule=first).count() == 1
    assert Alert.objects.filter(rule=second).count() == 2


def test_another_tenants_rules_never_fire(camera, other_tenant):
    other_camera = camera_create(tenant=other_tenant, name="Front door")
    theirs = a_rule(None, tenant=other_tenant)
    a_rule(other_camera)

    store(a_detection(camera))

    assert not Alert.objects.filter(rule=theirs).exists()
    assert not Alert.objects.filter(tenant=other_tenant).exists()


def test_a_rule_of_one_camera_ignores_the_others(tenant, camera):
    a_rule(camera)
    yard = camera_create(tenant=tenant, name="Back yard")

    store(a_detection(yard))

    assert not Alert.objects.exists()


def test_disabled_rules_and_unmatched_detections_raise_nothing(camera):
    a_rule(camera, enabled=False)
    a_rule(camera, name="cars", label="car")
    a_rule(camera, name="sure people", min_confidence=0.95)
    a_rule(camera, name="left side", zone=[[0.5, 0], [1, 0], [1, 1], [0.5, 1]])
    a_rule(
        camera,
        name="nights",
        schedule={"weekdays": [2], "start": "22:00:00", "end": "06:00:00", "timezone": "UTC"},
    )

    store(a_detection(camera), a_detection(camera, 1, labels=[], faces=[]))

    assert not Alert.objects.exists()


def test_zone_and_schedule_that_match_raise(camera):
    a_rule(
        camera,
        zone=[[0, 0], [0.5, 0], [0.5, 0.5], [0, 0.5]],
        schedule={"weekdays": [2], "start": "11:00", "end": "13:00", "timezone": "Europe/Madrid"},
    )  # 12:00 UTC on that Wednesday is 13:00 in Madrid: outside; 11:30 UTC is inside

    store(a_detection(camera, 0))
    store(a_detection(camera, -1800))

    [alert] = Alert.objects.all()
    assert alert.captured_at.isoformat() == "2026-11-25T11:30:00+00:00"
    assert time(11) <= alert.captured_at.time()


def test_face_rules_fire_on_faces(camera):
    a_rule(camera, label="face", min_confidence=0.8)
    face = {"confidence": 0.85, "box": {"left": 0.4, "top": 0.1, "width": 0.1, "height": 0.1}}

    store(a_detection(camera, labels=[], faces=[face]))

    alert = Alert.objects.get()
    assert (alert.label, alert.confidence, alert.box) == ("face", 0.85, face["box"])


def test_a_signal_sent_twice_for_the_same_detection_raises_once(camera):
    a_rule(camera, cooldown_s=0)
    detection = a_detection(camera)

    store(detection)
    store(detection)

    assert Alert.objects.count() == 1


def test_a_rolled_back_storing_transaction_keeps_and_publishes_no_alert(
    camera, django_capture_on_commit_callbacks
):
    a_rule(camera)

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        store(a_detection(camera))
        assert Alert.objects.count() == 1
        raise RuntimeError("the batch failed after the signal")

    assert not Alert.objects.exists()
    assert callbacks == []


def test_an_empty_batch_does_nothing(camera):
    a_rule(camera)

    store()

    assert not Alert.objects.exists()


def test_a_rule_stored_broken_is_skipped_and_the_others_still_fire(camera):
    a_rule(camera, name="broken schedule", schedule={"weekdays": [2], "timezone": "Nowhere/X"})
    a_rule(camera, name="broken zone", zone=[[0.1], [0.2]])
    working = a_rule(camera, name="working")

    store(a_detection(camera))

    assert [alert.rule for alert in Alert.objects.all()] == [working]
