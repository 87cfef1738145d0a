"""Workload of the key account managers, lead units of international accounts, the workload threshold."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse

from kampass.common.api import ERRORS
from kampass.common.concurrency import api_update, conflict_responses, set_etag
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


def _settings_out() -> dict[str, Any]:
    saved = selectors.structure_settings()
    return {"max_accounts_per_kam": saved.max_accounts_per_kam, "version": saved.version if saved.pk else 0}


@router.get("/organisation/settings", response={200: SettingsOut, **ERRORS})
def settings_get(request: HttpRequest, response: HttpResponse) -> dict[str, Any]:
    authorize(_actor(request), "organisation.view_structure")
    out = _settings_out()
    set_etag(response, out, version=out["version"])
    return out


@router.put("/organisation/settings", response={200: SettingsOut, **ERRORS, **conflict_responses(SettingsOut)})
def settings_put(request: HttpRequest, response: HttpResponse, payload: SettingsIn) -> Any:
    """Change the workload threshold (head of KAM, administrator). Send the settings' ``version`` (or
    ``If-Match``): a stale one answers 409 (412) with the settings as saved."""
    actor = _actor(request)
    return api_update(
        request,
        response,
        version=payload.version,
        update=lambda version: services.structure_settings_update(
            actor=actor, max_accounts_per_kam=payload.max_accounts_per_kam, version=version
        ),
        current=_settings_out,
        version_of=lambda out: out["version"],
    )
