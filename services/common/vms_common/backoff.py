"""Exponential backoff for reconnects and retries."""


class Backoff:
    """Delays of `initial_s`, doubling up to `maximum_s`; `reset()` after a success."""

    def __init__(self, initial_s: float, maximum_s: float) -> None:
        self._initial = initial_s
        self._maximum = max(maximum_s, initial_s)
        self._next = initial_s

    def next_delay(self) -> float:
        delay = self._next
        self._next = min(self._next * 2, self._maximum)
        return delay

    def reset(self) -> None:
        self._next = self._initial
