"""HTTP: the backend tells the recorder each camera's retention and evidence holds.

``PUT /cameras/{tenant_id}/{camera_id}/policy`` replaces the camera's policy;
``GET`` of the same path returns it (the default one if none was set, ``updated_at`` null).
"""

from datetime import datetime
from typing import Annotated, Self

from fastapi import APIRouter, HTTPException
from fastapi import Path as PathParam
from pydantic import BaseModel, Field, model_validator

from recorder.policies import PolicyStore, PolicyUnreadable
from recorder.retention import EvidenceHold, RetentionPolicy
from vms_common.contracts import ID_PATTERN, Identifier, UtcDatetime, utc_now

PathId = Annotated[str, PathParam(pattern=ID_PATTERN)]
MAX_HOLDS = 10_000


class HoldIn(BaseModel):
    id: Identifier
    start: UtcDatetime
    end: UtcDatetime

    @model_validator(mode="after")
    def _start_before_end(self) -> Self:
        if self.start >= self.end:
            raise ValueError("a hold's start must be before its end")
        return self


class PolicyIn(BaseModel):
    retention_days: int = Field(ge=1, le=3650)
    holds: list[HoldIn] = Field(default_factory=list, max_length=MAX_HOLDS)

    @model_validator(mode="after")
    def _unique_hold_ids(self) -> Self:
        ids = [h.id for h in self.holds]
        if len(ids) != len(set(ids)):
            raise ValueError("hold ids must be unique")
        return self


class HoldOut(BaseModel):
    id: str
    start: datetime
    end: datetime


class PolicyOut(BaseModel):
    tenant_id: str
    camera_id: str
    retention_days: int
    holds: list[HoldOut]
    updated_at: datetime | None

    @classmethod
    def of(cls, tenant_id: str, camera_id: str, policy: RetentionPolicy) -> "PolicyOut":
        return cls(
            tenant_id=tenant_id,
            camera_id=camera_id,
            retention_days=policy.retention_days,
            holds=[HoldOut(id=h.id, start=h.start, end=h.end) for h in policy.holds],
            updated_at=policy.updated_at,
        )


def policy_routes(store: PolicyStore) -> APIRouter:
    router = APIRouter()

    @router.put("/cameras/{tenant_id}/{camera_id}/policy")
    def policy_set(tenant_id: PathId, camera_id: PathId, body: PolicyIn) -> PolicyOut:
        policy = RetentionPolicy(
            retention_days=body.retention_days,
            holds=tuple(EvidenceHold(h.id, h.start, h.end) for h in body.holds),
            updated_at=utc_now(),
        )
        try:
            stored = store.put(tenant_id, camera_id, policy)
        except OSError as exc:  # e.g. a full disk: the old policy stays in force
            raise HTTPException(503, f"policy not stored: {exc.strerror or exc}") from exc
        return PolicyOut.of(tenant_id, camera_id, stored)

    @router.get("/cameras/{tenant_id}/{camera_id}/policy")
    def policy_get(tenant_id: PathId, camera_id: PathId) -> PolicyOut:
        try:
            policy = store.get(tenant_id, camera_id)
        except PolicyUnreadable as exc:
            raise HTTPException(503, "the stored policy is unreadable; PUT it again") from exc
        return PolicyOut.of(tenant_id, camera_id, policy)

    return router
