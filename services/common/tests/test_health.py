"""The services' dependency checks (`vms_common.health`), on this machine's real folders and
RabbitMQ."""

import os
import socket
import sys
from pathlib import Path

import pytest

from vms_common.health import rabbitmq_check, writable_directory_check

TEST_URL = os.environ.get("VMS_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/vms_test")


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_writable_folder_is_ok_and_left_as_it_was(tmp_path: Path):
    (tmp_path / "segment.mp4").write_bytes(b"x")

    assert writable_directory_check(tmp_path) == "ok"
    assert [p.name for p in tmp_path.iterdir()] == ["segment.mp4"]


def test_a_missing_folder_is_named(tmp_path: Path):
    assert writable_directory_check(tmp_path / "gone") == f"missing: {tmp_path / 'gone'}"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="sysfs is Linux's")
def test_a_folder_nobody_can_write_is_reported():
    # sysfs refuses new files even to root, unlike a chmod'ed folder
    assert writable_directory_check(Path("/sys")).startswith("not writable:")


def test_rabbitmq_is_ok_when_it_answers_and_reported_when_not():
    assert rabbitmq_check(TEST_URL) == "ok"
    assert rabbitmq_check(f"amqp://guest:guest@127.0.0.1:{_closed_port()}/%2F").startswith(
        "unreachable:"
    )
