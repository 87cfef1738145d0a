"""Pages of the whitespace part: an account's whitespace (matrix of its subtree x product groups,
recommendations with their reasons, conversion of whitespace opportunities), the actions on it (mark a
group not relevant, turn a recommendation into an opportunity) and the product-group mapping. Thin views
over the services and selectors; one view serves the page and the account page's fragment."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kampass.common.htmx import redirect_to, render_page
from kampass.common.i18n import ui_language
from kampass.common.permissions import authorize
from kampass.screening import selectors_whitespace as selectors
from kampass.screening import services_whitespace as services
from kampass.screening.models.whitespace import NotRelevantMark, ProductGroupRule, RuleKind


def _account(account_id: int) -> Any:
    account = selectors.account_or_none(account_id)
    if account is None:
        raise Http404(_("There is no account with id %(id)s.") % {"id": account_id})
    return account


STATE_LABELS: dict[str, Any] = {
    selectors.BOUGHT: gettext_lazy("bought"),
    selectors.PIPELINE: gettext_lazy("in the pipeline"),
    selectors.RECOMMENDED: gettext_lazy("recommended"),
    selectors.NOT_RELEVANT: gettext_lazy("not relevant"),
    selectors.OPEN: "",
}


@login_required
def whitespace_page(request: HttpRequest, account_id: int) -> HttpResponse:
    """The account's whitespace; ``?part=summary`` with HTMX: the account page's section content."""
    account = _account(account_id)
    authorize(request.user, "screening.view_whitespace", account)
    ws = selectors.whitespace(account_id)
    lang = ui_language()
    context = {
        "account": account,
        "ws": ws,
        "recommendations": [{"r": r, "reason": r.reason(lang)} for r in ws.recommendations],
        "rows": [
            {"row": row, "cells": [(g, s, STATE_LABELS[s]) for g, s in zip(ws.groups, row.states, strict=True)]}
            for row in ws.rows
        ],
        "columns": [(g, ws.labels.get(g, "")) for g in ws.groups],
        "opportunities": selectors.whitespace_opportunities([account_id]),
        "can_act": request.user.has_perm("screening.act_on_whitespace", account),
        "marks": NotRelevantMark.objects.filter(account_id=account_id).order_by("product_group"),
    }
    fragment = "screening/whitespace/_summary.html" if request.GET.get("part") == "summary" else None
    return render_page(request, "screening/whitespace/page.html", context, fragment=fragment)


@login_required
@require_POST
def whitespace_not_relevant(request: HttpRequest, account_id: int) -> HttpResponse:
    account = _account(account_id)
    try:
        services.not_relevant_mark(
            actor=request.user,
            account=account,
            product_group=request.POST.get("product_group", ""),
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Marked as not relevant."))
    return redirect_to(request, reverse("screening-whitespace", args=[account_id]))


@login_required
@require_POST
def whitespace_not_relevant_remove(request: HttpRequest, account_id: int, mark_id: int) -> HttpResponse:
    mark = get_object_or_404(NotRelevantMark.objects.select_related("account"), pk=mark_id, account_id=account_id)
    services.not_relevant_unmark(actor=request.user, mark=mark)
    messages.success(request, _("The mark was removed."))
    return redirect_to(request, reverse("screening-whitespace", args=[account_id]))


@login_required
@require_POST
def whitespace_convert(request: HttpRequest, account_id: int) -> HttpResponse:
    """Turn a recommendation into an opportunity (one click on the recommendation)."""
    account = _account(account_id)
    try:
        created = services.recommendation_to_opportunity(
            actor=request.user, account=account, product_group=request.POST.get("product_group", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect_to(request, reverse("screening-whitespace", args=[account_id]))
    messages.success(request, _("Opportunity created from the recommendation."))
    return redirect_to(request, reverse("opportunity-detail", args=[created.opportunity_id]))


@login_required
def product_groups(request: HttpRequest) -> HttpResponse:
    """The product-group mapping: its rules; the head of KAM adds (POST) and removes them."""
    authorize(request.user, "screening.view_whitespace")
    if request.method == "POST":
        try:
            services.product_group_rule_create(
                actor=request.user,
                kind=request.POST.get("kind", ""),
                pattern=request.POST.get("pattern", ""),
                group=request.POST.get("group", ""),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Rule added."))
        return redirect_to(request, reverse("screening-product-groups"))
    context = {
        "rules": ProductGroupRule.objects.all(),
        "kinds": RuleKind.choices,
        "can_configure": request.user.has_perm("screening.configure_product_groups"),
    }
    return render_page(request, "screening/whitespace/product_groups.html", context)


@login_required
@require_POST
def product_group_delete(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = get_object_or_404(ProductGroupRule, pk=rule_id)
    services.product_group_rule_delete(actor=request.user, rule=rule)
    messages.success(request, _("Rule removed."))
    return redirect_to(request, reverse("screening-product-groups"))
