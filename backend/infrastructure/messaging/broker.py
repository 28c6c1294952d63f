"""Small pika helpers: connection parameters and declaring the shared topology."""

from pathlib import Path

import pika

from vms_common.topology import Topology, declare_topology, load_topology


def connection_parameters(url: str, timeout_s: float = 5.0) -> pika.URLParameters:
    params = pika.URLParameters(url)
    params.connection_attempts = 1
    params.socket_timeout = timeout_s
    params.stack_timeout = timeout_s
    params.blocked_connection_timeout = timeout_s
    return params


def topology_declare(url: str, definitions: Path) -> Topology:
    """Declare the exchanges, queues and bindings of the definitions file (idempotent)."""
    topology = load_topology(definitions)
    connection = pika.BlockingConnection(connection_parameters(url))
    try:
        declare_topology(connection.channel(), topology)
    finally:
        connection.close()
    return topology
