"""Tiering to S3 and cleanup of tiered footage, against moto's S3 server.

S3 is faked by moto in server mode (``moto_server`` started as a subprocess on 127.0.0.1),
because AWS cannot be reached from here; everything else is real: files on disk, boto3 over
HTTP, and, for the command-line run, RabbitMQ on the vhost from VMS_TEST_RABBITMQ_URL.
"""

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import boto3
import pika
import pytest

from recorder.cleanup import Cleaner
from recorder.object_store import ObjectStoreError, S3ObjectStore, StoredObject
from recorder.policies import PolicyStore
from recorder.retention import DiskSpace, EvidenceHold, RetentionPolicy
from recorder.storage import segment_relative_path
from recorder.tiering import MAX_CONSECUTIVE_FAILURES, Tierer
from vms_common.contracts import Event, SegmentDeleted, SegmentTiered, decode, utc_now

TEST_URL = os.environ.get("VMS_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/vms_test")
REPO = Path(__file__).resolve().parents[4]
TENANT = "tenant-a"
WEEK = timedelta(days=7)
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "test-not-a-key",
    "AWS_SECRET_ACCESS_KEY": "test-not-a-secret",  # moto accepts anything
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [str(REPO / ".venv" / "bin" / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{url}/moto-api/", timeout=2).close()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("moto server did not start") from None
            time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(autouse=True)
def aws_credentials(monkeypatch) -> None:
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def bucket(moto_url) -> str:
    name = f"rec-{uuid.uuid4().hex[:12]}"
    _s3(moto_url).create_bucket(Bucket=name)
    return name


def _s3(url: str):  # the test's own client, to look at the bucket independently
    return boto3.client("s3", endpoint_url=url, region_name="us-east-1")


class FakeAnnouncer:
    def __init__(self) -> None:
        self.events: list[Event] = []

    def announce(self, event: Event) -> None:
        self.events.append(event)


class RoomyDisk:
    def space(self) -> DiskSpace:
        return DiskSpace(used_bytes=1, free_bytes=99)


def _write(root: Path, camera: str, start: datetime, size: int = 4096) -> str:
    relative = segment_relative_path(TENANT, camera, start).as_posix()
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(os.urandom(size))
    return relative


@pytest.fixture
def root(tmp_path) -> Path:
    root = tmp_path / "recordings"
    root.mkdir()
    return root


def test_an_old_segment_moves_to_s3_intact_and_its_local_copy_goes(root, moto_url, bucket):
    now = utc_now()
    old = _write(root, "cam-1", now - timedelta(days=10))
    content = (root / old).read_bytes()
    recent = _write(root, "cam-1", now - timedelta(days=2))
    expired = _write(root, "cam-1", now - timedelta(days=40))  # retention deletes it, not tiering
    announcer = FakeAnnouncer()
    objects = S3ObjectStore(bucket, moto_url)

    report = Tierer(root, PolicyStore(root, 30), announcer, objects, WEEK).tiering_pass(now)

    assert (report.tiered, report.failed) == (1, 0)
    assert not (root / old).exists()
    assert not (root / old).parent.exists()  # its emptied hour folder too
    assert (root / recent).exists()
    assert (root / expired).exists()
    stored = _s3(moto_url).get_object(Bucket=bucket, Key=old)["Body"].read()
    assert stored == content
    [event] = announcer.events
    assert isinstance(event, SegmentTiered)
    assert (event.path, event.location, event.tier) == (old, f"s3://{bucket}/{old}", "s3")
    assert (event.tenant_id, event.camera_id) == (TENANT, "cam-1")
    listed = _s3(moto_url).list_objects_v2(Bucket=bucket)
    assert [o["Key"] for o in listed["Contents"]] == [old]


def test_a_failed_upload_keeps_the_local_copy_and_is_retried_next_pass(root, moto_url):
    now = utc_now()
    old = _write(root, "cam-1", now - timedelta(days=10))
    missing = f"rec-{uuid.uuid4().hex[:12]}"
    announcer = FakeAnnouncer()
    tierer = Tierer(root, PolicyStore(root, 30), announcer, S3ObjectStore(missing, moto_url), WEEK)

    report = tierer.tiering_pass(now)

    assert (report.tiered, report.failed) == (0, 1)
    assert (root / old).exists()
    assert announcer.events == []

    _s3(moto_url).create_bucket(Bucket=missing)
    assert tierer.tiering_pass(now).tiered == 1
    assert not (root / old).exists()
    assert [e.path for e in announcer.events] == [old]


def test_an_unreachable_endpoint_keeps_every_local_copy_and_ends_the_pass(root):
    now = utc_now()
    olds = [_write(root, "cam-1", now - timedelta(days=10, minutes=n)) for n in range(5)]
    down = S3ObjectStore("vms-recordings", f"http://127.0.0.1:{_free_port()}")
    announcer = FakeAnnouncer()

    report = Tierer(root, PolicyStore(root, 30), announcer, down, WEEK).tiering_pass(now)

    assert report.aborted
    assert report.failed == MAX_CONSECUTIVE_FAILURES
    assert all((root / relative).exists() for relative in olds)
    assert announcer.events == []
    with pytest.raises(ObjectStoreError):  # botocore's error, translated at the adapter
        down.head(olds[0])


class TamperedStore:
    """The real S3 store, except that what it reports back does not match the upload."""

    def __init__(self, inner: S3ObjectStore) -> None:
        self.inner = inner

    def __getattr__(self, name: str):
        return getattr(self.inner, name)

    def head(self, key: str) -> StoredObject:
        real = self.inner.head(key)
        return StoredObject(key, real.size_bytes, "AAAA" + (real.sha256_b64 or "")[4:])


def test_an_upload_that_cannot_be_verified_keeps_the_local_copy(root, moto_url, bucket):
    now = utc_now()
    old = _write(root, "cam-1", now - timedelta(days=10))
    announcer = FakeAnnouncer()
    store = TamperedStore(S3ObjectStore(bucket, moto_url))

    report = Tierer(root, PolicyStore(root, 30), announcer, store, WEEK).tiering_pass(now)  # type: ignore[arg-type]

    assert (report.tiered, report.failed) == (0, 1)
    assert (root / old).exists()
    assert announcer.events == []


def test_retention_deletes_expired_tiered_segments_but_not_held_or_recent_ones(
    root, moto_url, bucket
):
    now = utc_now()
    s3 = _s3(moto_url)
    held_at = now - timedelta(days=20)
    keys = {
        "expired": segment_relative_path(TENANT, "cam-1", now - timedelta(days=16)).as_posix(),
        "held": segment_relative_path(TENANT, "cam-1", held_at).as_posix(),
        "recent": segment_relative_path(TENANT, "cam-1", now - timedelta(days=9)).as_posix(),
        "other": segment_relative_path(TENANT, "cam-2", now - timedelta(days=16)).as_posix(),
    }
    for key in keys.values():
        s3.put_object(Bucket=bucket, Key=key, Body=b"segment")
    s3.put_object(Bucket=bucket, Key=f"{TENANT}/cam-1/notes.txt", Body=b"not a segment")
    policies = PolicyStore(root, default_retention_days=30)
    policies.put(
        TENANT,
        "cam-1",
        RetentionPolicy(15, holds=(EvidenceHold("case", held_at, held_at + timedelta(hours=1)),)),
    )
    announcer = FakeAnnouncer()
    cleaner = Cleaner(root, policies, announcer, RoomyDisk(), S3ObjectStore(bucket, moto_url))

    report = cleaner.retention_pass(now)

    left = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]}
    assert left == {keys["held"], keys["recent"], keys["other"], f"{TENANT}/cam-1/notes.txt"}
    assert report.deleted_tiered == 1
    [event] = announcer.events
    assert isinstance(event, SegmentDeleted)
    assert (event.path, event.reason) == (keys["expired"], "retention")


def test_the_cleanup_command_runs_retention_and_tiering_and_announces_both(root, moto_url, bucket):
    now = utc_now()
    expired = _write(root, "cam-1", now - timedelta(days=45))
    old = _write(root, "cam-1", now - timedelta(days=10))
    connection = pika.BlockingConnection(pika.URLParameters(TEST_URL))
    channel = connection.channel()
    channel.exchange_declare("recordings", "topic", durable=True)
    queue = channel.queue_declare("", exclusive=True).method.queue
    for key in ("segment.deleted", "segment.tiered"):
        channel.queue_bind(queue, "recordings", key)
    env = {
        **os.environ,
        **CREDENTIALS,
        "RECORDINGS_ROOT": str(root),
        "RABBITMQ_URL": TEST_URL,
        "RECORDER_API_TOKEN": secrets.token_urlsafe(24),
        "S3_ENDPOINT_URL": moto_url,
        "S3_BUCKET": bucket,
    }
    try:
        result = subprocess.run(
            [sys.executable, "-m", "recorder.cleanup"],
            env=env,
            capture_output=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()
        assert not (root / expired).exists()
        assert not (root / old).exists()
        assert _s3(moto_url).head_object(Bucket=bucket, Key=old)["ContentLength"] == 4096
        received: dict[str, Event] = {}
        deadline = time.monotonic() + 10
        while len(received) < 2 and time.monotonic() < deadline:
            method, _, body = channel.basic_get(queue, auto_ack=True)
            if method is None:
                connection.sleep(0.1)
                continue
            received[method.routing_key] = decode(method.routing_key, body)
        assert set(received) == {"segment.deleted", "segment.tiered"}
        assert received["segment.deleted"].path == expired  # type: ignore[attr-defined]
        assert received["segment.tiered"].location == f"s3://{bucket}/{old}"  # type: ignore[attr-defined]
    finally:
        connection.close()
