"""The RabbitMQ topology file against the real broker of this machine.

`rabbitmqctl import_definitions` (what `load_definitions` does at boot under compose) must
accept the file; the import goes into a scratch vhost made for the test, so the broker's own
vhosts are untouched. The same file declared through pika (the native stack's way) must then
be a no-op: RabbitMQ refuses a declaration whose arguments differ from the existing queue's.
"""

import json
import subprocess
import time
import uuid

import pika
import pytest

from vms_common.settings import DEFAULT_DEFINITIONS
from vms_common.topology import declare_topology, load_topology

CONF = DEFAULT_DEFINITIONS.parent / "rabbitmq.conf"


def rabbitmqctl(*args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        ["rabbitmqctl", *args], input=stdin, check=True, capture_output=True, text=True, timeout=60
    )
    return done.stdout


@pytest.fixture
def scratch_vhost():
    vhost = f"vms_definitions_{uuid.uuid4().hex[:8]}"
    rabbitmqctl("add_vhost", vhost)
    rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    try:
        yield vhost
    finally:
        rabbitmqctl("delete_vhost", vhost)


def test_rabbitmq_loads_the_definitions_and_the_services_declare_the_same(
    scratch_vhost: str,
) -> None:
    data = json.loads(DEFAULT_DEFINITIONS.read_text())
    for kind in ("exchanges", "queues", "bindings"):
        for item in data[kind]:
            assert item["vhost"] == "/"
            item["vhost"] = scratch_vhost
    data["vhosts"] = [{"name": scratch_vhost}]
    # through standard input: the broker's node could not read a file of the test's
    rabbitmqctl("import_definitions", stdin=json.dumps(data))

    topology = load_topology(DEFAULT_DEFINITIONS)
    wanted = sorted(q["name"] for q in topology.queues)
    deadline = time.monotonic() + 30  # the import runs asynchronously
    while True:
        listed = rabbitmqctl("list_queues", "-q", "-p", scratch_vhost, "name", "--no-table-headers")
        names = sorted(listed.split())
        if names == wanted or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert names == wanted
    assert "detections.dlq" in listed and "alerts.dlq" in listed

    connection = pika.BlockingConnection(
        pika.URLParameters(f"amqp://guest:guest@127.0.0.1:5672/{scratch_vhost}")
    )
    try:
        declare_topology(connection.channel(), topology)  # raises PRECONDITION_FAILED if not equal
    finally:
        connection.close()


def test_every_work_queue_dead_letters_into_a_queue_kept_a_day() -> None:
    topology = load_topology(DEFAULT_DEFINITIONS)
    for name in ("recordings.persist", "detections.processing", "alerts.notifications"):
        dead_letter_queue = topology.dead_letter_queue(name)
        arguments = topology.queue(dead_letter_queue)["arguments"]
        assert arguments["x-message-ttl"] == 24 * 3600 * 1000, dead_letter_queue
    assert "load_definitions = /etc/rabbitmq/definitions.json" in CONF.read_text()
