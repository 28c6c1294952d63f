import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient

from apps.playback.file_responses import CHUNK_SIZE
from apps.playback.models import Recording
from apps.playback.segment_links import segment_file_url
from infrastructure.auth.tokens import token_pair_for_user

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
CONTENT = bytes(range(256)) * 1000  # 256000 bytes, every offset distinguishable


@pytest.fixture
def recording(camera, make_recording):
    return make_recording(camera, T0, content=CONTENT)


def file_url(recording_id: int) -> str:
    return f"/api/playback/segments/{recording_id}/file"


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_whole_file_without_range_is_200(auth_client, recording):
    response = auth_client.get(file_url(recording.id))

    assert response.status_code == 200
    assert response["Content-Type"] == "video/mp4"
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Length"] == str(len(CONTENT))
    assert body_of(response) == CONTENT


def test_the_file_is_streamed_in_bounded_chunks(auth_client, recording):
    response = auth_client.get(file_url(recording.id))

    chunks = list(response.streaming_content)
    assert len(chunks) > 1
    assert max(len(chunk) for chunk in chunks) <= CHUNK_SIZE


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=1000-1999", 1000, 1999),
        ("bytes=255000-", 255000, 255999),
        ("bytes=-10", 255990, 255999),
        ("bytes=250000-999999", 250000, 255999),
    ],
)
def test_a_single_range_is_206_with_exactly_those_bytes(
    auth_client, recording, header, first, last
):
    response = auth_client.get(file_url(recording.id), HTTP_RANGE=header)

    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {first}-{last}/{len(CONTENT)}"
    assert response["Content-Length"] == str(last - first + 1)
    assert body_of(response) == CONTENT[first : last + 1]


@pytest.mark.parametrize("header", ["bytes=256000-", "bytes=999999-1000000", "bytes=-0"])
def test_a_range_outside_the_file_is_416(auth_client, recording, header):
    response = auth_client.get(file_url(recording.id), HTTP_RANGE=header)

    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(CONTENT)}"


@pytest.mark.parametrize("header", ["bytes=0-1,5-6", "bytes=abc", "items=0-5", "bytes=9-2"])
def test_ranges_it_cannot_honour_get_the_whole_file(auth_client, recording, header):
    response = auth_client.get(file_url(recording.id), HTTP_RANGE=header)

    assert response.status_code == 200
    assert body_of(response) == CONTENT


def test_head_gives_the_headers_without_the_body(auth_client, recording):
    response = auth_client.head(file_url(recording.id), HTTP_RANGE="bytes=0-9")

    assert response.status_code == 206
    assert response["Content-Length"] == "10"
    assert response.content == b""


def test_the_signed_url_from_the_playback_api_plays_without_a_token(
    auth_client, api_client, camera, recording
):
    listing = auth_client.get(
        f"/api/playback/{camera.id}",
        {"start": "2026-11-23T10:00:00Z", "end": "2026-11-23T10:01:00Z"},
    ).json()
    signed = listing["segments"][0]["url"]

    response = api_client.get(signed, HTTP_RANGE="bytes=10-19")

    assert response.status_code == 206
    assert body_of(response) == CONTENT[10:20]


def test_a_tampered_signature_is_refused(api_client, user, recording):
    signed = segment_file_url(recording_id=recording.id, user_id=user.pk)
    tampered = signed[:-3] + ("AAA" if not signed.endswith("AAA") else "BBB")

    response = api_client.get(tampered)

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_signature"


def test_a_signature_for_another_recording_is_refused(
    api_client, user, camera, recording, make_recording
):
    other = make_recording(camera, T0 + timedelta(minutes=1), content=b"x")
    signed_for_other = segment_file_url(recording_id=other.id, user_id=user.pk)
    sig = signed_for_other.split("sig=", 1)[1]

    response = api_client.get(f"{file_url(recording.id)}?sig={sig}")

    assert response.status_code == 401


def test_an_expired_signature_is_refused(api_client, user, recording):
    expired = segment_file_url(
        recording_id=recording.id, user_id=user.pk, expires=int(time.time()) - 1
    )

    response = api_client.get(expired)

    assert response.status_code == 401
    assert response.json()["code"] == "signature_expired"


def test_a_signature_with_its_expiry_moved_is_refused(api_client, user, recording):
    signed = segment_file_url(recording_id=recording.id, user_id=user.pk)
    exp = parse_qs(urlsplit(signed).query)["exp"][0]

    response = api_client.get(signed.replace(f"exp={exp}", f"exp={int(exp) + 86400}"))

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_signature"


def test_a_signature_made_for_another_user_id_is_refused(api_client, user, other_user, recording):
    signed = segment_file_url(recording_id=recording.id, user_id=user.pk)

    response = api_client.get(signed.replace(f"sig={user.pk}.", f"sig={other_user.pk}."))

    assert response.status_code == 401


def test_a_signature_of_a_deactivated_user_is_refused(api_client, user, recording):
    signed = segment_file_url(recording_id=recording.id, user_id=user.pk)
    user.is_active = False
    user.save()

    assert api_client.get(signed).status_code == 401


def test_without_token_or_signature_it_is_401(api_client, recording):
    response = api_client.get(file_url(recording.id))

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_another_tenants_user_gets_404_by_token_and_by_signature(
    client_for, api_client, other_user, recording
):
    by_token = client_for(other_user).get(file_url(recording.id))
    by_signature = api_client.get(
        segment_file_url(recording_id=recording.id, user_id=other_user.pk)
    )

    assert by_token.status_code == 404
    assert by_signature.status_code == 404


def test_an_unknown_recording_is_404(auth_client, db):
    assert auth_client.get(file_url(987654321)).status_code == 404
    assert auth_client.get(file_url(10**30)).status_code == 404


def test_a_missing_file_is_404(auth_client, camera, make_recording):
    recording = make_recording(camera, T0)  # no file written

    response = auth_client.get(file_url(recording.id))

    assert response.status_code == 404
    assert response.json()["code"] == "recording_file_not_found"
    assert response.json()["message"]


def test_a_file_shorter_than_recorded_is_404_saying_it_was_cut_off(
    auth_client, recording, settings
):
    path = Path(settings.RECORDINGS_ROOT) / recording.path
    path.write_bytes(CONTENT[:1000])

    response = auth_client.get(file_url(recording.id), HTTP_RANGE="bytes=0-99")

    assert response.status_code == 404
    assert response.json()["code"] == "recording_file_truncated"
    assert response.json()["extra"] == {
        "recording_id": recording.id,
        "size": 1000,
        "expected": len(CONTENT),
    }


@pytest.mark.parametrize("stored_path", ["../outside.mp4", "a/../../outside.mp4"])
def test_a_path_escaping_the_recordings_root_is_404(auth_client, recording, settings, stored_path):
    outside = Path(settings.RECORDINGS_ROOT).parent / "outside.mp4"
    outside.write_bytes(b"secret")
    Recording.objects.filter(pk=recording.pk).update(path=stored_path)

    assert auth_client.get(file_url(recording.id)).status_code == 404


def test_an_absolute_path_is_404(auth_client, recording, settings):
    outside = Path(settings.RECORDINGS_ROOT).parent / "outside.mp4"
    outside.write_bytes(b"secret")
    Recording.objects.filter(pk=recording.pk).update(path=str(outside))

    assert auth_client.get(file_url(recording.id)).status_code == 404


def test_a_symlink_leading_out_of_the_root_is_404(auth_client, recording, settings):
    outside = Path(settings.RECORDINGS_ROOT).parent / "outside.mp4"
    outside.write_bytes(b"secret")
    link = Path(settings.RECORDINGS_ROOT) / recording.path
    link.unlink()
    os.symlink(outside, link)

    assert auth_client.get(file_url(recording.id)).status_code == 404


def test_a_symlink_within_the_root_is_served(auth_client, recording, settings):
    root = Path(settings.RECORDINGS_ROOT)
    target = root / "elsewhere.mp4"
    target.write_bytes(CONTENT[::-1])
    link = root / recording.path
    link.unlink()
    os.symlink(target, link)

    assert body_of(auth_client.get(file_url(recording.id))) == CONTENT[::-1]


def test_under_asgi_the_file_is_streamed_asynchronously(user, recording):
    client = AsyncClient()
    headers = {
        "Authorization": f"Bearer {token_pair_for_user(user).access}",
        "Range": "bytes=100-70099",
    }

    async def fetch():
        response = await client.get(file_url(recording.id), headers=headers)
        chunks = [chunk async for chunk in response.streaming_content]
        return response, chunks

    response, chunks = async_to_sync(fetch)()

    assert response.status_code == 206
    assert response.is_async is True
    assert b"".join(chunks) == CONTENT[100:70100]
    assert len(chunks) == 2
