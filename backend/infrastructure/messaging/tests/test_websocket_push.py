"""Pushing stored detections to the channel layer: only after the commit, to the tenant's and
the camera's groups, and never failing the storing transaction (real PostgreSQL and Redis;
the Redis that is down is a port where nothing listens)."""

import asyncio
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from prometheus_client import REGISTRY

from apps.cameras.services import camera_create
from apps.dashboard.groups import camera_group, tenant_group
from apps.dashboard.tests.helpers import detection_row, own_channel_layer, store_detections
from apps.detections.models import DetectionResult
from apps.detections.signals import detections_stored
from infrastructure.messaging.websocket import detections_push

pytestmark = pytest.mark.django_db(transaction=True)

RECEIVE_TIMEOUT_S = 10


class Rollback(Exception):
    pass


@pytest.fixture(autouse=True)
def channel_layer(settings: Any) -> str:
    return own_channel_layer(settings)


def listener(*groups: str) -> tuple[Any, str]:
    """A channel of the layer in the given groups."""
    layer = get_channel_layer()

    async def join() -> str:
        channel = await layer.new_channel()
        for group in groups:
            await layer.group_add(group, channel)
        return channel

    return layer, async_to_sync(join)()


def next_message(layer: Any, channel: str) -> dict[str, Any]:
    async def receive() -> dict[str, Any]:
        return await asyncio.wait_for(layer.receive(channel), RECEIVE_TIMEOUT_S)

    return async_to_sync(receive)()


def push_failures() -> float:
    return REGISTRY.get_sample_value("vms_websocket_push_failures_total") or 0.0


def test_each_detection_goes_to_its_tenant_and_its_camera(camera):
    layer, by_tenant = listener(tenant_group(camera.tenant_id))
    _, by_camera = listener(camera_group(camera.id))
    row = detection_row(camera)

    assert detections_push([row]) == 1

    for channel in (by_tenant, by_camera):
        message = next_message(layer, channel)
        assert message["type"] == "detection.push"
        [pushed] = message["detections"]
        assert pushed["id"] == row.id
        assert pushed["camera_id"] == str(camera.id)


def test_a_batch_is_one_message_per_group_in_the_batch_order(camera, tenant):
    side_door = camera_create(tenant=tenant, name="Side door")
    layer, by_tenant = listener(tenant_group(tenant.id))
    _, by_side_door = listener(camera_group(side_door.id))
    rows = [detection_row(camera), detection_row(side_door), detection_row(camera)]

    assert detections_push(rows) == 3

    assert [d["id"] for d in next_message(layer, by_tenant)["detections"]] == [
        row.id for row in rows
    ]
    assert [d["id"] for d in next_message(layer, by_side_door)["detections"]] == [rows[1].id]


def test_nothing_is_pushed_before_the_commit_nor_when_it_rolls_back(camera):
    layer, channel = listener(tenant_group(camera.tenant_id))

    with pytest.raises(Rollback), transaction.atomic():
        rolled_back = detection_row(camera)
        detections_stored.send(sender=DetectionResult, detections=[rolled_back])
        raise Rollback
    [kept] = store_detections(camera)

    # Had the rolled back detection been pushed, it would be first in the channel.
    assert [d["id"] for d in next_message(layer, channel)["detections"]] == [kept.id]
    assert not DetectionResult.objects.filter(pk=rolled_back.pk).exists()


def test_an_unreachable_redis_never_fails_the_storing_transaction(camera, settings):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:9/0"]},
        }
    }
    failures = push_failures()

    rows = store_detections(camera, 3)

    assert DetectionResult.objects.filter(pk__in=[row.pk for row in rows]).count() == 3
    assert push_failures() == failures + 1


def test_an_empty_batch_pushes_nothing(camera):
    assert detections_push([]) == 0
