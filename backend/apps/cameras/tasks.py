"""Celery tasks of the camera registry: pushes that a service could not take at once."""

from typing import Any

from celery import shared_task

from apps.cameras.models import Camera
from apps.cameras.policies import camera_policy_push
from apps.cameras.sync import camera_sync, camera_teardown
from infrastructure.recorder_client import RecorderUnavailable
from vms_common.logging import get_logger

logger = get_logger(__name__)

MAX_RETRIES = 12
MAX_DELAY_S = 300


def _retry_later(task: Any, camera_id: str, what: str) -> None:
    if task.request.retries >= MAX_RETRIES:
        logger.error(f"{what} gave up", camera_id=camera_id)
        return
    raise task.retry(countdown=min(MAX_DELAY_S, 5 * 2**task.request.retries))


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def camera_policy_push_task(self: Any, camera_id: str) -> None:
    """Push one camera's current policy, retrying with a growing pause while the recorder is away."""
    camera = Camera.objects.filter(pk=camera_id).first()
    if camera is None:
        logger.warning("policy push for a camera that no longer exists", camera_id=camera_id)
        return
    try:
        camera_policy_push(camera=camera)
    except RecorderUnavailable:
        _retry_later(self, camera_id, "policy push")


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def camera_sync_task(self: Any, camera_id: str) -> None:
    """Push one camera's current settings to every service until none is away."""
    camera = Camera.objects.filter(pk=camera_id).first()
    if camera is None:
        return  # deleted since: its teardown has its own task
    if camera_sync(camera).pending:
        _retry_later(self, camera_id, "camera push")


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def camera_teardown_task(self: Any, tenant_id: str, camera_id: str) -> None:
    """Stop a deleted camera's relaying, recording and analysis until every service took it."""
    if camera_teardown(tenant_id=tenant_id, camera_id=camera_id).pending:
        _retry_later(self, camera_id, "camera teardown")
