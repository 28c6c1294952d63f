"""`/ws/detections` end to end in process: the real ASGI application, PostgreSQL and the Redis
channel layer; detections pushed when their transaction commits."""

import json
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from rest_framework_simplejwt.tokens import AccessToken

from apps.cameras.services import camera_create
from apps.dashboard.tests.helpers import SocketClient, store_detections
from apps.usuarios.models import User
from config.asgi import application
from infrastructure.auth.tokens import access_token_for_user, token_pair_for_user

pytestmark = pytest.mark.django_db(transaction=True)

RECEIVE_TIMEOUT_S = 10


def run(test: Callable[[], Awaitable[None]]) -> None:
    """Run an async test body on the test's thread (so the ORM sees the test's database)."""
    async_to_sync(test)()


def socket(path: str) -> SocketClient:
    return SocketClient(application, path)


async def close_code(communicator: SocketClient) -> int:
    connected, _ = await communicator.connect(timeout=RECEIVE_TIMEOUT_S)
    assert connected, "the socket is accepted before it is refused, so browsers see the code"
    output = await communicator.receive_output(timeout=RECEIVE_TIMEOUT_S)
    await communicator.disconnect(timeout=RECEIVE_TIMEOUT_S)  # the server's answer to a close
    assert output["type"] == "websocket.close"
    return int(output["code"])


async def subscribed(path: str) -> SocketClient:
    """A connected socket that has joined its group (a ping answered proves it)."""
    communicator = socket(path)
    connected, _ = await communicator.connect(timeout=RECEIVE_TIMEOUT_S)
    assert connected
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from(timeout=RECEIVE_TIMEOUT_S) == {"type": "pong"}
    return communicator


async def stored(camera: Any, count: int = 1) -> list[Any]:
    return await database_sync_to_async(store_detections)(camera, count)


def test_no_token_is_closed_with_4401():
    async def body() -> None:
        assert await close_code(socket("/ws/detections")) == 4401

    run(body)


def test_a_bad_token_is_closed_with_4401():
    async def body() -> None:
        assert await close_code(socket("/ws/detections?token=not.a.jwt")) == 4401

    run(body)


def test_an_expired_token_is_closed_with_4401(user):
    token = AccessToken.for_user(user)
    token.set_exp(lifetime=-timedelta(minutes=1))

    async def body() -> None:
        assert await close_code(socket(f"/ws/detections?token={token}")) == 4401

    run(body)


def test_the_socket_is_closed_with_4401_when_its_token_expires(user):
    token = AccessToken.for_user(user)
    token.set_exp(lifetime=timedelta(seconds=2))

    async def body() -> None:
        communicator = await subscribed(f"/ws/detections?token={token}")
        output = await communicator.receive_output(timeout=RECEIVE_TIMEOUT_S)
        await communicator.disconnect(timeout=RECEIVE_TIMEOUT_S)
        assert (output["type"], output["code"]) == ("websocket.close", 4401)

    run(body)


def test_a_refresh_token_is_not_an_access_token(user):
    refresh = token_pair_for_user(user).refresh

    async def body() -> None:
        assert await close_code(socket(f"/ws/detections?token={refresh}")) == 4401

    run(body)


def test_a_deactivated_user_is_closed_with_4401(user):
    token = access_token_for_user(user)
    user.is_active = False
    user.save(update_fields=["is_active"])

    async def body() -> None:
        assert await close_code(socket(f"/ws/detections?token={token}")) == 4401

    run(body)


def test_a_user_without_a_tenant_is_closed_with_4401(db):
    site_admin = User.objects.create_user(username="root", password="x" * 20)
    token = access_token_for_user(site_admin)

    async def body() -> None:
        assert await close_code(socket(f"/ws/detections?token={token}")) == 4401

    run(body)


def test_another_tenants_camera_is_closed_with_4404(user, other_tenant):
    elsewhere = camera_create(tenant=other_tenant, name="Lobby")
    token = access_token_for_user(user)

    async def body() -> None:
        for camera_id in (str(elsewhere.id), "not-a-uuid"):
            path = f"/ws/detections?token={token}&camera_id={camera_id}"
            assert await close_code(socket(path)) == 4404

    run(body)


def test_a_detection_is_pushed_to_its_tenant_after_the_commit(user, camera):
    token = access_token_for_user(user)

    async def body() -> None:
        communicator = await subscribed(f"/ws/detections?token={token}")
        [row] = await stored(camera)
        message = await communicator.receive_json_from(timeout=RECEIVE_TIMEOUT_S)
        await communicator.disconnect()

        assert message["type"] == "detection"
        detection = message["detection"]
        assert detection["id"] == row.id
        assert detection["event_id"] == str(row.event_id)
        assert detection["camera_id"] == str(camera.id)
        assert detection["captured_at"] == "2026-11-25T09:00:00Z"
        assert detection["processed_at"] == "2026-11-25T09:00:00.250000Z"
        assert detection["provider"] == "local"
        assert detection["labels"] == row.labels
        assert detection["faces"] == []
        assert detection["trace_id"] == row.trace_id

    run(body)


def test_a_batch_arrives_in_order(user, camera):
    token = access_token_for_user(user)

    async def body() -> None:
        communicator = await subscribed(f"/ws/detections?token={token}")
        rows = await stored(camera, 5)
        ids = [
            (await communicator.receive_json_from(timeout=RECEIVE_TIMEOUT_S))["detection"]["id"]
            for _ in rows
        ]
        await communicator.disconnect()
        assert ids == [row.id for row in rows]

    run(body)


def test_another_tenant_never_receives_it(user, other_user, camera, other_tenant):
    other_camera = camera_create(tenant=other_tenant, name="Lobby")
    ours, theirs = access_token_for_user(user), access_token_for_user(other_user)

    async def body() -> None:
        mine = await subscribed(f"/ws/detections?token={ours}")
        foreign = await subscribed(f"/ws/detections?token={theirs}")
        [our_row] = await stored(camera)
        # Pushed after ours: had ours reached the other tenant, it would arrive first.
        [their_row] = await stored(other_camera)

        first_mine = await mine.receive_json_from(timeout=RECEIVE_TIMEOUT_S)
        first_foreign = await foreign.receive_json_from(timeout=RECEIVE_TIMEOUT_S)
        assert first_mine["detection"]["id"] == our_row.id
        assert first_foreign["detection"]["id"] == their_row.id
        assert await mine.receive_nothing(timeout=0.2)
        await mine.disconnect()
        await foreign.disconnect()

    run(body)


def test_a_camera_socket_receives_that_camera_only(user, tenant, camera):
    side_door = camera_create(tenant=tenant, name="Side door")
    token = access_token_for_user(user)

    async def body() -> None:
        one_camera = await subscribed(f"/ws/detections?token={token}&camera_id={camera.id}")
        whole_tenant = await subscribed(f"/ws/detections?token={token}")
        [side] = await stored(side_door)
        [front] = await stored(camera)

        first = await one_camera.receive_json_from(timeout=RECEIVE_TIMEOUT_S)
        assert first["detection"]["id"] == front.id
        tenant_ids = [
            (await whole_tenant.receive_json_from(timeout=RECEIVE_TIMEOUT_S))["detection"]["id"]
            for _ in range(2)
        ]
        assert tenant_ids == [side.id, front.id]
        await one_camera.disconnect()
        await whole_tenant.disconnect()

    run(body)


def test_what_the_client_sends_is_ignored_but_a_ping(user):
    token = access_token_for_user(user)

    async def body() -> None:
        communicator = await subscribed(f"/ws/detections?token={token}")
        await communicator.send_to(text_data="not json")
        await communicator.send_to(text_data=json.dumps({"type": "subscribe", "tenant": "x"}))
        await communicator.send_json_to({"type": "ping"})
        assert await communicator.receive_json_from(timeout=RECEIVE_TIMEOUT_S) == {"type": "pong"}
        await communicator.disconnect()

    run(body)


def test_a_role_without_view_stream_is_closed_with_4403(user):
    User.objects.filter(pk=user.pk).update(role="retired")  # a role that grants nothing
    token = access_token_for_user(user)

    async def body() -> None:
        assert await close_code(socket(f"/ws/detections?token={token}")) == 4403

    run(body)
