"""The function diagram (RACI): the matrix with its conflicts, and setting one cell."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from kampass.common.api import ERRORS, Id
from kampass.common.concurrency import api_update, conflict_responses
from kampass.common.permissions import authorize
from kampass.organisation import selectors, services
from kampass.organisation.api.router import _actor, router
from kampass.organisation.api.schemas import CellIn, CellResultOut, RaciOut
from kampass.organisation.models import BilingualCatalogueEntry, FunctionRole, ProcessActivity


def _check_out(check: Any) -> dict[str, Any]:
    return {
        "activity_id": check.activity_id,
        "accountable": check.accountable,
        "responsible": check.responsible,
        "conflicts": [c.value for c in check.conflicts],
    }


def _ref_out(e: BilingualCatalogueEntry) -> dict[str, Any]:
    return {"id": e.pk, "key": e.key, "label": e.label}


@router.get("/organisation/raci", response={200: RaciOut, **ERRORS})
def raci_get(request: HttpRequest) -> dict[str, Any]:
    """The function diagram of the active activities and roles, with the check of every activity."""
    authorize(_actor(request), "organisation.view_structure")
    m = selectors.raci_matrix()
    return {
        "activities": [_ref_out(a) for a in m.activities],
        "roles": [_ref_out(r) for r in m.roles],
        "cells": [
            {"activity_id": a, "role_id": r, "code": c, "version": m.version(a, r)}
            for (a, r), c in sorted(m.cells.items())
        ],
        "checks": [_check_out(m.checks[a.pk]) for a in m.activities],
        "conflict_count": m.conflict_count,
    }


@router.put(
    "/organisation/raci/{activity_id}/{role_id}",
    response={200: CellResultOut, **ERRORS, **conflict_responses(CellResultOut)},
)
def raci_set_cell(request: HttpRequest, response: HttpResponse, activity_id: Id, role_id: Id, payload: CellIn) -> Any:
    """Set one cell (R, A, AR, C, I) or clear it (empty code); answers with the activity's check. Send the
    cell's ``version`` (0: empty; or ``If-Match``): a stale one answers 409 (412) with the cell as saved."""
    activity = get_object_or_404(ProcessActivity, pk=activity_id)
    role = get_object_or_404(FunctionRole, pk=role_id)
    actor = _actor(request)

    def current() -> dict[str, Any]:
        cell = selectors.raci_cell(activity, role)
        return {
            "cell": {
                "activity_id": activity.pk,
                "role_id": role.pk,
                "code": cell.code if cell else "",
                "version": cell.version if cell else 0,
            },
            "check": _check_out(selectors.activity_check(activity)),
            "conflict_count": selectors.raci_matrix().conflict_count,
        }

    return api_update(
        request,
        response,
        version=payload.version,
        update=lambda version: services.raci_set(
            actor=actor, activity=activity, role=role, code=payload.code, version=version
        ),
        current=current,
        version_of=lambda out: out["cell"]["version"],
    )
