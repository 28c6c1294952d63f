"""Two workers storing detections of the same camera at once raise one alert per cooldown.

Each worker is a thread with its own PostgreSQL connection and transaction; the first one
holds its transaction open until the second is seen waiting for the rule's row lock in
`pg_stat_activity`.
"""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from apps.alerts.models import Alert, AlertRule
from apps.alerts.tests.conftest import a_detection, a_rule, store

pytestmark = pytest.mark.django_db(transaction=True)

WAIT_S = 20


def waiting_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def test_two_workers_at_once_raise_one_alert_within_the_cooldown(camera):
    a_rule(camera, cooldown_s=60)
    first, second = a_detection(camera, 0), a_detection(camera, 5)
    first_raised, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def worker_a() -> None:
        try:
            with transaction.atomic():
                store(first)
                first_raised.set()
                release.wait(WAIT_S)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    def worker_b() -> None:
        try:
            first_raised.wait(WAIT_S)
            with transaction.atomic():
                store(second)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker_a), threading.Thread(target=worker_b)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + WAIT_S
    while not waiting_for_a_lock() and time.monotonic() < deadline:
        time.sleep(0.05)
    saw_waiting = waiting_for_a_lock()
    release.set()
    for thread in threads:
        thread.join(WAIT_S)

    assert errors == []
    assert saw_waiting, "the second worker never waited for the rule's lock"
    assert [a.detection_id for a in Alert.objects.all()] == [first.id]


def test_rules_that_would_not_fire_are_not_locked(camera):
    quiet = a_rule(camera, name="sure people", min_confidence=0.99)
    locked, release = threading.Event(), threading.Event()

    def holder() -> None:
        try:
            with transaction.atomic():
                list(AlertRule.objects.select_for_update().filter(pk=quiet.pk))
                locked.set()
                release.wait(WAIT_S)
        finally:
            connections.close_all()

    thread = threading.Thread(target=holder)
    thread.start()
    try:
        assert locked.wait(WAIT_S)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")  # waiting fails the test
            store(a_detection(camera))
    finally:
        release.set()
        thread.join(WAIT_S)

    assert not Alert.objects.exists()
