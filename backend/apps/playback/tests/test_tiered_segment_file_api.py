"""Tiered segments are served from S3 as if they were on disk.

S3 is faked by moto in server mode (a `moto_server` subprocess on 127.0.0.1), since AWS
cannot be reached from the tests; boto3 talks real HTTP to it.
"""

from datetime import UTC, datetime

import boto3
import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient

from apps.playback.models import Recording
from apps.playback.segment_links import segment_file_url
from infrastructure.auth.tokens import token_pair_for_user

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
CONTENT = bytes(range(256)) * 1000  # 256000 bytes, every offset distinguishable


@pytest.fixture
def tiered(camera, make_recording, s3_bucket, settings):
    """A recording whose file is only in the bucket (as after tiering)."""
    recording = make_recording(camera, T0, size_bytes=len(CONTENT))
    boto3.client("s3", endpoint_url=settings.S3_ENDPOINT_URL, region_name="us-east-1").put_object(
        Bucket=s3_bucket, Key=recording.path, Body=CONTENT
    )
    Recording.objects.filter(pk=recording.pk).update(
        tier="s3", location=f"s3://{s3_bucket}/{recording.path}"
    )
    recording.refresh_from_db()
    return recording


def file_url(recording_id: int) -> str:
    return f"/api/playback/segments/{recording_id}/file"


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_tiered_segment_is_served_whole_from_s3(auth_client, tiered):
    response = auth_client.get(file_url(tiered.id))

    assert response.status_code == 200
    assert response["Content-Type"] == "video/mp4"
    assert response["Content-Length"] == str(len(CONTENT))
    assert response["Accept-Ranges"] == "bytes"
    assert body_of(response) == CONTENT


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [("bytes=0-99", 0, 99), ("bytes=1000-", 1000, 255999), ("bytes=-10", 255990, 255999)],
)
def test_a_range_of_a_tiered_segment_is_asked_of_s3_and_answered_206(
    auth_client, tiered, header, first, last
):
    response = auth_client.get(file_url(tiered.id), HTTP_RANGE=header)

    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {first}-{last}/{len(CONTENT)}"
    assert response["Content-Length"] == str(last - first + 1)
    assert body_of(response) == CONTENT[first : last + 1]


def test_head_of_a_tiered_segment_gives_its_headers(auth_client, tiered):
    whole = auth_client.head(file_url(tiered.id))
    part = auth_client.head(file_url(tiered.id), HTTP_RANGE="bytes=10-19")

    assert (whole.status_code, whole["Content-Length"]) == (200, str(len(CONTENT)))
    assert (part.status_code, part["Content-Length"]) == (206, "10")
    assert part["Content-Range"] == f"bytes 10-19/{len(CONTENT)}"
    assert whole.content == part.content == b""


def test_a_range_outside_a_tiered_segment_is_416(auth_client, tiered):
    response = auth_client.get(file_url(tiered.id), HTTP_RANGE="bytes=999999-")

    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(CONTENT)}"


def test_the_signed_link_plays_a_tiered_segment(api_client, user, tiered):
    response = api_client.get(
        segment_file_url(recording_id=tiered.id, user_id=user.pk), HTTP_RANGE="bytes=5-9"
    )

    assert response.status_code == 206
    assert body_of(response) == CONTENT[5:10]


def test_a_tiered_segment_missing_from_the_bucket_is_404(auth_client, tiered, settings):
    boto3.client(
        "s3", endpoint_url=settings.S3_ENDPOINT_URL, region_name="us-east-1"
    ).delete_object(Bucket=settings.S3_BUCKET, Key=tiered.path)

    get = auth_client.get(file_url(tiered.id))
    head = auth_client.head(file_url(tiered.id))

    assert get.status_code == head.status_code == 404
    assert get.json()["code"] == "recording_file_not_found"


def test_a_missing_bucket_is_404(auth_client, tiered):
    Recording.objects.filter(pk=tiered.pk).update(location="s3://no-such-bucket-here/x.mp4")

    response = auth_client.get(file_url(tiered.id))

    assert response.status_code == 404
    assert response.json()["code"] == "recording_file_not_found"


def test_s3_out_of_reach_is_503_not_500(auth_client, tiered, settings):
    settings.S3_ENDPOINT_URL = "http://127.0.0.1:9"  # the discard port: nothing listens
    settings.S3_CONNECT_TIMEOUT_S = 1.0

    get = auth_client.get(file_url(tiered.id), HTTP_RANGE="bytes=0-9")
    head = auth_client.head(file_url(tiered.id))

    assert get.status_code == head.status_code == 503
    assert get.json() == {
        "message": "object storage cannot be reached",
        "code": "storage_unavailable",
        "extra": {"location": tiered.location},
    }


def test_under_asgi_a_tiered_segment_is_streamed_asynchronously(user, tiered):
    client = AsyncClient()
    headers = {
        "Authorization": f"Bearer {token_pair_for_user(user).access}",
        "Range": "bytes=100-150099",
    }

    async def fetch():
        response = await client.get(file_url(tiered.id), headers=headers)
        chunks = [chunk async for chunk in response.streaming_content]
        return response, chunks

    response, chunks = async_to_sync(fetch)()

    assert response.status_code == 206
    assert response.is_async is True
    assert b"".join(chunks) == CONTENT[100:150100]
    assert len(chunks) > 1
