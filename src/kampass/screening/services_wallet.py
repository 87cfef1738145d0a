"""Write operations of the wallet part of the screening context: compute the realistic wallets of all
accounts from kampass's facts, and record a KAM's own potential estimate.

Every function is one transaction, takes keyword arguments only and checks the actor's permission
itself (UI, API and CLI enforce the same rules). Accounts and invoice facts are other contexts' data:
they are read through the accounts and commercial facades.

The wallet model (:mod:`kampass.core.screening.wallet`) learns, over all accounts with invoice lines,
how the revenue of a target period ending on the newest invoice day (``as_of``) depends on what was
known before it: industry, country, tenure, recency, the number of invoice days and active months, and
the gross revenue of the period of the same length (and of the 90 days) before. The target period is
twelve months when the invoice history spans two years or more, else half the history
(:func:`kampass.core.screening.wallet.target_window_days`), so that a short history still leaves the
accounts' behaviour before it to compare; revenues of a shorter period are annualised (scaled to 365
days) and the estimate records the period's length (``window_days``). Cross-fitted in 5 folds, so no
account's own revenue trains its own wallet. A wallet below the account's revenue is raised to it
(``floored``; :func:`kampass.core.screening.wallet.floor_at_revenue`): no share of wallet above 100 %.
Breadth of product groups is not a feature here (the commercial facade has no cheap per-account count
of it yet); the benchmark on Online Retail uses it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kampass.accounts import facade as accounts_facade
from kampass.commercial import facade as commercial_facade
from kampass.common import fx
from kampass.common.permissions import authorize
from kampass.core.screening import wallet as core
from kampass.screening.models import PotentialEstimate, WalletEstimate
from kampass.users.actors import Actor
from kampass.users.history import is_user

#: fewer accounts with invoice lines than this give no meaningful "comparable accounts"
MIN_ACCOUNTS = 10
#: the longest target period: a year (shorter only when the invoice history spans less than two years)
WINDOW_DAYS = core.YEAR_DAYS
SEED = 14
ZERO = Decimal("0.00")


def account_model() -> Any:
    """The account model, reached through this context's own foreign key (not imported)."""
    return WalletEstimate._meta.get_field("account").related_model


def wallet_features(
    daily: dict[int, list[tuple[dt.date, str, Decimal]]],
    firms: dict[int, accounts_facade.Firmographics],
    *,
    start: dt.date,
    previous_year: dict[int, Decimal],
    previous_90: dict[int, Decimal],
) -> dict[int, dict[str, core.Feature]]:
    """The model's features of each account in ``daily`` from what was known before ``start``."""
    out: dict[int, dict[str, core.Feature]] = {}
    for account_id, rows in daily.items():
        days = sorted({day for day, _cur, amount in rows if day < start and amount > 0})
        firm = firms.get(account_id)
        out[account_id] = {
            "industry": (firm.industry if firm else "") or None,
            "country": (firm.country if firm else "") or None,
            "tenure_days": float((start - days[0]).days) if days else None,
            "recency_days": float((start - days[-1]).days) if days else None,
            "invoice_days": float(len(days)),
            "months_active": float(len({(d.year, d.month) for d in days})),
            "revenue_previous_year": float(previous_year.get(account_id, ZERO)),
            "revenue_previous_90_days": float(previous_90.get(account_id, ZERO)),
        }
    return out


def _gross(pnl: dict[int, Any]) -> dict[int, Decimal]:
    return {a: p.gross_revenue for a, p in pnl.items()}


def subtree_sums(paths: dict[int, str], values: dict[int, tuple[Decimal, ...]]) -> dict[int, tuple[Decimal, ...]]:
    """For every account (``paths``: id -> hierarchy path), the element-wise sum of ``values`` over the
    account and all accounts below it (paths starting with its path); accounts without any: left out."""
    out: dict[int, tuple[Decimal, ...]] = {}
    for account_id, path in paths.items():
        parts = [v for other, v in values.items() if paths.get(other, "").startswith(path)]
        if parts:
            out[account_id] = tuple(sum(col, ZERO) for col in zip(*parts, strict=True))
    return out


@transaction.atomic
def wallet_estimates_compute(
    *, actor: Actor | Any, q: float = core.DEFAULT_Q, currency: str = "", seed: int = SEED
) -> list[WalletEstimate]:
    """Estimate the realistic wallet of every account as of the newest invoice day and store it (replacing
    the estimates of that day and ``q``; see the module docstring for the target period, the annualising
    and the floor at the revenue); returns the stored estimates. ``currency``: default the
    reporting currency. Raises ``ValidationError`` without invoice facts or with too few accounts."""
    authorize(actor, "screening.compute_walletestimate")
    if not 0.05 <= q <= 0.95:
        raise ValidationError({"q": _("The quantile must lie between 0.05 and 0.95.")})
    code = (currency or fx.reporting_currency()).upper()
    firms = {f.id: f for f in accounts_facade.account_firmographics()}
    daily = commercial_facade.daily_gross_revenue(firms)
    if len(daily) < MIN_ACCOUNTS:
        raise ValidationError(
            _(
                "Too few accounts with invoice lines to compare (%(found)s, at least %(needed)s are needed): "
                "import invoices and link their customers to accounts first."
            )
            % {"found": len(daily), "needed": MIN_ACCOUNTS}
        )
    as_of = max(day for rows in daily.values() for day, _cur, _amount in rows)
    first = min(day for rows in daily.values() for day, _cur, _amount in rows)
    window = core.target_window_days((as_of - first).days + 1)
    start = as_of - dt.timedelta(days=window - 1)
    ids = sorted(daily)

    def yearly(pnl: dict[int, Any]) -> dict[int, Decimal]:
        return {a: core.annualised(v, window) for a, v in _gross(pnl).items()}

    revenue = yearly(commercial_facade.account_pnl_between(ids, start=start, end=as_of, currency=code))
    before = start - dt.timedelta(days=1)
    previous_year = yearly(
        commercial_facade.account_pnl_between(ids, start=start - dt.timedelta(days=window), end=before, currency=code)
    )
    previous_90 = _gross(
        commercial_facade.account_pnl_between(ids, start=start - dt.timedelta(days=90), end=before, currency=code)
    )
    features = wallet_features(daily, firms, start=start, previous_year=previous_year, previous_90=previous_90)
    spend = [float(revenue.get(a, ZERO)) for a in ids]
    fits = core.cross_fitted_wallets([features[a] for a in ids], spend, q=q, seed=seed)
    own: dict[int, tuple[Decimal, ...]] = {}
    floored: dict[int, bool] = {}
    for a, f in zip(ids, fits, strict=True):
        rev = revenue.get(a, ZERO)
        wal, low, high, floored[a] = core.floor_at_revenue(
            rev, core.as_money(f.wallet), core.as_money(f.low), core.as_money(f.high)
        )
        own[a] = (rev, wal, low, high, Decimal(int(floored[a])))
    paths = {a: f.path for a, f in firms.items()}
    rolled = subtree_sums(paths, own)
    now = timezone.now()
    q_dec = Decimal(str(round(q, 2)))
    WalletEstimate.objects.filter(as_of=as_of, q=q_dec).delete()
    rows = []
    for account_id, (s_rev, s_wallet, s_low, s_high, s_floored) in sorted(rolled.items()):
        rev, wal, low, high, _f = own.get(account_id, (ZERO, ZERO, ZERO, ZERO, ZERO))
        rows.append(
            WalletEstimate(
                account_id=account_id,
                as_of=as_of,
                q=q_dec,
                currency=code,
                revenue=rev,
                wallet=wal,
                wallet_low=low,
                wallet_high=high,
                subtree_revenue=s_rev,
                subtree_wallet=s_wallet,
                subtree_wallet_low=s_low,
                subtree_wallet_high=s_high,
                floored=floored.get(account_id, False),
                subtree_floored=s_floored > 0,
                window_days=window,
                peers=len(ids),
                model_version=core.MODEL_VERSION,
                computed_at=now,
            )
        )
    return WalletEstimate.objects.bulk_create(rows)


@transaction.atomic
def potential_estimate_create(
    *,
    actor: Actor | Any,
    account_id: int,
    wallet: Decimal,
    currency: str,
    reason: str,
    as_of: dt.date | None = None,
) -> PotentialEstimate:
    """Record ``actor``'s own estimate of the yearly wallet of an account (with its subsidiaries) and why;
    the model's newest wallet of the account on or before ``as_of`` (default today) is kept beside it for
    the optimism comparison."""
    account = account_model()._default_manager.filter(pk=account_id).first()
    if account is None:
        raise ValidationError({"account_id": _("There is no account with id %(id)s.") % {"id": account_id}})
    authorize(
        actor,
        "screening.add_potentialestimate",
        account,
        message=_("Only the account's key account managers and the head of KAM may estimate its potential."),
    )
    if not is_user(actor):
        raise ValidationError(_("A potential estimate is made by a person with a user account."))
    errors: dict[str, str] = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Please give the reason for your estimate.")
    if wallet is None or wallet < 0:
        errors["wallet"] = _("The estimated wallet must be zero or more.")
    code = (currency or "").upper()
    if code not in fx.known_currencies():
        errors["currency"] = _("Unknown currency %(code)s.") % {"code": currency}
    if errors:
        raise ValidationError(errors)
    day = as_of or timezone.localdate()
    model = (
        WalletEstimate.objects.filter(account_id=account_id, as_of__lte=day).order_by("-as_of", "-computed_at").first()
    )
    estimate = PotentialEstimate(
        account_id=account_id,
        as_of=day,
        wallet=Decimal(wallet).quantize(Decimal("0.01")),
        currency=code,
        reason=reason,
        model_wallet=model.subtree_wallet if model else None,
        model_currency=model.currency if model else "",
        estimated_by=actor,
    )
    estimate.full_clean()
    estimate.save()
    return estimate
