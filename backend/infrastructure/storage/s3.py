"""Reading tiered segments from S3 (boto3), with botocore errors turned into ours.

The client is built on first use from settings S3_ENDPOINT_URL, AWS_REGION and the two
timeouts (credentials from the standard AWS variables), never at import time. A missing
object or bucket is RecordingFileMissing (404); an unreachable endpoint, a timeout,
missing credentials or a refusal is StorageUnavailable (503).
"""

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings

from infrastructure.storage.errors import (
    ObjectRangeNotSatisfiable,
    RecordingFileMissing,
    StorageUnavailable,
)
from vms_common.logging import get_logger

if TYPE_CHECKING:
    from types_boto3_s3 import S3Client

logger = get_logger(__name__)

LOCATION = re.compile(r"^s3://(?P<bucket>[a-z0-9.-]{3,63})/(?P<key>.+)$")
MISSING_CODES = frozenset({"NoSuchKey", "NoSuchBucket", "404", "NotFound"})
CHUNK_SIZE = 64 * 1024


@dataclass(frozen=True)
class ObjectLocation:
    bucket: str
    key: str

    @classmethod
    def parse(cls, location: str) -> "ObjectLocation":
        match = LOCATION.match(location)
        if match is None:
            raise RecordingFileMissing(
                "the recording's S3 location is not valid", extra={"location": location}
            )
        return cls(bucket=match["bucket"], key=match["key"])


class ObjectPart:
    """An object, whole or one byte range, being read: iterate for its chunks, then close.

    Closing (also before reading anything) releases the connection. A failure mid-stream
    ends the chunks early: the response has started, there is nothing else to do.
    """

    def __init__(self, body: Any, *, length: int, content_range: str | None, location: str):
        self.length = length
        self.content_range = content_range
        self._body = body
        self._location = location
        self._chunks: Iterator[bytes] = body.iter_chunks(CHUNK_SIZE)

    def __iter__(self) -> "ObjectPart":
        return self

    def __next__(self) -> bytes:
        try:
            return next(self._chunks)
        except StopIteration:
            self.close()
            raise
        except (BotoCoreError, ClientError, OSError) as exc:
            logger.error(
                "S3 object read failed mid-stream", location=self._location, error=repr(exc)
            )
            self.close()
            raise StopIteration from None

    def close(self) -> None:
        self._body.close()


class S3Recordings:
    """Tiered segment files in S3 (or an S3-compatible endpoint such as moto's server)."""

    def __init__(
        self,
        *,
        endpoint_url: str = "",
        region: str = "us-east-1",
        connect_timeout_s: float = 3.0,
        read_timeout_s: float = 20.0,
    ) -> None:
        self._endpoint_url = endpoint_url or None
        self._region = region
        self._config = Config(
            connect_timeout=connect_timeout_s,
            read_timeout=read_timeout_s,
            retries={"max_attempts": 2, "mode": "standard"},
        )
        self._client: S3Client | None = None
        self._lock = threading.Lock()

    def size(self, location: str) -> int:
        where = ObjectLocation.parse(location)
        with _translated("inspect", location):
            head = self._s3().head_object(Bucket=where.bucket, Key=where.key)
        return int(head["ContentLength"])

    def read(self, location: str, first: int | None = None, last: int | None = None) -> ObjectPart:
        """The object, or bytes `first..last` (inclusive) of it, streamed in chunks."""
        where = ObjectLocation.parse(location)
        request: dict[str, Any] = {"Bucket": where.bucket, "Key": where.key}
        if first is not None:
            request["Range"] = f"bytes={first}-{'' if last is None else last}"
        with _translated("read", location):
            response = self._s3().get_object(**request)
        return ObjectPart(
            response["Body"],
            length=int(response["ContentLength"]),
            content_range=response.get("ContentRange"),
            location=location,
        )

    def head_bytes(self, location: str, length: int) -> bytes:
        """The first `length` bytes of the object (fewer when it is shorter)."""
        part = self.read(location, 0, length - 1)
        try:
            return b"".join(part)
        finally:
            part.close()

    def download(self, location: str, destination: Path) -> None:
        where = ObjectLocation.parse(location)
        with _translated("download", location):
            self._s3().download_file(where.bucket, where.key, str(destination))

    def _s3(self) -> "S3Client":
        with self._lock:
            if self._client is None:
                self._client = boto3.client(
                    "s3",
                    endpoint_url=self._endpoint_url,
                    region_name=self._region,
                    config=self._config,
                )
            return self._client


@contextmanager
def _translated(action: str, location: str) -> Iterator[None]:
    try:
        yield
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code in MISSING_CODES or status == 404:
            raise RecordingFileMissing(
                "the recording's file is not in object storage",
                extra={"location": location},
            ) from None
        if code == "InvalidRange" or status == 416:
            raise ObjectRangeNotSatisfiable(location) from None
        logger.warning("S3 refused", action=action, location=location, code=code, status=status)
        raise StorageUnavailable(
            f"object storage refused to {action} the recording's file",
            extra={"location": location, "s3_code": code},
        ) from None
    except BotoCoreError as exc:
        logger.warning("S3 unreachable", action=action, location=location, error=repr(exc))
        raise StorageUnavailable(
            "object storage cannot be reached", extra={"location": location}
        ) from None


_shared: dict[tuple[Any, ...], S3Recordings] = {}
_shared_lock = threading.Lock()


def s3_recordings() -> S3Recordings:
    """The adapter for the current settings, built once per configuration."""
    key = (
        settings.S3_ENDPOINT_URL,
        settings.AWS_REGION,
        settings.S3_CONNECT_TIMEOUT_S,
        settings.S3_READ_TIMEOUT_S,
    )
    with _shared_lock:
        if key not in _shared:
            _shared[key] = S3Recordings(
                endpoint_url=key[0],
                region=key[1],
                connect_timeout_s=key[2],
                read_timeout_s=key[3],
            )
        return _shared[key]
