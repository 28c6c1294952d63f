"""A recording's file wherever it is: local disk, or S3 for tiered recordings.

S3 is faked by moto in server mode (a `moto_server` subprocess on 127.0.0.1), since AWS
cannot be reached from the tests.
"""

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest

from apps.playback.models import Recording
from apps.playback.services import recording_init_sizes_fill
from infrastructure.persistence.recording_repository import recordings_in_range
from infrastructure.storage.errors import (
    RecordingChecksumMismatch,
    RecordingFileMissing,
    RecordingFileTruncated,
    StorageUnavailable,
)
from infrastructure.storage.recordings import recording_fetch, recording_init_size
from vms_common.mp4 import Mp4Error

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
INIT = b"\x00\x00\x00\x10ftypiso5\x00\x00\x02\x00" + b"\x00\x00\x00\x10moov" + b"\x00" * 8
MEDIA = b"\x00\x00\x00\x10moof" + b"\x00" * 8 + b"\x00\x00\x00\x18mdat" + b"\x01" * 16
CONTENT = INIT + MEDIA


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def s3(settings):
    return boto3.client("s3", endpoint_url=settings.S3_ENDPOINT_URL, region_name="us-east-1")


def tier(recording, bucket: str, *, location: str | None = None):
    Recording.objects.filter(pk=recording.pk).update(
        tier="s3", location=f"s3://{bucket}/{recording.path}" if location is None else location
    )
    recording.refresh_from_db()
    return recording


@pytest.fixture
def local(camera, make_recording):
    return make_recording(camera, T0, content=CONTENT, sha256=digest(CONTENT))


def test_a_local_recording_is_fetched_in_place(local, tmp_path, settings):
    path = recording_fetch(recording=local, destination_dir=tmp_path / "out")

    assert path == (Path(settings.RECORDINGS_ROOT) / local.path).resolve()
    assert not (tmp_path / "out").exists()


def test_a_local_file_cut_short_or_missing_is_refused(local, tmp_path, settings):
    path = Path(settings.RECORDINGS_ROOT) / local.path
    path.write_bytes(CONTENT[:10])
    with pytest.raises(RecordingFileTruncated):
        recording_fetch(recording=local, destination_dir=tmp_path)
    path.unlink()
    with pytest.raises(RecordingFileMissing):
        recording_fetch(recording=local, destination_dir=tmp_path)


def test_a_tiered_recording_is_downloaded_and_checked(local, s3_bucket, tmp_path, settings):
    s3(settings).put_object(Bucket=s3_bucket, Key=local.path, Body=CONTENT)
    (Path(settings.RECORDINGS_ROOT) / local.path).unlink()
    tiered = tier(local, s3_bucket)

    path = recording_fetch(recording=tiered, destination_dir=tmp_path / "out")

    assert path == tmp_path / "out" / Path(local.path).name
    assert path.read_bytes() == CONTENT
    assert list((tmp_path / "out").iterdir()) == [path]


def test_the_lean_rows_of_the_range_query_can_be_fetched_too(local, s3_bucket, tmp_path, settings):
    s3(settings).put_object(Bucket=s3_bucket, Key=local.path, Body=CONTENT)
    tier(local, s3_bucket)
    [row] = recordings_in_range(
        camera_id=local.camera_id, tenant_id=local.tenant_id, start=T0, end=local.end
    )

    assert recording_fetch(recording=row, destination_dir=tmp_path).read_bytes() == CONTENT


def test_a_downloaded_copy_that_does_not_match_is_removed_and_refused(
    local, s3_bucket, tmp_path, settings
):
    s3(settings).put_object(Bucket=s3_bucket, Key=local.path, Body=CONTENT[:-1] + b"X")
    tiered = tier(local, s3_bucket)

    with pytest.raises(RecordingChecksumMismatch) as caught:
        recording_fetch(recording=tiered, destination_dir=tmp_path / "out")

    assert caught.value.code == "recording_checksum_mismatch"
    assert caught.value.extra["expected"] == digest(CONTENT)
    assert list((tmp_path / "out").iterdir()) == []


def test_a_tiered_recording_missing_from_the_bucket_is_not_found(local, s3_bucket, tmp_path):
    tiered = tier(local, s3_bucket)

    with pytest.raises(RecordingFileMissing):
        recording_fetch(recording=tiered, destination_dir=tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []


def test_without_a_stored_location_the_key_is_the_path_in_the_configured_bucket(
    local, s3_bucket, tmp_path, settings
):
    s3(settings).put_object(Bucket=s3_bucket, Key=local.path, Body=CONTENT)
    tiered = tier(local, s3_bucket, location="")

    assert recording_fetch(recording=tiered, destination_dir=tmp_path).read_bytes() == CONTENT


def test_s3_out_of_reach_is_storage_unavailable(local, s3_bucket, tmp_path, settings):
    tiered = tier(local, s3_bucket)
    settings.S3_ENDPOINT_URL = "http://127.0.0.1:9"

    with pytest.raises(StorageUnavailable):
        recording_fetch(recording=tiered, destination_dir=tmp_path)


def test_the_init_size_of_a_tiered_recording_is_read_from_the_head_of_the_object(
    local, s3_bucket, settings
):
    s3(settings).put_object(Bucket=s3_bucket, Key=local.path, Body=CONTENT)
    tiered = tier(local, s3_bucket)

    assert recording_init_size(tiered) == len(INIT)


def test_the_init_size_of_a_local_recording_is_read_from_its_box_headers(local):
    assert recording_init_size(local) == len(INIT)


def test_a_tiered_object_that_is_not_an_mp4_is_refused(local, s3_bucket, settings):
    s3(settings).put_object(Bucket=s3_bucket, Key=local.path, Body=b"x" * len(CONTENT))
    tiered = tier(local, s3_bucket)

    with pytest.raises(Mp4Error):
        recording_init_size(tiered)


def test_older_tiered_rows_get_their_init_size_stored(local, s3_bucket, settings):
    s3(settings).put_object(Bucket=s3_bucket, Key=local.path, Body=CONTENT)
    tier(local, s3_bucket)
    rows = recordings_in_range(
        camera_id=local.camera_id, tenant_id=local.tenant_id, start=T0, end=local.end
    )

    [filled] = recording_init_sizes_fill(rows)

    assert filled.init_size_bytes == len(INIT)
    assert Recording.objects.get(pk=local.pk).init_size_bytes == len(INIT)
