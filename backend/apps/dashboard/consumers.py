"""`/ws/detections?token=<JWT access token>[&camera_id=<uuid>]`: the live detections feed.

The socket is accepted, then closed with 4401 when the token is missing, invalid or
expired (browsers only see close codes of accepted sockets) and with 4404 for a camera
that is not the user's tenant's. It then joins its tenant's group, or its camera's, and
receives `{"type": "detection", "detection": D}` for each detection stored after that.
It is closed with 4401 when the token expires: the client reconnects with a fresh one
and fetches what it missed from `GET /api/detections?since=`.
"""

import asyncio
import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from apps.dashboard.authentication import (
    NOT_AUTHENTICATED,
    SocketRefused,
    Subscription,
    subscription_for,
)
from apps.dashboard.groups import camera_group, tenant_group
from vms_common.logging import get_logger

logger = get_logger(__name__)


class DetectionsConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    group: str | None = None
    _expiry: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        await self.accept()
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        token = query.get("token", [""])[0]
        camera_id = query.get("camera_id", [""])[0] or None
        try:
            subscription: Subscription = await database_sync_to_async(subscription_for)(
                token, camera_id
            )
        except SocketRefused as refused:
            logger.info("websocket refused", reason=refused.reason, code=refused.close_code)
            await self.close(code=refused.close_code)
            return
        self.group = (
            camera_group(subscription.camera_id)
            if subscription.camera_id
            else tenant_group(subscription.tenant_id)
        )
        await self.channel_layer.group_add(self.group, self.channel_name)
        if subscription.expires_at is not None:
            self._expiry = asyncio.create_task(self._close_at(subscription.expires_at))
        logger.info(
            "websocket subscribed",
            user_id=subscription.user_id,
            tenant_id=subscription.tenant_id,
            camera_id=subscription.camera_id,
        )

    async def _close_at(self, moment: datetime) -> None:
        await asyncio.sleep(max(0.0, (moment - datetime.now(UTC)).total_seconds()))
        await self.close(code=NOT_AUTHENTICATED)

    async def disconnect(self, code: int) -> None:
        if self._expiry is not None:
            self._expiry.cancel()
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)
            self.group = None

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Clients only listen; a `{"type": "ping"}` gets a `{"type": "pong"}`, the rest is
        ignored (also what is not JSON)."""
        try:
            content = json.loads(text_data or "")
        except ValueError:
            return
        if isinstance(content, dict) and content.get("type") == "ping" and self.group:
            await self.send_json({"type": "pong"})

    async def detection_push(self, message: dict[str, Any]) -> None:
        """A `detection.push` from `infrastructure.messaging.websocket.detections_push`: a
        batch of detections, each sent in its own frame, in the batch's order."""
        for detection in message["detections"]:
            await self.send_json({"type": "detection", "detection": detection})
