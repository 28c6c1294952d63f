"""What the paid provider costs, per camera and API, and the daily budgets that cap it.

Every paid call a provider reports (`Detection.calls`, e.g. ``{"DetectLabels": 1,
"DetectFaces": 1}``) is counted per camera and API and priced (default $0.001 per
DetectLabels and per DetectFaces; prices are configurable). Spending is also summed per
camera and per tenant for the current UTC day; once a camera's or its tenant's daily budget
is spent (spent >= budget), `over_budget` names the exhausted scope and the caller switches
that camera to the fallback (local) provider until the next UTC midnight. The switch is said
once per camera and day in a log line and through the metrics port.

Amounts are kept as `Decimal` so the totals are exact; the clock is injected.
"""

import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Protocol

log = logging.getLogger(__name__)

DEFAULT_PRICES: Mapping[str, float] = {"DetectLabels": 0.001, "DetectFaces": 0.001}


class CostMetrics(Protocol):
    """Where the tracker reports; the Prometheus adapter is in infrastructure."""

    def paid_calls(self, camera_id: str, api: str, count: int) -> None: ...
    def cost(self, camera_id: str, usd: float) -> None: ...
    def budget_exhausted(self, camera_id: str, scope: str) -> None: ...


class NoCostMetrics:
    def paid_calls(self, camera_id: str, api: str, count: int) -> None:
        pass

    def cost(self, camera_id: str, usd: float) -> None:
        pass

    def budget_exhausted(self, camera_id: str, scope: str) -> None:
        pass


@dataclass(frozen=True)
class Budgets:
    """Daily budgets in USD (None = unlimited). A camera's own budget comes with its
    configuration (`over_budget`'s `camera_budget_usd`); a tenant's own entry wins over the
    tenant default."""

    camera_default_usd: float | None = None
    tenant_default_usd: float | None = None
    per_tenant_usd: Mapping[str, float] = field(default_factory=dict)

    def tenant(self, tenant_id: str) -> Decimal | None:
        value = self.per_tenant_usd.get(tenant_id, self.tenant_default_usd)
        return None if value is None else Decimal(str(value))


def _utc_now() -> datetime:
    return datetime.now(UTC)


class CostTracker:
    """Thread-safe; shared by the worker's threads."""

    def __init__(
        self,
        budgets: Budgets | None = None,
        prices: Mapping[str, float] = DEFAULT_PRICES,
        metrics: CostMetrics | None = None,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._budgets = budgets or Budgets()
        self._prices = {api: Decimal(str(price)) for api, price in prices.items()}
        self._metrics = metrics or NoCostMetrics()
        self._clock = clock
        self._lock = threading.Lock()
        self._calls: dict[tuple[str, str], int] = defaultdict(int)
        self._cost: dict[str, Decimal] = defaultdict(Decimal)
        self._day: date | None = None
        self._camera_today: dict[str, Decimal] = defaultdict(Decimal)
        self._tenant_today: dict[str, Decimal] = defaultdict(Decimal)
        self._announced: set[str] = set()

    def price(self, calls: Mapping[str, int]) -> Decimal:
        """What these calls cost; APIs without a price are free."""
        return sum(
            (self._prices.get(api, Decimal(0)) * count for api, count in calls.items()),
            Decimal(0),
        )

    def record(self, tenant_id: str, camera_id: str, calls: Mapping[str, int]) -> float:
        """Count the paid calls made for one frame and return their cost in USD."""
        cost = self.price(calls)
        with self._lock:
            self._roll_day()
            for api, count in calls.items():
                if api in self._prices and count > 0:
                    self._calls[(camera_id, api)] += count
                    self._metrics.paid_calls(camera_id, api, count)
            if cost:
                self._cost[camera_id] += cost
                self._camera_today[camera_id] += cost
                self._tenant_today[tenant_id] += cost
                self._metrics.cost(camera_id, float(cost))
        return float(cost)

    def over_budget(
        self, tenant_id: str, camera_id: str, camera_budget_usd: float | None = None
    ) -> str | None:
        """ "camera" or "tenant" when that daily budget is spent, else None.

        `camera_budget_usd` is the camera's own budget; None uses `Budgets`."""
        with self._lock:
            self._roll_day()
            scope = self._exhausted(tenant_id, camera_id, camera_budget_usd)
            if scope is not None and camera_id not in self._announced:
                self._announced.add(camera_id)
                log.warning(
                    "daily %s budget spent: camera %s (tenant %s) switches to the fallback "
                    "provider until 00:00 UTC (camera today $%s, tenant today $%s)",
                    scope,
                    camera_id,
                    tenant_id,
                    self._camera_today[camera_id],
                    self._tenant_today[tenant_id],
                )
                self._metrics.budget_exhausted(camera_id, scope)
            return scope

    def calls(self, camera_id: str, api: str) -> int:
        with self._lock:
            return self._calls[(camera_id, api)]

    def cost_usd(self, camera_id: str) -> Decimal:
        """Total since start, exact."""
        with self._lock:
            return self._cost[camera_id]

    def spent_today(self, *, camera_id: str | None = None, tenant_id: str | None = None) -> Decimal:
        with self._lock:
            self._roll_day()
            if camera_id is not None:
                return self._camera_today[camera_id]
            if tenant_id is not None:
                return self._tenant_today[tenant_id]
            raise ValueError("give camera_id or tenant_id")

    def _exhausted(
        self, tenant_id: str, camera_id: str, camera_budget_usd: float | None
    ) -> str | None:
        if camera_budget_usd is None:
            camera_budget_usd = self._budgets.camera_default_usd
        camera_budget = None if camera_budget_usd is None else Decimal(str(camera_budget_usd))
        if camera_budget is not None and self._camera_today[camera_id] >= camera_budget:
            return "camera"
        tenant_budget = self._budgets.tenant(tenant_id)
        if tenant_budget is not None and self._tenant_today[tenant_id] >= tenant_budget:
            return "tenant"
        return None

    def _roll_day(self) -> None:
        today = self._clock().astimezone(UTC).date()
        if today != self._day:
            if self._day is not None:
                log.info("new UTC day %s: daily detection budgets reset", today)
            self._day = today
            self._camera_today.clear()
            self._tenant_today.clear()
            self._announced.clear()
