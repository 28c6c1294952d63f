"""RabbitMQ topology, read from the definitions file that compose loads into RabbitMQ.

The native stack declares exactly the same exchanges, queues and bindings from the same
file, so there is one place for the topology.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol


@dataclass(frozen=True)
class Topology:
    exchanges: list[dict[str, Any]]
    queues: list[dict[str, Any]]
    bindings: list[dict[str, Any]]

    def queue(self, name: str) -> dict[str, Any]:
        for queue in self.queues:
            if queue["name"] == name:
                return queue
        raise KeyError(f"queue {name!r} is not in the topology")

    def dead_letter_queue(self, name: str) -> str:
        """The queue that receives what `name` dead-letters."""
        exchange = self.queue(name)["arguments"]["x-dead-letter-exchange"]
        for binding in self.bindings:
            if binding["source"] == exchange and binding["destination_type"] == "queue":
                return str(binding["destination"])
        raise KeyError(f"no queue bound to dead-letter exchange {exchange!r}")


class Channel(Protocol):
    def exchange_declare(self, exchange: str, exchange_type: str, **kwargs: Any) -> Any: ...
    def queue_declare(self, queue: str, **kwargs: Any) -> Any: ...
    def queue_bind(self, queue: str, exchange: str, routing_key: str | None = ...) -> Any: ...


def load_topology(path: Path) -> Topology:
    data = json.loads(path.read_text())
    return Topology(
        exchanges=data.get("exchanges", []),
        queues=data.get("queues", []),
        bindings=data.get("bindings", []),
    )


def declare_topology(channel: Channel, topology: Topology) -> None:
    """Declare every exchange, queue and binding (idempotent)."""
    for ex in topology.exchanges:
        channel.exchange_declare(
            exchange=ex["name"],
            exchange_type=ex["type"],
            durable=ex.get("durable", True),
            auto_delete=ex.get("auto_delete", False),
            internal=ex.get("internal", False),
            arguments=ex.get("arguments") or None,
        )
    for q in topology.queues:
        channel.queue_declare(
            queue=q["name"],
            durable=q.get("durable", True),
            auto_delete=q.get("auto_delete", False),
            arguments=q.get("arguments") or None,
        )
    for b in topology.bindings:
        if b["destination_type"] == "queue":
            channel.queue_bind(
                queue=b["destination"], exchange=b["source"], routing_key=b["routing_key"]
            )
