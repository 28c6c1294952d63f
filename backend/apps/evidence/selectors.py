"""Reads of exports and evidence holds, always limited to the user's tenant."""

import uuid
from typing import Any

from django.db.models import QuerySet

from apps.cameras.models import Camera
from apps.core.exceptions import ResourceNotFound
from apps.evidence.models import EvidenceHold, ExportJob


def holds_active_for_camera(*, camera: Camera) -> QuerySet[EvidenceHold]:
    """The camera's holds not yet released, oldest start first."""
    return EvidenceHold.objects.filter(
        tenant_id=camera.tenant_id, camera=camera, released_at__isnull=True
    ).order_by("start", "id")


def exports_for_user(user: Any) -> QuerySet[ExportJob]:
    """The user's tenant's exports, newest first."""
    tenant_id = getattr(user, "tenant_id", None)
    if not tenant_id:
        return ExportJob.objects.none()
    return ExportJob.objects.filter(tenant_id=tenant_id).order_by("-created_at", "-id")


def export_get_for_user(user: Any, export_id: Any) -> ExportJob:
    """One export of the user's tenant; unknown and other tenants' exports are not found."""
    try:
        key = export_id if isinstance(export_id, uuid.UUID) else uuid.UUID(str(export_id))
    except ValueError:
        raise ResourceNotFound("export not found", code="export_not_found") from None
    export = exports_for_user(user).filter(pk=key).first()
    if export is None:
        raise ResourceNotFound("export not found", code="export_not_found")
    return export


def hold_get_for_user(user: Any, hold_id: Any) -> EvidenceHold:
    tenant_id = getattr(user, "tenant_id", None)
    try:
        key = hold_id if isinstance(hold_id, uuid.UUID) else uuid.UUID(str(hold_id))
    except ValueError:
        raise ResourceNotFound("evidence hold not found", code="hold_not_found") from None
    hold = EvidenceHold.objects.filter(pk=key, tenant_id=tenant_id).first()
    if tenant_id is None or hold is None:
        raise ResourceNotFound("evidence hold not found", code="hold_not_found")
    return hold
