"""Workload of the key account managers, lead units of international accounts, the workload threshold."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kampass.common.api import ERRORS
from kampass.common.permissions import authorize
from kampass.organisation import selectors, services
from kampass.organisation.api.router import _actor, router
from kampass.organisation.api.schemas import InternationalPageOut, SettingsIn, SettingsOut, WorkloadPageOut


@router.get("/organisation/workload", response={200: WorkloadPageOut, **ERRORS})
def workload(request: HttpRequest) -> dict[str, Any]:
    """Accounts per key account manager (from the account teams), flagged above the threshold."""
    authorize(_actor(request), "organisation.view_structure")
    threshold = selectors.structure_settings().max_accounts_per_kam
    rows = selectors.workload(threshold=threshold)
    return {"items": rows, "count": len(rows), "threshold": threshold}


@router.get("/organisation/international-accounts", response={200: InternationalPageOut, **ERRORS})
def international_accounts(request: HttpRequest, missing: bool = False) -> dict[str, Any]:
    """Top-level accounts spanning several countries, with their lead unit (``missing``: only those without)."""
    authorize(_actor(request), "organisation.view_structure")
    rows = selectors.international_accounts(only_missing=missing)
    items = [
        {
            "account_id": r.account_id,
            "name": r.name,
            "kam_status": r.kam_status,
            "countries": list(r.countries),
            "accounts": r.accounts,
            "lead_unit_id": r.lead_unit_id,
            "lead_unit_name": r.lead_unit_name,
            "lead_unit_missing": r.lead_unit_missing,
        }
        for r in rows
    ]
    return {"items": items, "count": len(items)}


@router.get("/organisation/settings", response={200: SettingsOut, **ERRORS})
def settings_get(request: HttpRequest) -> dict[str, Any]:
    authorize(_actor(request), "organisation.view_structure")
    return {"max_accounts_per_kam": selectors.structure_settings().max_accounts_per_kam}


@router.put("/organisation/settings", response={200: SettingsOut, **ERRORS})
def settings_put(request: HttpRequest, payload: SettingsIn) -> dict[str, Any]:
    """Change the workload threshold (head of KAM, administrator)."""
    saved = services.structure_settings_update(actor=_actor(request), max_accounts_per_kam=payload.max_accounts_per_kam)
    return {"max_accounts_per_kam": saved.max_accounts_per_kam}
