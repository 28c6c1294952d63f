"""Against the real RabbitMQ, in the `vms_test` vhost."""

import os

import pika
import pytest

from vms_common.contracts import SegmentCompleted, decode
from vms_common.publisher import Publisher, PublishError
from vms_common.settings import DEFAULT_DEFINITIONS
from vms_common.topology import load_topology

from .test_contracts import segment

TEST_URL = os.environ.get("VMS_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/vms_test")


@pytest.fixture
def channel():
    connection = pika.BlockingConnection(pika.URLParameters(TEST_URL))
    ch = connection.channel()
    yield ch
    connection.close()


def test_topology_names_the_dead_letter_queue_of_the_persist_queue():
    topology = load_topology(DEFAULT_DEFINITIONS)
    assert topology.dead_letter_queue("recordings.persist") == "recordings.dlq"
    assert topology.queue("recordings.dlq")["arguments"]["x-message-ttl"] == 24 * 3600 * 1000


def test_published_segment_is_persistent_and_routed_to_the_persist_queue(channel):
    publisher = Publisher(TEST_URL, DEFAULT_DEFINITIONS, "recordings")
    publisher.publish(segment())  # declares the topology
    channel.queue_purge("recordings.persist")
    event = segment()
    publisher.publish(event)
    publisher.close()

    method, properties, body = channel.basic_get("recordings.persist", auto_ack=True)
    assert method is not None
    assert properties.delivery_mode == 2
    assert properties.message_id == str(event.event_id)
    assert properties.headers["trace_id"] == event.trace_id
    received = decode(method.routing_key, body)
    assert isinstance(received, SegmentCompleted)
    assert received.event_id == event.event_id


def test_publish_to_an_unreachable_broker_raises_publish_error():
    publisher = Publisher("amqp://guest:guest@127.0.0.1:1/%2F", DEFAULT_DEFINITIONS, "recordings")
    with pytest.raises(PublishError, match="unreachable"):
        publisher.publish(segment())
