import base64
import hashlib
import os

from vms_common.checksums import file_sha256, file_sha256_digest


def test_the_sha256_of_a_file_larger_than_one_read_covers_all_of_it(tmp_path):
    content = os.urandom(3 * 1024 * 1024 + 17)
    path = tmp_path / "segment.mp4"
    path.write_bytes(content)

    assert file_sha256(path) == hashlib.sha256(content).hexdigest()
    assert file_sha256_digest(path) == hashlib.sha256(content).digest()
    assert base64.b64encode(file_sha256_digest(path)) == base64.b64encode(
        hashlib.sha256(content).digest()
    )


def test_an_empty_file_has_the_sha256_of_nothing(tmp_path):
    path = tmp_path / "empty"
    path.write_bytes(b"")

    assert file_sha256(path) == hashlib.sha256(b"").hexdigest()
