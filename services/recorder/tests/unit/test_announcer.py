"""The outbox keeps every segment event until the broker confirms it."""

from datetime import UTC, datetime, timedelta

from recorder.announcer import OutboxAnnouncer
from vms_common.contracts import SegmentCompleted
from vms_common.publisher import PublishError


class FlakyBroker:
    """A fake of the publisher port that refuses until told to accept."""

    def __init__(self) -> None:
        self.up = False
        self.published: list[SegmentCompleted] = []

    def publish(self, message: SegmentCompleted) -> None:
        if not self.up:
            raise PublishError("broker unreachable")
        self.published.append(message)


def _event(n: int) -> SegmentCompleted:
    start = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=30 * n)
    return SegmentCompleted(
        tenant_id="t",
        camera_id="c",
        start=start,
        end=start + timedelta(seconds=30),
        duration_s=30,
        path=f"t/c/{n}.mp4",
        size_bytes=1,
        codec="h264",
        width=640,
        height=360,
        sha256="0" * 64,
    )


def test_events_wait_in_the_outbox_while_the_broker_is_down(tmp_path):
    broker = FlakyBroker()
    announcer = OutboxAnnouncer(broker, tmp_path / "outbox")
    first, second = _event(0), _event(1)
    announcer.announce(first)
    announcer.announce(second)
    assert announcer.pending() == 2
    assert broker.published == []

    broker.up = True
    announcer.flush()
    assert announcer.pending() == 0
    assert [e.event_id for e in broker.published] == [first.event_id, second.event_id]


def test_a_new_announcer_publishes_what_a_previous_process_left(tmp_path):
    broker = FlakyBroker()
    OutboxAnnouncer(broker, tmp_path / "outbox").announce(_event(0))
    broker.up = True
    OutboxAnnouncer(broker, tmp_path / "outbox").flush()
    assert len(broker.published) == 1
