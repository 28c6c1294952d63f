import threading
from pathlib import Path

from recorder.ffmpeg_recorder import ffmpeg_command
from recorder.supervision import ConnectSlots, StallDetector, jittered
from vms_common.backoff import Backoff


def test_backoff_doubles_up_to_its_cap_and_resets():
    backoff = Backoff(0.5, 4.0)
    assert [backoff.next_delay() for _ in range(6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    backoff.reset()
    assert backoff.next_delay() == 0.5


def test_ffmpeg_copies_the_stream_into_fragmented_mp4_segments():
    command = ffmpeg_command("ffmpeg", "rtsp://relay/t/camera/c", Path("/w"), 30, 5.0)
    joined = " ".join(command)
    assert "-c copy" in joined
    assert "-segment_time 30" in joined
    assert "frag_keyframe" in joined
    options = command[command.index("-segment_format_options") + 1]
    assert "frag_duration=1000000" in options.split(":")  # a fragment at least every second
    assert "flush_packets=1" in options.split(":")  # each fragment reaches the disk at once
    assert "-rtsp_transport tcp" in joined
    assert "-timeout 5000000" in joined
    assert command[-1] == "/w/%06d.mp4"


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_run_is_stalled_once_its_progress_mark_stays_the_same_for_the_timeout():
    clock = FakeClock()
    detector = StallDetector(10.0, clock)
    detector.observe(("000000.mp4", 1000))
    clock.now += 9.9
    detector.observe(("000000.mp4", 1000))
    assert not detector.stalled()
    clock.now += 0.1
    detector.observe(("000000.mp4", 1000))
    assert detector.stalled()
    assert detector.silent_for() == 10.0


def test_growth_or_a_new_segment_counts_as_progress():
    clock = FakeClock()
    detector = StallDetector(10.0, clock)
    for mark in [("000000.mp4", 1000), ("000000.mp4", 2000), ("000001.mp4", 1000)]:
        clock.now += 9.0
        detector.observe(mark)
        assert not detector.stalled()
        assert detector.silent_for() == 0.0


def test_a_run_that_never_writes_is_stalled_counting_from_its_start():
    clock = FakeClock()
    detector = StallDetector(10.0, clock)
    clock.now += 5.0
    detector.observe(None)
    assert not detector.stalled()
    clock.now += 5.0
    detector.observe(None)
    assert detector.stalled()


def test_a_connecting_run_has_the_connect_timeout_from_its_start():
    clock = FakeClock()
    detector = StallDetector(10.0, clock, connect_timeout_s=30.0)
    clock.now += 29.9
    detector.observe(None)
    assert not detector.stalled()
    assert not detector.has_data
    clock.now += 0.1
    detector.observe(None)
    assert detector.stalled()


def test_the_stall_timeout_counts_from_the_first_data_not_from_the_start():
    clock = FakeClock()
    detector = StallDetector(10.0, clock, connect_timeout_s=30.0)
    clock.now += 25.0  # a slow connection on a busy machine
    detector.observe(("000000.mp4", 0))
    assert detector.has_data
    clock.now += 9.9
    detector.observe(("000000.mp4", 0))
    assert not detector.stalled()
    clock.now += 0.1
    detector.observe(("000000.mp4", 0))
    assert detector.stalled()  # from then on, 10 s without growth is a stall


def test_reconnect_delays_are_jittered_between_half_and_all_of_the_backoff():
    assert jittered(1.0, lambda: 0.0) == 0.5
    assert jittered(1.0, lambda: 0.999) < 1.0
    assert jittered(0.5, lambda: 0.5) == 0.375
    delays = {jittered(1.0) for _ in range(50)}
    assert len(delays) > 1
    assert all(0.5 <= d < 1.0 for d in delays)


def test_connect_slots_let_only_the_limit_connect_at_once_and_stop_ends_a_wait():
    slots = ConnectSlots(2)
    stop = threading.Event()
    assert slots.acquire(stop)
    assert slots.acquire(stop)
    waiting = threading.Thread(target=lambda: results.append(slots.acquire(stop, poll_s=0.01)))
    results: list[bool] = []
    waiting.start()
    waiting.join(0.2)
    assert waiting.is_alive()  # the third waits for a free slot
    slots.release()
    waiting.join(2)
    assert results == [True]
    stop.set()
    assert slots.acquire(stop) is False  # a stopped camera stops waiting
