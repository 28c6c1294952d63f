"""Pushing stored detections to the dashboards' WebSockets through the channel layer.

`on_detections_stored` receives `apps.detections.signals.detections_stored` inside the
storing transaction and pushes in `transaction.on_commit`, so a dashboard only ever sees
detections that are in the database (and a rolled back batch is never shown). Each
detection goes to its tenant's group and its camera's group. A push that fails (Redis
down or slow) is logged and counted, never raised: the detections are stored, and a
dashboard fetches what it missed from `GET /api/detections?since=` when it reconnects.
"""

import asyncio
from collections.abc import Iterable, Sequence
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from prometheus_client import Counter

from apps.dashboard.groups import PUSH_MESSAGE_TYPE, camera_group, tenant_group
from apps.detections.models import DetectionResult
from apps.detections.serializers import detection_representation
from vms_common.logging import get_logger

logger = get_logger(__name__)

# A push must not hold the consumer that stored the detections for long.
PUSH_TIMEOUT_S = 2.0

PUSHED = Counter(
    "vms_websocket_detections_pushed_total", "Detections sent to the channel layer's groups"
)
PUSH_FAILURES = Counter(
    "vms_websocket_push_failures_total",
    "Batches of stored detections that could not be pushed to the channel layer",
)


async def _send_all(layer: Any, messages: Sequence[tuple[str, dict[str, Any]]]) -> None:
    await asyncio.wait_for(
        asyncio.gather(*(layer.group_send(group, message) for group, message in messages)),
        timeout=PUSH_TIMEOUT_S,
    )


def detections_push(detections: Iterable[DetectionResult]) -> int:
    """Send each detection's representation D to its tenant's and its camera's group.

    Returns how many detections were sent; 0 when there is no channel layer or the push
    failed (logged and counted in `vms_websocket_push_failures_total`).
    """
    rows = list(detections)
    if not rows:
        return 0
    try:
        layer = get_channel_layer()
        if layer is None:
            return 0
        messages: list[tuple[str, dict[str, Any]]] = []
        for row in rows:
            message = {"type": PUSH_MESSAGE_TYPE, "detection": detection_representation(row)}
            messages.append((tenant_group(row.tenant_id), message))
            messages.append((camera_group(row.camera_id), message))
        async_to_sync(_send_all)(layer, messages)
    except Exception as exc:
        PUSH_FAILURES.inc()
        logger.warning(
            "detections not pushed to websockets",
            error=f"{type(exc).__name__}: {exc}",
            detections=len(rows),
            first_id=rows[0].id,
        )
        return 0
    PUSHED.inc(len(rows))
    return len(rows)


def on_detections_stored(
    sender: Any, detections: Sequence[DetectionResult] = (), **kwargs: Any
) -> None:
    """The `detections_stored` receiver: push the batch once its transaction commits."""
    rows = list(detections)
    if rows:
        transaction.on_commit(lambda: detections_push(rows))
