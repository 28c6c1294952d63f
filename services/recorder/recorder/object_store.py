"""Object storage for tiered segments: the port and its S3 adapter (boto3).

Keys are storage-relative segment paths (``{tenant}/{camera}/{yyyy}/.../segment_*.mp4``).
Every botocore error is translated here into :class:`ObjectStoreError`.
"""

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from vms_common.checksums import file_sha256_digest

if TYPE_CHECKING:
    from types_boto3_s3 import S3Client


class ObjectStoreError(Exception):
    """Object storage refused or could not be reached; the operation may be retried later."""


@dataclass(frozen=True)
class StoredObject:
    key: str
    size_bytes: int
    sha256_b64: str | None = None


class ObjectStore(Protocol):
    def location(self, key: str) -> str: ...

    def put(self, key: str, path: Path) -> None: ...

    def head(self, key: str) -> StoredObject: ...

    def delete(self, key: str) -> None: ...

    def cameras(self) -> Iterator[tuple[str, str]]: ...

    def objects(self, prefix: str) -> Iterator[StoredObject]:
        """Objects under `prefix`, in key order."""
        ...


def file_sha256_b64(path: Path) -> str:
    """The SHA-256 of a file, base64 encoded as S3 reports checksums."""
    return base64.b64encode(file_sha256_digest(path)).decode()


@contextmanager
def _translated(action: str, key: str) -> Iterator[None]:
    try:
        yield
    except (BotoCoreError, ClientError) as exc:
        raise ObjectStoreError(f"{action} {key!r}: {exc}") from exc


class S3ObjectStore:
    """S3 (or any S3-compatible endpoint such as moto's server); the client is built on first use."""

    def __init__(self, bucket: str, endpoint_url: str = "", region: str = "us-east-1") -> None:
        self.bucket = bucket
        self._endpoint_url = endpoint_url or None
        self._region = region
        self._client: S3Client | None = None

    def location(self, key: str) -> str:
        return f"s3://{self.bucket}/{key}"

    def put(self, key: str, path: Path) -> None:
        """Upload with an SHA-256 checksum that S3 computes and keeps with the object."""
        with _translated("upload", key), path.open("rb") as body:
            self._s3().put_object(
                Bucket=self.bucket,
                Key=key,
                Body=body,
                ChecksumAlgorithm="SHA256",
                ContentType="video/mp4",
            )

    def head(self, key: str) -> StoredObject:
        with _translated("inspect", key):
            head = self._s3().head_object(Bucket=self.bucket, Key=key, ChecksumMode="ENABLED")
        return StoredObject(key, head["ContentLength"], head.get("ChecksumSHA256"))

    def delete(self, key: str) -> None:
        with _translated("delete", key):
            self._s3().delete_object(Bucket=self.bucket, Key=key)

    def cameras(self) -> Iterator[tuple[str, str]]:
        for tenant in self._prefixes(""):
            for camera in self._prefixes(tenant):
                yield tenant.rstrip("/"), camera[len(tenant) :].rstrip("/")

    def objects(self, prefix: str) -> Iterator[StoredObject]:
        paginator = self._s3().get_paginator("list_objects_v2")
        with _translated("list", prefix):
            for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
                for item in page.get("Contents", []):
                    yield StoredObject(item["Key"], item["Size"])

    def _prefixes(self, prefix: str) -> list[str]:
        paginator = self._s3().get_paginator("list_objects_v2")
        with _translated("list", prefix):
            return [
                common["Prefix"]
                for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix, Delimiter="/")
                for common in page.get("CommonPrefixes", [])
            ]

    def _s3(self) -> "S3Client":
        if self._client is None:
            self._client = boto3.client(
                "s3",
                endpoint_url=self._endpoint_url,
                region_name=self._region,
                config=Config(
                    connect_timeout=5,
                    read_timeout=60,
                    retries={"max_attempts": 3, "mode": "standard"},
                ),
            )
        return self._client
