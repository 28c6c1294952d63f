"""Fixtures shared by the backend's tests: tenants, users, cameras, recordings, clients.

Every test talks to the RabbitMQ vhost `vms_test` (never `/`) and keeps its recordings in
its own temporary folder.
"""

import hashlib
import os
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from rest_framework.test import APIClient

from apps.cameras.models import Camera
from apps.cameras.services import camera_create
from apps.playback.models import Recording
from apps.playback.services import recording_persist
from apps.usuarios.models import Role, Tenant, User
from apps.usuarios.services import tenant_create, user_create
from infrastructure.auth.tokens import token_pair_for_user
from vms_common.contracts import SegmentCompleted
from vms_common.testing import moto_server

TEST_BROKER_URL = os.environ.get(
    "VMS_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/vms_test"
)
PASSWORD = "correct horse battery staple"  # noqa: S105 (test users only)


@pytest.fixture(autouse=True)
def _test_settings(settings: Any, tmp_path: Path) -> None:
    settings.RABBITMQ_URL = TEST_BROKER_URL
    settings.CELERY_BROKER_URL = TEST_BROKER_URL
    settings.RECORDINGS_ROOT = tmp_path / "recordings"
    settings.RECORDINGS_ROOT.mkdir()
    settings.EXPORTS_ROOT = tmp_path / "exports"
    # Nothing listens on the discard port: a test that needs the recorder starts its own.
    settings.RECORDER_URL = settings.DETECTION_URL = "http://127.0.0.1:9"
    settings.MEDIAMTX_API_URL = ""
    settings.RECORDER_TIMEOUT_S = 2.0


@pytest.fixture(autouse=True)
def _isolated_rate_limits(settings: Any) -> None:
    """Each test counts its API requests under keys of its own in Redis, with limits no
    ordinary test reaches; a test of the limits sets low ones itself."""
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
            "TIMEOUT": 300,
        }
    }
    settings.API_THROTTLE_USER = settings.API_THROTTLE_ANON = "100000/min"
    settings.API_THROTTLE_LOGIN = settings.API_THROTTLE_MEDIA = "100000/min"


@pytest.fixture
def tenant(db: None) -> Tenant:
    return tenant_create(name="Acme")


@pytest.fixture
def other_tenant(db: None) -> Tenant:
    return tenant_create(name="Globex")


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    def make(tenant: Tenant, username: str | None = None, role: str = Role.VIEWER) -> User:
        return user_create(
            tenant=tenant,
            username=username or f"user-{uuid.uuid4().hex[:8]}",
            password=PASSWORD,
            role=role,
        )

    return make


@pytest.fixture
def user(make_user: Callable[..., User], tenant: Tenant) -> User:
    return make_user(tenant, username="alice")


@pytest.fixture
def other_user(make_user: Callable[..., User], other_tenant: Tenant) -> User:
    return make_user(other_tenant, username="mallory")


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def client_for() -> Callable[[User], APIClient]:
    def make(user: User) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_pair_for_user(user).access}")
        return client

    return make


@pytest.fixture
def auth_client(client_for: Callable[[User], APIClient], user: User) -> APIClient:
    return client_for(user)


@pytest.fixture
def camera(tenant: Tenant) -> Camera:
    return camera_create(tenant=tenant, name="Front door")


@pytest.fixture
def segment_event() -> Callable[..., SegmentCompleted]:
    """A valid SegmentCompleted for a camera; keyword arguments override fields."""

    def make(camera: Camera, start: datetime, end: datetime, **overrides: Any) -> SegmentCompleted:
        fields: dict[str, Any] = {
            "tenant_id": str(camera.tenant_id),
            "camera_id": str(camera.id),
            "start": start,
            "end": end,
            "duration_s": (end - start).total_seconds(),
            "path": (
                f"{camera.tenant_id}/{camera.id}/{start:%Y/%m/%d/%H}/"
                f"segment_{start:%Y%m%dT%H%M%SZ}.mp4"
            ),
            "size_bytes": 1024,
            "codec": "h264",
            "width": 1280,
            "height": 720,
            "sha256": hashlib.sha256(b"segment").hexdigest(),
        }
        fields.update(overrides)
        return SegmentCompleted(**fields)

    return make


@pytest.fixture
def make_recording(
    settings: Any, segment_event: Callable[..., SegmentCompleted]
) -> Callable[..., Recording]:
    """Persist a recording through the real service; `content` also writes its file."""

    def make(
        camera: Camera,
        start: datetime,
        length: timedelta = timedelta(minutes=1),
        *,
        status: str = "ok",
        content: bytes | None = None,
        **overrides: Any,
    ) -> Recording:
        if content is not None:
            overrides.setdefault("size_bytes", max(1, len(content)))
        event = segment_event(camera, start, start + length, **overrides)
        recording = recording_persist(event=event)
        if status != "ok":
            Recording.objects.filter(pk=recording.pk).update(status=status)
            recording.refresh_from_db()
        if content is not None:
            path = Path(settings.RECORDINGS_ROOT) / recording.path
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        return recording

    return make


# --- S3: moto's server mode, since AWS cannot be reached from the tests -----------------------
MOTO_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "test-not-a-key",
    "AWS_SECRET_ACCESS_KEY": "test-not-a-secret",  # moto accepts anything
}


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """URL of a moto S3 server started for the session (`.venv/bin/moto_server`)."""
    with moto_server() as url:
        yield url


@pytest.fixture
def s3_bucket(moto_endpoint: str, settings: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh bucket on the moto server, with the backend's S3 settings pointing at it."""
    for name, value in MOTO_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    settings.S3_ENDPOINT_URL = moto_endpoint
    settings.AWS_REGION = "us-east-1"
    settings.S3_BUCKET = f"rec-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1").create_bucket(
        Bucket=settings.S3_BUCKET
    )
    return str(settings.S3_BUCKET)
