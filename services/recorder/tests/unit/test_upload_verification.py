"""A tiered segment's local copy goes only when S3 holds the very same bytes."""

from recorder.object_store import StoredObject
from recorder.tiering import upload_verified

SHA = "0DbuzUkXpoLqlFcPtvemswZJS8qlSRYRMHLAmLiQKHU="


def test_same_size_and_checksum_is_verified():
    assert upload_verified(5000, SHA, StoredObject("k", 5000, SHA))


def test_a_different_size_checksum_or_no_checksum_is_not():
    assert not upload_verified(5000, SHA, StoredObject("k", 4999, SHA))
    assert not upload_verified(5000, SHA, StoredObject("k", 5000, "A" + SHA[1:]))
    assert not upload_verified(5000, SHA, StoredObject("k", 5000, None))
