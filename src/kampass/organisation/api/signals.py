"""The organisation's programme signals."""

from __future__ import annotations

from django.http import HttpRequest

from kampass.common.api import ERRORS
from kampass.common.permissions import authorize
from kampass.organisation import facade
from kampass.organisation.api.router import _actor, router
from kampass.organisation.api.schemas import SignalsOut


@router.get("/organisation/signals", response={200: SignalsOut, **ERRORS})
def signals(request: HttpRequest) -> dict[str, float | None]:
    """The organisation's data signals for the KAM programme (see ``kampass.organisation.facade``)."""
    authorize(_actor(request), "organisation.view_structure")
    return facade.programme_signals()
