"""The guard rails of user changes, below the API: the tenant keeps an active admin, also
when two changes race."""

import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection, connections, transaction

from apps.core.exceptions import ApplicationError, Conflict
from apps.usuarios.models import Role, Tenant, User
from apps.usuarios.services import user_deactivate, user_update

WAIT_S = 20


def test_the_last_active_admin_cannot_be_deactivated(
    make_user: Callable[..., User], tenant: Tenant
) -> None:
    admin = make_user(tenant, role=Role.ADMIN)

    with pytest.raises(Conflict) as refused:
        user_deactivate(user=admin, by=None)

    assert refused.value.code == "last_admin"
    admin.refresh_from_db()
    assert admin.is_active


def test_each_tenant_keeps_its_own_admin(
    make_user: Callable[..., User], tenant: Tenant, other_tenant: Tenant
) -> None:
    ours = make_user(tenant, role=Role.ADMIN)
    make_user(other_tenant, role=Role.ADMIN)

    with pytest.raises(Conflict):
        user_update(user=ours, by=None, role=Role.VIEWER)


def test_promoting_and_deactivating_in_one_change_is_checked_as_a_whole(
    make_user: Callable[..., User], tenant: Tenant
) -> None:
    admin = make_user(tenant, role=Role.ADMIN)
    viewer = make_user(tenant, role=Role.VIEWER)

    user_update(user=viewer, by=admin, role=Role.ADMIN, is_active=False)

    with pytest.raises(Conflict):
        user_update(user=admin, by=None, role=Role.OPERATOR)


def waiting_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        row = cursor.fetchone()
        return bool(row and row[0] > 0)


@pytest.mark.django_db(transaction=True)
def test_two_admins_demoting_each_other_at_once_leave_one_admin(
    make_user: Callable[..., User], tenant: Tenant
) -> None:
    ann = make_user(tenant, username="ann", role=Role.ADMIN)
    ben = make_user(tenant, username="ben", role=Role.ADMIN)
    first_done, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def ann_demotes_ben() -> None:
        try:
            with transaction.atomic():
                user_update(user=ben, by=ann, role=Role.VIEWER)
                first_done.set()
                release.wait(WAIT_S)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    def ben_demotes_ann() -> None:
        try:
            first_done.wait(WAIT_S)
            user_update(user=ann, by=ben, role=Role.VIEWER)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ann_demotes_ben), threading.Thread(target=ben_demotes_ann)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + WAIT_S
    while not waiting_for_a_lock() and time.monotonic() < deadline:
        time.sleep(0.05)
    saw_waiting = waiting_for_a_lock()
    release.set()
    for thread in threads:
        thread.join(WAIT_S)

    assert saw_waiting, "the second change never waited for the first"
    assert [getattr(e, "code", e) for e in errors] == ["last_admin"]
    assert all(isinstance(e, ApplicationError) for e in errors)
    roles = dict(User.objects.filter(tenant=tenant).values_list("username", "role"))
    assert roles == {"ann": Role.ADMIN, "ben": Role.VIEWER}
