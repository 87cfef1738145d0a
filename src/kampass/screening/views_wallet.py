"""Pages of the wallet part of the screening context: the wallets of all accounts (with recompute), a
KAM's own potential estimate of an account, and the optimism of the potential estimates per person.
Thin views over forms, services and selectors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kampass.common.fx import reporting_currency
from kampass.common.htmx import redirect_to, render_form_page, render_page, submit_form
from kampass.common.permissions import authorize
from kampass.screening import selectors_wallet, services_wallet
from kampass.screening.forms_wallet import PotentialEstimateForm, RecomputeForm
from kampass.screening.services_wallet import account_model


@login_required
def wallets(request: HttpRequest) -> HttpResponse:
    """The newest wallet estimate of every account: wallet, share of wallet and potential with their bands."""
    authorize(request.user, "screening.view_walletestimate")
    rows = selectors_wallet.account_wallets()
    context: dict[str, Any] = {
        "rows": rows,
        "any_floored": any(w.estimate.floored for w in rows),
        "can_compute": request.user.has_perm("screening.compute_walletestimate"),
        "form": RecomputeForm(),
    }
    return render_page(request, "screening/wallet/wallets.html", context)


@login_required
@require_POST
def wallets_recompute(request: HttpRequest) -> HttpResponse:
    authorize(request.user, "screening.compute_walletestimate")
    form = RecomputeForm(request.POST)
    if form.is_valid():
        try:
            stored = services_wallet.wallet_estimates_compute(actor=request.user, q=float(form.cleaned_data["q"]))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Wallets of %(n)s accounts computed.") % {"n": len(stored)})
    else:
        messages.error(request, _("The quantile must lie between 0.05 and 0.95."))
    return redirect_to(request, reverse("screening-wallets"))


@login_required
@require_http_methods(["GET", "POST"])
def potential_estimate(request: HttpRequest, account_id: int) -> HttpResponse:
    """Enter your own estimate of the account's yearly wallet."""
    account = get_object_or_404(account_model(), pk=account_id)
    authorize(request.user, "screening.add_potentialestimate", account)
    form = PotentialEstimateForm(request.POST or None, initial={"currency": reporting_currency()})
    back = reverse("account-detail", args=[account.pk])
    done = submit_form(
        request,
        form,
        lambda data: services_wallet.potential_estimate_create(actor=request.user, account_id=account.pk, **data),
        success=_("Your potential estimate was recorded."),
        next_url=back,
    )
    return done or render_form_page(
        request,
        form,
        template="screening/wallet/form_page.html",
        title=_("Your potential estimate for %(account)s") % {"account": account.name},
        cancel_url=back,
        submit=_("Record estimate"),
    )


@login_required
def potential_optimism(request: HttpRequest) -> HttpResponse:
    """How optimistic the potential estimates of each person were, against the model and the outcome."""
    authorize(request.user, "screening.view_potentialestimate")
    context = {
        "rows": selectors_wallet.kam_optimism(user=request.user),
        "estimates": list(selectors_wallet.potential_estimates(user=request.user)[:100]),
    }
    return render_page(request, "screening/wallet/optimism.html", context)
