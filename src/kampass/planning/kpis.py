"""The account KPIs of the catalogue (:mod:`kampass.core.kpis`) computed from kampass's facts.

Every figure comes from another context's facade; an account stands for its whole subtree (a group
for all its subsidiaries), except the relationship stage and the sales target, which belong to the
account itself. Money is in one currency (the reporting currency unless another is asked for).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from kampass.core import kpis as core

#: the window of the 12-month KPIs: the 365 days up to and including the as-of date
WINDOW_DAYS = 365


@dataclass(frozen=True)
class KpiValue:
    """The value of one KPI of one account as of a date; ``value`` is ``None`` when it cannot be computed
    (no revenue, no target, no stage, not available yet); ``source`` says where it comes from."""

    key: str
    value: Decimal | float | None
    unit: str
    currency: str
    as_of: dt.date
    source: str

    def as_json(self) -> dict[str, object]:
        return {
            "key": self.key,
            "value": None if self.value is None else str(self.value),
            "unit": self.unit,
            "currency": self.currency,
            "as_of": self.as_of.isoformat(),
            "source": self.source,
        }


def _subtrees(account_ids: Iterable[int]) -> dict[int, list[int]]:
    from kampass.accounts import facade as accounts_facade

    wanted = sorted(set(account_ids))
    found = accounts_facade.subtree_account_ids_of(wanted)  # one query; an unknown account has an empty tree
    return {a: found.get(a, []) for a in wanted}


def relationship_ranks(account_ids: Iterable[int], *, as_of: dt.date) -> dict[int, int | None]:
    """The rank (1..5, ``None`` disintegrating or never assessed) of each account's newest relationship
    stage recorded on or before ``as_of``."""
    from django.utils import timezone

    from kampass.planning.models import RelationshipStageEntry

    ids = sorted(set(account_ids))
    end = timezone.make_aware(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time()))
    newest: dict[int, str] = {}
    for account_id, stage in (
        RelationshipStageEntry.objects.filter(account_id__in=ids, recorded_at__lt=end)
        .order_by("account_id", "recorded_at", "pk")
        .values_list("account_id", "stage")
    ):
        newest[account_id] = stage
    from kampass.core.planning import relationship_rank

    return {a: relationship_rank(newest[a]) if a in newest else None for a in ids}


def manual_values(account_ids: Iterable[int], *, as_of: dt.date) -> dict[int, dict[str, tuple[Decimal, str]]]:
    """``{account: {kpi key: (value, currency)}}``: the newest recorded value of each manual KPI measured
    on or before ``as_of``."""
    from kampass.planning.models import ManualKpiValue

    out: dict[int, dict[str, tuple[Decimal, str]]] = {a: {} for a in set(account_ids)}
    for account_id, key, value, code in (
        ManualKpiValue.objects.filter(account_id__in=list(out), measured_on__lte=as_of)
        .order_by("account_id", "kpi_key", "measured_on", "pk")
        .values_list("account_id", "kpi_key", "value", "currency")
    ):
        out[account_id][key] = (value, code)
    return out


def account_kpis(account_ids: Iterable[int], *, as_of: dt.date, currency: str = "") -> dict[int, dict[str, KpiValue]]:
    """``{account_id: {kpi key: KpiValue}}`` for every KPI of the catalogue, as of ``as_of``.

    * revenue, contribution, pocket margin, leakage share: the invoice lines of the subtree's customers
      dated in the 365 days up to ``as_of`` (commercial facade), in ``currency``. When the whole
      window lies beyond the facts (the newest invoice line kampass holds, of any customer, is older
      than the window's first day: the facts end before it, e.g. the demo's invoices end in 2011
      while its plans are dated now), they are measured over the 365 days up to that newest invoice
      day instead, and the value's ``as_of`` and ``source`` say so: the freshest twelve months of
      facts rather than an empty value. While any customer has lines in the window, the window stays
      (an account whose customers stopped buying shows no revenue);
    * pipeline coverage: open weighted pipeline of the subtree / the account's sales target of the next
      period, converted into the target's currency (pipeline facade); ``None`` without a target;
    * win rate: won / (won + lost) of the subtree's opportunities closed in the window;
    * decision makers covered: the subtree's deciding buying-centre members covered at target level;
    * relationship level: rank of the account's newest relationship stage on or before ``as_of``;
    * share of wallet: revenue / realistic wallet of the subtree from the newest wallet estimate on or before
      ``as_of`` (the screening context's, read through ``common.account_facts``); ``None`` without one (or
      with a zero wallet);
    * manual KPIs: the newest value recorded on or before ``as_of`` (``None`` without one).
    """
    from kampass.accounts import facade as accounts_facade
    from kampass.commercial import facade as commercial_facade
    from kampass.common import account_facts, fx
    from kampass.pipeline import facade as pipeline_facade

    code = (currency or fx.reporting_currency()).upper()
    trees = _subtrees(account_ids)
    members = sorted({m for tree in trees.values() for m in tree})
    start = as_of - dt.timedelta(days=WINDOW_DAYS - 1)
    horizon = commercial_facade.newest_invoice_day()
    money_as_of = horizon if horizon is not None and horizon < start else as_of
    money_start = money_as_of - dt.timedelta(days=WINDOW_DAYS - 1)
    pnl = commercial_facade.account_pnl_between(members, start=money_start, end=money_as_of, currency=code)
    targets = pipeline_facade.next_account_targets(list(trees), today=as_of)
    closed = pipeline_facade.closed_counts_between(members, start=start, end=as_of)
    covered = accounts_facade.decision_makers_covered(members)
    ranks = relationship_ranks(list(trees), as_of=as_of)
    manual = manual_values(list(trees), as_of=as_of)
    wallets = account_facts.wallet_shares(list(trees), as_of=as_of)
    pipelines: dict[str, dict[int, Decimal]] = {}
    out: dict[int, dict[str, KpiValue]] = {}
    for account_id, tree in trees.items():
        rows = [pnl[m] for m in tree if m in pnl]
        gross = sum((r.gross_revenue for r in rows), Decimal(0))
        pocket = sum((r.pocket_revenue for r in rows), Decimal(0))
        leakage = sum((r.leakage_total for r in rows), Decimal(0))
        contribution = sum((r.contribution for r in rows), Decimal(0))
        values: dict[str, KpiValue] = {}

        def put(
            key: str, value: Decimal | float | None, source: str, money_code: str = "", day: dt.date = as_of
        ) -> None:
            values[key] = KpiValue(key, value, core.kpi(key).unit, money_code, day, source)  # noqa: B023

        invoices = f"invoice lines {money_start.isoformat()}..{money_as_of.isoformat()}"
        if money_as_of < as_of:
            invoices += " (newest invoice day)"
        put("revenue", gross.quantize(Decimal("0.01")) if rows else None, invoices, code, money_as_of)
        put("contribution", contribution.quantize(Decimal("0.01")) if rows else None, invoices, code, money_as_of)
        put("pocket_margin", round(float(pocket / gross), 4) if gross else None, invoices, "", money_as_of)
        put("leakage_share", round(float(leakage / gross), 4) if gross else None, invoices, "", money_as_of)
        target = targets.get(account_id)
        if target is not None and target.amount > 0:
            if target.currency not in pipelines:
                pipelines[target.currency] = pipeline_facade.weighted_open_pipeline(
                    members, currency=target.currency, today=as_of
                )
            weighted = sum((pipelines[target.currency].get(m, Decimal(0)) for m in tree), Decimal(0))
            put(
                "pipeline_coverage", round(float(weighted / target.amount), 4), f"open pipeline / target {target.label}"
            )
        else:
            put("pipeline_coverage", None, "no sales target of the next period")
        won = sum(closed.get(m, (0, 0))[0] for m in tree)
        lost = sum(closed.get(m, (0, 0))[1] for m in tree)
        put("win_rate", round(won / (won + lost), 4) if won + lost else None, f"{won} won, {lost} lost")
        put("decision_makers_covered", Decimal(sum(covered.get(m, 0) for m in tree)), "buying centre coverage")
        rank = ranks.get(account_id)
        put("relationship_level", Decimal(rank) if rank is not None else None, "relationship stage history")
        wallet = wallets.get(account_id)
        if wallet is None:
            put("share_of_wallet", None, "no wallet estimate")
        else:
            put(
                "share_of_wallet",
                None if wallet.share is None else round(wallet.share, 4),
                f"wallet estimate {wallet.as_of.isoformat()} (q {wallet.q})",
            )
        for key in core.MANUAL_KEYS:
            found = manual[account_id].get(key)
            put(key, found[0] if found else None, "recorded values", found[1] if found else "")
        out[account_id] = values
    return out


def display_value(value: Decimal | float | str | None, unit: str, currency: str = "") -> str:
    """A KPI value as a page shows it: shares in per cent, money with its currency and no decimals,
    counts and levels as whole numbers (one decimal where needed); "–" without a value."""
    from django.utils.formats import number_format

    from kampass.common.i18n import format_percent

    if value is None or value == "":
        return "–"
    number = Decimal(str(value))
    if unit == core.SHARE:
        return format_percent(float(number), 1) or "–"
    if unit == core.MONEY:
        return f"{number_format(number.quantize(Decimal(1)), 0, use_l10n=True, force_grouping=True)} {currency}".strip()
    places = 0 if number == number.to_integral_value() else 1
    return str(number_format(number, places, use_l10n=True))
