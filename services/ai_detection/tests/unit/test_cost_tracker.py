"""Cost tracking and daily budgets with a fake clock and a fake metrics port."""

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from ai_detection.application.cost_tracker import Budgets, CostTracker

BOTH = {"DetectLabels": 1, "DetectFaces": 1}


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class FakeMetrics:
    def __init__(self) -> None:
        self.calls: dict[tuple[str, str], int] = {}
        self.usd: dict[str, float] = {}
        self.exhausted: list[tuple[str, str]] = []

    def paid_calls(self, camera_id: str, api: str, count: int) -> None:
        self.calls[(camera_id, api)] = self.calls.get((camera_id, api), 0) + count

    def cost(self, camera_id: str, usd: float) -> None:
        self.usd[camera_id] = self.usd.get(camera_id, 0.0) + usd

    def budget_exhausted(self, camera_id: str, scope: str) -> None:
        self.exhausted.append((camera_id, scope))


def test_cost_tracking_accuracy(caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock(datetime(2026, 3, 1, 23, 0, tzinfo=UTC))
    metrics = FakeMetrics()
    tracker = CostTracker(
        Budgets(camera_default_usd=0.010, per_tenant_usd={"t1": 0.016}),
        metrics=metrics,
        clock=clock,
    )
    # cam a (tenant t1): five frames x 2 APIs = $0.010 -> its camera budget is spent at the 5th.
    for i in range(5):
        assert tracker.over_budget("t1", "a") is None, i
        assert tracker.record("t1", "a", BOTH) == pytest.approx(0.002)
    assert tracker.over_budget("t1", "a") == "camera"
    # cam b (tenant t1): labels only; the tenant reaches $0.016 after 6 calls of b.
    for i in range(6):
        assert tracker.over_budget("t1", "b") is None, i
        tracker.record("t1", "b", {"DetectLabels": 1})
    assert tracker.over_budget("t1", "b") == "tenant"
    # cam c of another tenant is unaffected; free APIs cost nothing and are not counted.
    assert tracker.over_budget("t2", "c") is None
    assert tracker.record("t2", "c", {"DetectFaces": 3, "HOG": 1}) == pytest.approx(0.003)

    assert tracker.calls("a", "DetectLabels") == 5
    assert tracker.calls("a", "DetectFaces") == 5
    assert tracker.calls("b", "DetectLabels") == 6
    assert tracker.calls("b", "DetectFaces") == 0
    assert tracker.calls("c", "HOG") == 0
    assert tracker.cost_usd("a") == Decimal("0.010")
    assert tracker.cost_usd("b") == Decimal("0.006")
    assert tracker.cost_usd("c") == Decimal("0.003")
    assert tracker.spent_today(tenant_id="t1") == Decimal("0.016")
    assert metrics.calls == {
        ("a", "DetectLabels"): 5,
        ("a", "DetectFaces"): 5,
        ("b", "DetectLabels"): 6,
        ("c", "DetectFaces"): 3,
    }
    assert metrics.usd["a"] == pytest.approx(0.010)
    # Said once per camera and day, however often it is asked.
    tracker.over_budget("t1", "a")
    assert metrics.exhausted == [("a", "camera"), ("b", "tenant")]
    assert "daily camera budget spent: camera a" in caplog.text

    # UTC midnight: the daily spend resets, the totals do not.
    clock.now = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
    assert tracker.over_budget("t1", "a") is None
    assert tracker.over_budget("t1", "b") is None
    assert tracker.spent_today(camera_id="a") == 0
    assert tracker.cost_usd("a") == Decimal("0.010")
    tracker.record("t1", "a", BOTH)
    assert tracker.spent_today(camera_id="a") == Decimal("0.002")


def test_midnight_is_utc_whatever_the_clock_zone() -> None:
    paris = timezone(timedelta(hours=1))
    clock = FakeClock(datetime(2026, 3, 1, 23, 30, tzinfo=UTC).astimezone(paris))
    tracker = CostTracker(Budgets(camera_default_usd=0.002), clock=clock)
    tracker.record("t", "a", BOTH)
    assert tracker.over_budget("t", "a") == "camera"
    clock.now = clock.now + timedelta(minutes=29)
    assert tracker.over_budget("t", "a") == "camera"
    clock.now = clock.now + timedelta(minutes=2)
    assert tracker.over_budget("t", "a") is None


def test_prices_are_configurable_and_unlimited_without_budgets() -> None:
    tracker = CostTracker(prices={"DetectLabels": 0.0012, "DetectFaces": 0.0008})
    assert tracker.record("t", "a", BOTH) == pytest.approx(0.002)
    assert tracker.record("t", "a", {"DetectLabels": 2}) == pytest.approx(0.0024)
    assert tracker.cost_usd("a") == Decimal("0.0044")
    assert tracker.over_budget("t", "a") is None
