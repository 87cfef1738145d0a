"""The position figures of an export as label and text in the export's language (shared by the
PDF, the slides and the workbook's labels)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kampass.planning.exports.content import PlanExport
from kampass.planning.exports.formatting import day, money, share


def figure_rows(export: PlanExport) -> list[tuple[str, str, str]]:
    """``(label, value, note)`` for revenue, pipeline and win rate as of the plan date."""
    p = export.position
    revenue_note = _("previous 12 months: %(amount)s") % {"amount": money(p.revenue_prior_12m.amount, p.currency)}
    if not p.revenue_12m.amount and not p.revenue_prior_12m.amount:
        revenue_note = (
            _("no invoices in 24 months; the latest on %(day)s") % {"day": day(p.last_invoice_day)}
            if p.last_invoice_day
            else _("no invoices")
        )
    return [
        (
            _("Revenue, last 12 months"),
            money(p.revenue_12m.amount, p.currency),
            revenue_note,
        ),
        (
            _("Open pipeline"),
            money(p.pipeline_total.amount, p.currency),
            _("%(n)s open opportunities") % {"n": p.pipeline_count},
        ),
        (
            _("Win rate, last 12 months"),
            share(p.win_rate),
            _("%(won)s won, %(lost)s lost") % {"won": p.won, "lost": p.lost},
        ),
    ]


def wallet_rows(export: PlanExport) -> list[tuple[str, str, str]]:
    """``(label, value, band)`` for the realistic wallet, share of wallet and potential of the account with
    its subsidiaries (the plan's situation section), empty without a wallet estimate."""
    w = export.wallet
    if w is None:
        return []

    def band(low: str, high: str) -> str:
        return f"({low} – {high})"

    return [
        (
            _("Realistic wallet (incl. subsidiaries)"),
            money(w.wallet, w.currency),
            band(money(w.wallet_low, w.currency), money(w.wallet_high, w.currency)),
        ),
        (_("Share of wallet"), share(w.share), band(share(w.share_low), share(w.share_high))),
        (
            _("Potential"),
            money(w.potential, w.currency),
            band(money(w.potential_low, w.currency), money(w.potential_high, w.currency)),
        ),
    ]


def wallet_note(export: PlanExport) -> str:
    """How the wallet figures were estimated (as of when, which quantile, annualised, floored); empty
    without a wallet estimate."""
    w = export.wallet
    if w is None:
        return ""
    text = _(
        "Wallet estimate as of %(day)s: the %(q)s quantile of the yearly revenue of comparable accounts; in brackets "
        "the band of the quantiles 10 points below and above."
    ) % {"day": day(w.as_of), "q": share(float(w.q))}
    if w.annualised:
        text += " " + _("Revenue of the last %(days)s days annualised (short invoice history).") % {
            "days": w.window_days
        }
    if w.floored:
        text += " " + _(
            "For at least one account of the group the comparable accounts buy less than it already buys from us: "
            "its wallet is set to our revenue."
        )
    return str(text)


def sign_off_text(export: PlanExport) -> str:
    """Who signed the plan off when, or that it is not signed off yet."""
    if export.approved_on is None:
        return _("Not signed off yet (%(status)s).") % {"status": export.status_label}
    text = _("Signed off by %(who)s on %(day)s.") % {"who": export.approved_by or "–", "day": day(export.approved_on)}
    if export.approval_comment:
        text += " " + _("Comment: %(comment)s") % {"comment": export.approval_comment}
    return str(text)
