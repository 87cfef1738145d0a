"""The forecast: expected revenue per month or quarter with P10/P50/P90 beside the owners' numbers."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import get_language

from kampass.common import fx
from kampass.common.permissions import authorize
from kampass.common.process_memo import ProcessMemo
from kampass.common.request_memo import memoised
from kampass.pipeline.models import Outcome
from kampass.pipeline.selectors.backtests import BandCalibration, ScorerSwitch, band_calibration, forecast_scorer
from kampass.pipeline.selectors.lists import CENT, OpportunityFilters, opportunity_list
from kampass.users.actors import Actor

if TYPE_CHECKING:
    from kampass.core.forecasting.forecast import PeriodForecast


def period_label(day: dt.date, period: str) -> str:
    """``"2026-12"`` for months, ``"2027-Q1"`` for quarters."""
    if period == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year}-{day.month:02d}"


@dataclass(frozen=True)
class BandMethod:
    """How the P10-P90 band of the calibrated figures per period was made: ``"empirical"`` -- from
    ``errors`` past errors of kampass's own forecasts of a period total at ``horizon`` days (stored by the
    backtest run of ``calibrated_at``, as of ``as_of``), or ``"bernoulli"`` -- Monte Carlo over independent
    wins, which holds no model or drift uncertainty; ``reason`` says why: ``"no_calibration"`` (no backtest
    stored one yet), ``"too_few"`` (fewer than ``min_errors`` past errors) or ``"switched"`` (the figures
    come from a baseline, whose errors were not measured). The groups always use the Bernoulli band (the
    past errors are of the whole pipeline's totals)."""

    method: str = "bernoulli"
    errors: int = 0
    min_errors: int = 0
    horizon: int | None = None
    as_of: str = ""
    calibrated_at: dt.datetime | None = None
    reason: str = "no_calibration"

    @property
    def empirical(self) -> bool:
        return self.method == "empirical"

    def as_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "errors": self.errors,
            "min_errors": self.min_errors,
            "horizon_days": self.horizon,
            "calibrated_as_of": self.as_of or None,
            "calibrated_at": self.calibrated_at.isoformat() if self.calibrated_at else None,
            "reason": self.reason,
            "groups": "bernoulli",
        }


def band_method(calibration: BandCalibration | None, period: str, *, switched: bool) -> BandMethod:
    """Which band the calibrated figures of ``period`` rows get from the stored ``calibration``."""
    if calibration is None:
        return BandMethod()
    errors = len(calibration.for_period(period))
    common = {
        "errors": errors,
        "min_errors": calibration.min_errors,
        "horizon": calibration.horizons.get(period),
        "as_of": calibration.as_of,
        "calibrated_at": calibration.run_at,
    }
    if switched:
        return BandMethod(reason="switched", **common)  # type: ignore[arg-type]
    if errors < calibration.min_errors:
        return BandMethod(reason="too_few", **common)  # type: ignore[arg-type]
    return BandMethod(method="empirical", reason="", **common)  # type: ignore[arg-type]


def _money(x: float) -> Decimal:
    return Decimal(str(x)).quantize(CENT)


@dataclass(frozen=True)
class ForecastRow:
    """One period: the pipeline value, and expected/P10/P50/P90 revenue from the calibrated
    probabilities and from the owners' probabilities."""

    period: str
    deals: int
    pipeline: Decimal
    expected: Decimal | None
    p10: Decimal | None
    p50: Decimal | None
    p90: Decimal | None
    owner_expected: Decimal
    owner_p10: Decimal
    owner_p50: Decimal
    owner_p90: Decimal
    band: str = "bernoulli"
    band_errors: int = 0

    def as_json(self) -> dict[str, Any]:
        def m(v: Decimal | None) -> str | None:
            return None if v is None else str(v.quantize(CENT))

        return {
            "period": self.period,
            "deals": self.deals,
            "pipeline": m(self.pipeline),
            "calibrated": {
                "expected": m(self.expected),
                "p10": m(self.p10),
                "p50": m(self.p50),
                "p90": m(self.p90),
                "band": self.band,
                "band_errors": self.band_errors,
            },
            "owner": {
                "expected": m(self.owner_expected),
                "p10": m(self.owner_p10),
                "p50": m(self.owner_p50),
                "p90": m(self.owner_p90),
            },
        }


@dataclass(frozen=True)
class ForecastGroup:
    key: str
    label: str
    rows: list[ForecastRow]


@dataclass(frozen=True)
class ForecastReport:
    """The forecast of open opportunities with an expected close date, consolidated into one currency.

    Calibrated figures use the stored model probabilities; deals not scored yet are left out
    of them (``unscored``). Owner figures use the owner's probability, or the stage's default
    probability where the owner gave none: ``owner_default_deals`` deals and
    ``owner_default_expected`` of the owners' expected revenue rest on stage defaults. Deals in other
    currencies are converted into ``currency`` at the rate of their expected close date (today's rate
    for a date in the future): ``converted`` of them, in ``currencies`` (all currencies of the deals),
    ``conversion`` says how and from which source ("" when nothing was converted). Deals without a close
    date (``undated``) are counted, not included. ``current_period`` is today's period: rows before it
    are past (open deals whose expected close date has passed).

    ``switch``: while the last backtest showed the model not better than the best baseline, the
    "calibrated" figures use that baseline's probabilities (``switch.scorer``), and the page says so."""

    period: str
    currency: str
    currencies: list[str]
    rows: list[ForecastRow]
    groups: list[ForecastGroup]
    group_by: str
    deals: int
    unscored: int
    undated: int
    converted: int
    model_version: str | None
    simulations: int
    seed: int
    current_period: str = ""
    owner_default_deals: int = 0
    owner_default_expected: Decimal = Decimal(0)
    conversion: str = ""
    rate_sources: tuple[str, ...] = ()
    switch: ScorerSwitch | None = None
    band: BandMethod = BandMethod()

    @property
    def scorer(self) -> str:
        """The scorer of the calibrated figures: ``"kampass"`` (the model) or the baseline switched to."""
        return self.switch.scorer if self.switch is not None else "kampass"

    def is_past(self, period: str) -> bool:
        """Whether ``period`` (a label like ``"2026-12"`` or ``"2026-Q4"``) lies before today's."""
        return bool(self.current_period) and period < self.current_period

    def as_json(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "current_period": self.current_period,
            "owner_default_deals": self.owner_default_deals,
            "owner_default_expected": str(self.owner_default_expected.quantize(CENT)),
            "currency": self.currency,
            "currencies": self.currencies,
            "deals": self.deals,
            "unscored": self.unscored,
            "undated": self.undated,
            "converted": self.converted,
            "conversion": self.conversion,
            "rate_sources": list(self.rate_sources),
            "model_version": self.model_version,
            "scorer": self.scorer,
            "simulations": self.simulations,
            "seed": self.seed,
            "band": self.band.as_json(),
            "rows": [r.as_json() for r in self.rows],
            "group_by": self.group_by,
            "groups": [{"key": g.key, "label": g.label, "rows": [r.as_json() for r in g.rows]} for g in self.groups],
        }


Item = tuple[str, Decimal, float | None, float]

#: distributions by a digest of their inputs: the simulation is a pure function of the probabilities,
#: amounts, periods, number of simulations and seed, and the forecast page, the API and the groups ask
#: for the same pipeline again and again (10,000 simulations x tens of thousands of open deals)
_distributions: ProcessMemo[list[PeriodForecast]] = ProcessMemo(size=32)


def _distribution(
    probabilities: list[float], amounts: list[Decimal], periods: list[str], *, simulations: int, seed: int
) -> list[PeriodForecast]:
    """:func:`kampass.core.forecasting.forecast_distribution`, kept in the process by a digest of every input."""
    from kampass.core.forecasting import forecast_distribution

    digest = hashlib.blake2b(digest_size=20)
    for values in (probabilities, amounts, periods):
        digest.update("\x1f".join(map(str, values)).encode())
        digest.update(b"\x1e")
    key = (digest.hexdigest(), len(probabilities), simulations, seed)
    return _distributions.get_or_compute(
        key,
        lambda: forecast_distribution(probabilities, amounts, periods, simulations=simulations, seed=seed),
    )


def _forecast_rows(items: list[Item], simulations: int, seed: int, errors: tuple[float, ...] = ()) -> list[ForecastRow]:
    """``items``: (period, amount, calibrated p or None, owner p). With ``errors`` (kampass's past log errors
    of a period total, stored in the background) the calibrated band of every period is the empirical one
    (:func:`kampass.core.forecasting.backtest.band_from_errors`, the unit one average scored deal of the
    period), else the Bernoulli band."""
    import numpy as np

    from kampass.core.forecasting.backtest import band_from_errors

    if not items:
        return []
    scored = [i for i in items if i[2] is not None]
    calibrated = {
        f.period: f
        for f in _distribution(
            [float(i[2]) for i in scored],  # type: ignore[arg-type]
            [i[1] for i in scored],
            [i[0] for i in scored],
            simulations=simulations,
            seed=seed,
        )
    }
    owner = {
        f.period: f
        for f in _distribution(
            [i[3] for i in items], [i[1] for i in items], [i[0] for i in items], simulations=simulations, seed=seed
        )
    }
    pipeline: dict[str, Decimal] = defaultdict(Decimal)
    deals: Counter[str] = Counter()
    scored_amounts: dict[str, list[float]] = defaultdict(list)
    for period, amount, p, _o in items:
        pipeline[period] += amount
        deals[period] += 1
        if p is not None and amount > 0:
            scored_amounts[period].append(float(amount))
    past = np.asarray(errors, dtype=np.float64)
    rows = []
    for period in sorted(pipeline):
        c, o = calibrated.get(period), owner[period]
        band, p10, p50, p90 = "bernoulli", (c.p10 if c else None), (c.p50 if c else None), (c.p90 if c else None)
        if c is not None and len(past) >= 2:
            amounts = scored_amounts[period]
            unit = sum(amounts) / len(amounts) if amounts else 1.0
            b = band_from_errors(float(c.expected), past, unit=unit)
            band, p10, p50, p90 = b.method, _money(b.p10), _money(b.p50), _money(b.p90)
        rows.append(
            ForecastRow(
                period=period,
                deals=deals[period],
                pipeline=pipeline[period],
                expected=c.expected if c else None,
                p10=p10,
                p50=p50,
                p90=p90,
                owner_expected=o.expected,
                owner_p10=o.p10,
                owner_p50=o.p50,
                owner_p90=o.p90,
                band=band,
                band_errors=len(past) if band == "empirical" else 0,
            )
        )
    return rows


def forecast(
    *,
    user: Actor,
    filters: OpportunityFilters | None = None,
    period: str = "month",
    group_by: str = "",
    currency: str = "",
    simulations: int = 10_000,
    seed: int = 0,
    empirical_band: bool = True,
) -> ForecastReport:
    """Expected revenue per month or quarter with P10/P50/P90 from the calibrated and from the owners'
    probabilities; optionally also per ``group_by`` owner or account.

    The calibrated band is empirical (:class:`BandMethod`) where the last finished backtest run stored at
    least the minimum number of kampass's own past errors for this period (read here, never computed in
    the request); otherwise, and for the owners' figures and the groups, it is the Monte Carlo over
    independent outcomes (``kampass.core.forecasting.forecast_distribution``). ``empirical_band=False``
    (the account-subtree groups of the page) keeps the Bernoulli band.

    ``currency`` is the currency of the figures (default: the user's view currency); every deal in
    another currency is converted at the rate of its expected close date (today's for a future date).

    Kept in the process while :func:`open_deals_stamp` holds (the report is read-only)."""
    authorize(user, "pipeline.view_pipeline")
    if period not in ("month", "quarter"):
        period = "month"
    chosen = (currency or fx.view_currency(user)).upper()
    key = ("forecast", getattr(user, "pk", None), filters, period, group_by, chosen, simulations, seed, empirical_band)
    return derived_from_open_deals(
        key,
        lambda: _forecast(
            user=user, filters=filters, period=period, group_by=group_by, chosen=chosen,
            simulations=simulations, seed=seed, empirical_band=empirical_band,
        ),
    )  # fmt: skip


#: forecasts kept under :func:`open_deals_stamp` (reading and converting tens of thousands of open deals
#: costs most of the forecast page at the size of a large supplier)
_forecasts: ProcessMemo[ForecastReport] = ProcessMemo(size=32)


def open_deals_stamp() -> tuple[Any, ...]:
    """Equal while the forecast's inputs stay the same (once per page request): everything of
    ``owner_optimism.closed_deals_stamp`` (opportunities, accounts, teams, users, the active model), the
    newest scoring (a rescore writes no history), the stages' default probabilities, the last finished
    backtest (scorer switch and band), the loaded exchange rates, the day and the language."""
    from kampass.common.models import JobStatus
    from kampass.pipeline.models import BacktestRun, Opportunity, Stage
    from kampass.pipeline.selectors.owner_optimism import closed_deals_stamp

    def read() -> tuple[Any, ...]:
        stages = tuple(Stage.objects.order_by("pk").values_list("pk", "probability", "kind"))
        backtest = (
            BacktestRun.objects.filter(status=JobStatus.DONE)
            .order_by("-finished_at", "-created_at")
            .values_list(
                "pk", "finished_at", "band_calibration", "switch__scorer", "switch__default", "result__verdict"
            )
            .first()
        )
        return (
            closed_deals_stamp(),
            Opportunity.objects.aggregate(s=Max("scored_at"))["s"],
            hashlib.blake2b(repr(stages).encode(), digest_size=16).hexdigest(),
            repr(backtest),
            fx.loaded_rates_stamp(),
            fx.reporting_currency(),
            timezone.localdate(),
            get_language(),
        )

    return memoised("pipeline.open_deals_stamp", read)


def derived_from_open_deals(key: Hashable, compute: Callable[[], ForecastReport]) -> ForecastReport:
    full = (key, open_deals_stamp())
    return _forecasts.for_request(full, compute)


def _forecast(
    *,
    user: Actor,
    filters: OpportunityFilters | None,
    period: str,
    group_by: str,
    chosen: str,
    simulations: int,
    seed: int,
    empirical_band: bool,
) -> ForecastReport:
    base = opportunity_list(user=user, filters=filters).filter(outcome=Outcome.OPEN)
    records = list(
        base.values_list(
            "pk",
            "expected_close_date",
            "amount",
            "currency",
            "probability",
            "owner_probability",
            "stage__probability",
            "owner_id",
            "owner__first_name",
            "owner__last_name",
            "owner__username",
            "owner_name",
            "account_id",
            "account__name",
            "model_version__version",
        )
    )
    counts = Counter(r[3] for r in records)
    currencies = sorted(counts, key=lambda c: (-counts[c], c))
    today = timezone.localdate()
    consolidation = fx.Consolidation(chosen)
    # the amount of every dated deal in the chosen currency (r[2]), converted at its close date's rate
    dated = [
        (*r[:2], consolidation.add(r[2], r[3], fx.pipeline_rate_day(r[1], today)), *r[3:])
        for r in records
        if r[1] is not None
    ]
    versions = Counter(r[14] for r in dated if r[14])
    switch = forecast_scorer()
    calibration = band_calibration() if empirical_band else None
    band = band_method(calibration, period, switched=switch is not None)
    errors = calibration.for_period(period) if band.empirical and calibration is not None else ()
    if switch is not None:
        # the last backtest showed the model not better than this baseline: its probabilities count
        dated = [(*r[:4], switch.probability(r[0]), *r[5:]) for r in dated]

    def item(r: tuple[Any, ...]) -> tuple[str, Decimal, float | None, float]:
        owner_p = (r[5] if r[5] is not None else r[6]) / 100
        return (period_label(r[1], period), r[2], r[4], owner_p)

    on_default = [r for r in dated if r[5] is None]
    groups: list[ForecastGroup] = []
    if group_by in ("owner", "account"):
        by: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        labels: dict[str, str] = {}
        for r in dated:
            if group_by == "owner":
                key = f"u:{r[7]}" if r[7] else f"n:{r[11]}"
                labels[key] = (f"{r[8]} {r[9]}".strip() or r[10]) if r[7] else (r[11] or "–")
            else:
                key, labels[f"{r[12]}"] = f"{r[12]}", r[13]
            by[key].append(r)
        for key in sorted(by, key=lambda k: labels[k].lower()):
            rows = _forecast_rows([item(r) for r in by[key]], simulations, seed)
            groups.append(ForecastGroup(key, labels[key], rows))
    return ForecastReport(
        period=period,
        currency=chosen,
        currencies=currencies,
        rows=_forecast_rows([item(r) for r in dated], simulations, seed, errors),
        groups=groups,
        group_by=group_by if groups or group_by in ("owner", "account") else "",
        deals=len(dated),
        unscored=sum(1 for r in dated if r[4] is None),
        undated=len(records) - len(dated),
        converted=consolidation.converted,
        conversion=consolidation.describe(),
        rate_sources=tuple(sorted(consolidation.sources)),
        model_version=versions.most_common(1)[0][0] if versions else None,
        simulations=simulations,
        seed=seed,
        current_period=period_label(timezone.localdate(), period),
        owner_default_deals=len(on_default),
        owner_default_expected=sum((r[2] * Decimal(str(r[6])) / 100 for r in on_default), Decimal(0)),
        switch=switch,
        band=band,
    )
