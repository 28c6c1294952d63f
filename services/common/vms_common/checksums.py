"""The SHA-256 of a file, read in chunks: how segments, tiered copies and clips are fingerprinted."""

import hashlib
from pathlib import Path


def file_sha256_digest(path: Path) -> bytes:
    """The raw SHA-256 digest of the file's content."""
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").digest()


def file_sha256(path: Path) -> str:
    """The SHA-256 of the file's content as 64 lowercase hex digits."""
    return file_sha256_digest(path).hex()
