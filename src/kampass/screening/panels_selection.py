"""The selection portfolio's panel on the account page (registered in ``ScreeningConfig.ready``): the
account's attractiveness, position and quadrant with its move, linked to its scores and ratings."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string


def account_panel(request: Any, account: Any) -> str | None:
    """The account's selection scores, for everybody who reads the portfolio (None without a catalogue)."""
    if account is None or not request.user.has_perm("screening.view_selection"):
        return None
    from kampass.screening.selectors_selection import account_score
    from kampass.screening.views_selection import quadrant_labels

    score = account_score(account.pk)
    if score is None:
        return None
    return render_to_string(
        "screening/selection/account_panel.html",
        {"account": account, "score": score, "quadrant": quadrant_labels().get(score.quadrant)},
        request=request,
    )
