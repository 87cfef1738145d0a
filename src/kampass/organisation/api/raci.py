"""The function diagram (RACI): the matrix with its conflicts, and setting one cell."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from kampass.common.api import ERRORS, Id
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
        "cells": [{"activity_id": a, "role_id": r, "code": c} for (a, r), c in sorted(m.cells.items())],
        "checks": [_check_out(m.checks[a.pk]) for a in m.activities],
        "conflict_count": m.conflict_count,
    }


@router.put("/organisation/raci/{activity_id}/{role_id}", response={200: CellResultOut, **ERRORS})
def raci_set_cell(request: HttpRequest, activity_id: Id, role_id: Id, payload: CellIn) -> dict[str, Any]:
    """Set one cell (R, A, AR, C, I) or clear it (empty code); answers with the activity's check."""
    activity = get_object_or_404(ProcessActivity, pk=activity_id)
    role = get_object_or_404(FunctionRole, pk=role_id)
    cell = services.raci_set(actor=_actor(request), activity=activity, role=role, code=payload.code)
    return {
        "cell": {"activity_id": activity.pk, "role_id": role.pk, "code": cell.code if cell else ""},
        "check": _check_out(selectors.activity_check(activity)),
        "conflict_count": selectors.raci_matrix().conflict_count,
    }
