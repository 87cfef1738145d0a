"""JSON API of the wallet part of the screening context: the realistic wallets of the accounts (read,
recompute), the KAMs' own potential estimates (read, enter) and their optimism per person.

Endpoints only translate between JSON and the services/selectors, which check the permissions:
everybody signed in reads the wallets, the head of KAM recomputes them, a KAM enters potential
estimates for the accounts on their team, and the optimism table shows a KAM only their own row.
Lists have the shape ``{"items": [...], "count": n}``; amounts are decimal strings with their currency.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from kampass.common.api import ERRORS, NOT_BLANK, DecimalString, Id, InSchema, PageIn, page_of, refused
from kampass.common.api import actor as _actor
from kampass.common.currencies import CURRENCIES
from kampass.common.permissions import authorize
from kampass.core.screening import wallet as core
from kampass.screening import selectors_wallet as selectors
from kampass.screening import services_wallet as services
from kampass.screening.models import PotentialEstimate

router = Router(tags=["screening"])

_CURRENCY_CODES: list[Any] = [code for code, _label in CURRENCIES]
Amount = Annotated[Decimal, DecimalString.of(PotentialEstimate, "wallet")]


class WalletFiguresOut(Schema):
    currency: str
    revenue: str = Field(description="Gross revenue of the twelve months to as_of (decimal string).")
    wallet: str = Field(description="The q quantile of the yearly revenue of comparable accounts.")
    wallet_low: str = Field(description="The wallet at quantile q - 0.1 (lower end of the band).")
    wallet_high: str = Field(description="The wallet at quantile q + 0.1 (upper end of the band).")
    share_of_wallet: float | None = Field(description="revenue / wallet; null without a wallet.")
    share_of_wallet_low: float | None
    share_of_wallet_high: float | None
    potential: str = Field(description="max(wallet - revenue, 0).")
    potential_low: str
    potential_high: str
    floored: bool = Field(
        description="The comparable accounts' quantile lay below the revenue: the wallet was raised to the revenue "
        "(share of wallet 1.0)."
    )


class WalletEstimateOut(WalletFiguresOut):
    id: int
    account_id: Id
    account: str
    as_of: dt.date
    q: float
    subtree: WalletFiguresOut = Field(description="The same figures for the account with all its subsidiaries.")
    window_days: int = Field(description="Days before as_of whose revenue the wallet was learnt for (365 at most).")
    revenue_annualised: bool = Field(
        description="The history is shorter than two years: revenue and wallet are the window_days annualised."
    )
    peers: int = Field(description="Accounts the model compared.")
    model_version: str
    computed_at: dt.datetime


def _wallet_out(w: selectors.AccountWallet) -> dict[str, Any]:
    e = w.estimate
    return {
        "id": e.pk,
        "account_id": e.account_id,
        "account": e.account.name,
        "as_of": e.as_of,
        "q": float(e.q),
        **selectors.potential_json(w.own, floored=e.floored),
        "subtree": selectors.potential_json(w.subtree, floored=e.subtree_floored),
        **selectors.estimate_notes_json(e),
        "peers": e.peers,
        "model_version": e.model_version,
        "computed_at": e.computed_at,
    }


class WalletEstimatePageOut(Schema):
    items: list[WalletEstimateOut]
    count: int


class WalletFilterIn(InSchema):
    account_id: Id | None = Field(None, description="Only this account.")


class RecomputeIn(InSchema):
    q: float = Field(core.DEFAULT_Q, ge=0.05, le=0.95, description="The wallet's quantile.")
    currency: str = Field("", json_schema_extra={"enum": ["", *_CURRENCY_CODES]}, description="Default: reporting.")


class PotentialEstimateOut(Schema):
    id: int
    account_id: Id
    account: str
    as_of: dt.date
    wallet: str
    currency: str
    reason: str
    model_wallet: str | None
    model_currency: str
    estimated_by: str
    created_at: dt.datetime

    @staticmethod
    def resolve_account(obj: PotentialEstimate) -> str:
        return obj.account.name

    @staticmethod
    def resolve_wallet(obj: PotentialEstimate) -> str:
        return str(obj.wallet)

    @staticmethod
    def resolve_model_wallet(obj: PotentialEstimate) -> str | None:
        return None if obj.model_wallet is None else str(obj.model_wallet)

    @staticmethod
    def resolve_estimated_by(obj: PotentialEstimate) -> str:
        return obj.estimated_by.username


class PotentialEstimatePageOut(Schema):
    items: list[PotentialEstimateOut]
    count: int


class PotentialEstimateIn(InSchema):
    account_id: Id
    wallet: Amount = Field(description="Your estimate of the account's yearly wallet (with its subsidiaries).")
    currency: str = Field(json_schema_extra={"enum": [*_CURRENCY_CODES]})
    reason: str = Field(pattern=NOT_BLANK, max_length=5000)
    as_of: dt.date | None = Field(None, description="Default: today.")


class KamOptimismOut(Schema):
    user_id: Id
    name: str
    estimates: int
    against_model: float | None = Field(description="Mean of estimate / model wallet - 1 (positive: optimistic).")
    compared_with_model: int
    against_outcome: float | None = Field(
        description="Mean of estimate / revenue of the following twelve months - 1 (once they are invoiced)."
    )
    compared_with_outcome: int


class KamOptimismPageOut(Schema):
    items: list[KamOptimismOut]
    count: int


@router.get("/wallet-estimates", response={200: WalletEstimatePageOut, **ERRORS})
def wallet_estimate_list(request: HttpRequest, filters: Query[WalletFilterIn], page: Query[PageIn]) -> dict[str, Any]:
    """The newest wallet estimate of each account, with share of wallet and potential (own and with subsidiaries)."""
    authorize(_actor(request), "screening.view_walletestimate")
    ids = None if filters.account_id is None else [filters.account_id]
    result = page_of(selectors.account_wallets(ids), page)
    result["items"] = [_wallet_out(w) for w in result["items"]]
    return result


@router.post(
    "/wallet-estimates/recompute",
    response={200: WalletEstimatePageOut, **ERRORS},
    openapi_extra=refused("too few accounts with invoice lines to compare"),
)
def wallet_estimate_recompute(request: HttpRequest, payload: RecomputeIn) -> dict[str, Any]:
    """Estimate the wallets of all accounts again as of the newest invoice day (head of KAM, administrator)."""
    stored = services.wallet_estimates_compute(actor=_actor(request), q=payload.q, currency=payload.currency)
    rows = selectors.account_wallets([e.account_id for e in stored])
    return {"items": [_wallet_out(w) for w in rows], "count": len(rows)}


@router.get("/potential-estimates", response={200: PotentialEstimatePageOut, **ERRORS})
def potential_estimate_list(
    request: HttpRequest, filters: Query[WalletFilterIn], page: Query[PageIn]
) -> dict[str, Any]:
    """The KAMs' own potential estimates you may read (a KAM: their own)."""
    return page_of(selectors.potential_estimates(user=_actor(request), account_id=filters.account_id), page)


@router.post(
    "/potential-estimates",
    response={201: PotentialEstimateOut, **ERRORS},
    openapi_extra=refused("an account that does not exist", "an unknown currency"),
)
def potential_estimate_create(request: HttpRequest, payload: PotentialEstimateIn) -> Status[Any]:
    """Enter your own estimate of an account's yearly wallet, with the reason."""
    estimate = services.potential_estimate_create(actor=_actor(request), **payload.model_dump())
    return Status(201, estimate)


@router.get("/potential-estimates/optimism", response={200: KamOptimismPageOut, **ERRORS})
def potential_optimism(request: HttpRequest, page: Query[PageIn]) -> dict[str, Any]:
    """Per person: how optimistic their potential estimates were against the model and against what happened."""
    user = _actor(request)
    authorize(user, "screening.view_potentialestimate")
    return page_of(selectors.kam_optimism(user=user), page)
