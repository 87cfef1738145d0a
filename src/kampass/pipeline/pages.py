"""Page-specific read models of the pipeline pages: what the templates need beyond the
selectors (plain-words factor explanations, the risk matrix grid, forecast groups per account
subtree, filter parsing). Read-only; writes go through the services."""

from __future__ import annotations

import dataclasses
import functools
import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models.functions import Lower
from django.http import HttpRequest
from django.template.defaultfilters import floatformat
from django.utils import formats, timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kampass.accounts.models import Account, KamStatus
from kampass.common.i18n import format_percent
from kampass.common.list_export import Column
from kampass.common.reversing import pk_reverser
from kampass.pipeline import selectors
from kampass.pipeline.models import Stage, StageKind, StageSet
from kampass.users.actors import Actor

# ---------------------------------------------------------------- filters from the query string


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


def filters_from(request: HttpRequest, *, default_sort: str = "close") -> selectors.OpportunityFilters:
    """Board, list and forecast filters from the query string.

    ``owner`` is ``u:<user id>`` or ``n:<imported owner name>`` (as ``selectors.owner_options``
    gives them); ``account`` an account id, or a suggestion's text ending in ``(#<id>)`` (see
    :func:`account_choices`), or any other text: the accounts whose name contains it; ``subtree=1``
    includes everything below a chosen account.
    """
    g = request.GET
    owner = g.get("owner", "")
    sort = g.get("sort", default_sort)
    account_text = g.get("account", "").strip()
    chosen = ACCOUNT_CHOICE.search(account_text)
    account = _int(account_text) or (int(chosen.group(1)) if chosen else None)
    return selectors.OpportunityFilters(
        q=g.get("q", "").strip(),
        owner=_int(owner[2:]) if owner.startswith("u:") else None,
        owner_name=owner[2:] if owner.startswith("n:") else "",
        account=account,
        account_name="" if account else account_text[:100],
        subtree=g.get("subtree") == "1",
        stage=_int(g.get("stage")),
        outcome=g.get("outcome", "") if g.get("outcome") in ("open", "won", "lost") else "",
        sort=sort if sort in selectors.SORTS else default_sort,
        descending=g.get("dir") == "desc",
    )


def opportunity_columns() -> list[Column[Any]]:
    """The columns of an opportunity list as a file (rows from ``selectors.opportunity_list``), in the
    active language: the page's columns, the outcome and currency apart, probabilities in per cent."""
    return [
        Column(_("Name"), lambda o: o.name),
        Column(_("Account"), lambda o: o.account.name),
        Column(_("Stage"), lambda o: _(o.stage.name)),
        Column(_("Outcome"), lambda o: o.get_outcome_display()),
        Column(_("Amount"), lambda o: o.amount),
        Column(_("Currency"), lambda o: o.currency),
        Column(_("Expected close date"), lambda o: o.expected_close_date),
        Column(_("Closed on"), lambda o: o.closed_on),
        Column(_("Owner"), lambda o: o.owner_display),
        Column(_("Owner's probability (%)"), lambda o: o.owner_probability),
        Column(
            _("Calibrated probability (%)"),
            lambda o: None if o.probability is None else Decimal(str(round(o.probability * 100, 1))),
        ),
    ]


def owner_value(filters: selectors.OpportunityFilters) -> str:
    """The ``owner`` query value of the filters (for the selected option)."""
    if filters.owner:
        return f"u:{filters.owner}"
    return f"n:{filters.owner_name}" if filters.owner_name else ""


def filter_account(filters: selectors.OpportunityFilters) -> Account | None:
    return Account.objects.filter(pk=filters.account).first() if filters.account else None


#: a suggestion of the account filter ends with the account's id: "Schindler Group (#12)"
ACCOUNT_CHOICE = re.compile(r"\(#(\d+)\)\s*$")

#: how many accounts the account filter suggests at once
ACCOUNT_CHOICES_LIMIT = 20


def account_choice_label(pk: int, name: str) -> str:
    """The text of an account suggestion, which the filter reads back (:data:`ACCOUNT_CHOICE`)."""
    return f"{name} (#{pk})"


def account_filter_value(filters: selectors.OpportunityFilters) -> str:
    """What the account filter field shows: the chosen account as its suggestion, or the typed text."""
    if filters.account:
        name = Account.objects.filter(pk=filters.account).values_list("name", flat=True).first()
        return account_choice_label(filters.account, name) if name else str(filters.account)
    return filters.account_name


def account_choices(*, user: Actor, q: str) -> list[str]:
    """At most :data:`ACCOUNT_CHOICES_LIMIT` suggestions for the account filter: accounts with opportunities
    the user may see (or above such an account, to choose a group with its subsidiaries) whose name contains
    ``q``, by name. One query on the accounts, whatever the number of opportunities (the board, list and
    forecast pages no longer list every account: 5,000 of them made a 1 MB page)."""
    visible = selectors.visible_opportunities(user).order_by().values("account_id")
    accounts = Account.objects.filter(pk__in=visible)
    if q:
        accounts = accounts.filter(name__icontains=q)
    rows = list(accounts.order_by(Lower("name"), "pk").values_list("pk", "name", "path")[:ACCOUNT_CHOICES_LIMIT])
    ancestors = {int(p) for _pk, _name, path in rows for p in path.split("/")[:-2] if p}
    if ancestors and q:
        groups = Account.objects.filter(pk__in=ancestors, name__icontains=q).values_list("pk", "name", "path")
        rows = sorted({*rows, *groups}, key=lambda r: (r[1].lower(), r[0]))[:ACCOUNT_CHOICES_LIMIT]
    return [account_choice_label(pk, name) for pk, name, _path in rows]


def chosen_stage_set(request: HttpRequest) -> StageSet | None:
    pk = _int(request.GET.get("stage_set"))
    return StageSet.objects.filter(pk=pk).first() if pk else None


# ---------------------------------------------------------------- money per currency


def chosen_currency(request: HttpRequest) -> str:
    """The currency asked for in ``?currency=`` when kampass can convert into it, else "" (the user's view
    currency)."""
    from kampass.common import fx

    asked = request.GET.get("currency", "").strip().upper()
    return asked if asked in fx.view_currency_choices() else ""


def money_list(amounts: dict[str, Decimal]) -> list[tuple[str, Decimal]]:
    """Amounts per currency, largest first (for "1,200 EUR · 300 CHF")."""
    return sorted(amounts.items(), key=lambda kv: (-kv[1], kv[0]))


# ---------------------------------------------------------------- probability explanation


def feature_labels() -> dict[str, str]:
    """Labels of the model's features (``kampass.pipeline.features.FEATURES``) in the user's language."""
    return {
        "amount": _("Amount"),
        "currency": _("Currency"),
        "industry": _("Industry"),
        "country": _("Country"),
        "kam_status": _("KAM status of the account"),
        "lead_source": _("Lead source"),
        "opportunity_type": _("Type"),
        "owner": _("Owner"),
        "products": _("Number of products"),
        "competitors": _("Number of competitors"),
        "opened_quarter": _("Quarter opened"),
        "stage_order": _("Stage"),
        "days_in_stage": _("Days in the stage"),
        "age_days": _("Age of the opportunity (days)"),
        "account_won": _("Earlier opportunities won with the account"),
        "account_lost": _("Earlier opportunities lost with the account"),
        "account_revenue_365d": _("Account revenue in the year before"),
        "contacts": _("Buying-centre contacts"),
        "qualified": _("Qualification elements confirmed"),
        "owner_won": _("Owner's earlier opportunities won"),
        "owner_closed": _("Owner's earlier opportunities closed"),
        "owner_win_rate": _("Owner's earlier win rate"),
    }


def _factor_value(feature: str, value: str, stages: Sequence[Stage]) -> str:
    if value in ("", "None", "nan"):
        return _("not given")
    if feature == "amount":
        try:
            return formats.number_format(Decimal(value), decimal_pos=0, use_l10n=True, force_grouping=True)
        except ArithmeticError:
            return value
    if feature == "stage_order":
        try:
            order = round(float(value))
        except ValueError:
            return value
        stage = next((s for s in stages if s.order == order), None)
        return _(stage.name) if stage else value
    if feature == "kam_status":
        return str(dict(KamStatus.choices).get(value, value))
    if feature == "country":
        from django_countries import countries

        return str(dict(countries).get(value, value))
    if feature == "owner_win_rate":
        try:
            return formats.number_format(round(float(value) * 100), use_l10n=True) + " %"
        except ValueError:
            return value
    if feature == "account_revenue_365d":
        try:
            return formats.number_format(Decimal(value), decimal_pos=0, use_l10n=True, force_grouping=True)
        except ArithmeticError:
            return value
    if feature in (
        "products",
        "competitors",
        "days_in_stage",
        "age_days",
        "account_won",
        "account_lost",
        "contacts",
        "qualified",
        "owner_won",
        "owner_closed",
    ):
        try:
            return str(round(float(value)))
        except ValueError:
            return value
    return value


@dataclass(frozen=True)
class FactorText:
    """One factor of a score in plain words."""

    text: str
    direction: str  # raises | lowers
    points: float


def factor_texts(factors: Iterable[Any], *, stages: Sequence[Stage] = ()) -> list[FactorText]:
    """Plain-words sentences for the core's ``Factor`` list, e.g. "Amount 250,000 lowers the chance
    by 6 points." (a point is one percentage point of the win probability)."""
    labels = feature_labels()
    out = []
    for f in factors:
        points = abs(float(f.effect)) * 100
        # round once (half up), show that number and choose singular/plural by it: "1 point",
        # "2 points", "0.6 points" (number_format alone truncates, so 1.5 read "1 points")
        rounded = Decimal(str(points)).quantize(Decimal(1) if points >= 0.95 else Decimal("0.1"), ROUND_HALF_UP)
        shown = formats.number_format(rounded, use_l10n=True)
        n = int(rounded) if rounded == rounded.to_integral_value() else 0  # a fraction takes the plural
        values = {
            "feature": labels.get(f.feature, f.feature.replace("_", " ").capitalize()),
            "value": _factor_value(f.feature, str(f.value), stages),
            "points": shown,
        }
        if f.direction == "raises":
            text = ngettext(
                "%(feature)s %(value)s raises the chance by %(points)s point.",
                "%(feature)s %(value)s raises the chance by %(points)s points.",
                n,
            )
        else:
            text = ngettext(
                "%(feature)s %(value)s lowers the chance by %(points)s point.",
                "%(feature)s %(value)s lowers the chance by %(points)s points.",
                n,
            )
        out.append(FactorText(text % values, "raises" if f.direction == "raises" else "lowers", points))
    return out


# ---------------------------------------------------------------- risk matrix


def severity_labels() -> dict[str, str]:
    return {"low": _("low"), "medium": _("medium"), "high": _("high"), "critical": _("critical")}


@dataclass(frozen=True)
class MatrixCell:
    likelihood: int
    impact: int
    count: int
    severity: str
    titles: list[str]


def matrix_rows(matrix: selectors.RiskMatrix, risks: Iterable[Any] = ()) -> list[tuple[int, list[MatrixCell]]]:
    """The 5x5 grid for the template: likelihood 5 (top) down to 1, impact 1..5 left to right;
    ``risks`` (optional) name the risks in each cell."""
    titles: dict[tuple[int, int], list[str]] = {}
    for r in risks:
        titles.setdefault((r.likelihood, r.impact), []).append(r.title)
    return [
        (
            likelihood,
            [
                MatrixCell(
                    likelihood,
                    impact,
                    matrix.count(likelihood, impact),
                    selectors.risk_severity(likelihood * impact),
                    titles.get((likelihood, impact), []),
                )
                for impact in range(1, 6)
            ],
        )
        for likelihood in range(5, 0, -1)
    ]


# ---------------------------------------------------------------- forecast per account subtree

MAX_SUBTREE_GROUPS = 25


def forecast_subtree_groups(
    *, user: Actor, filters: selectors.OpportunityFilters, period: str, currency: str, simulations: int = 10_000
) -> list[selectors.ForecastGroup]:
    """The forecast rolled up per account subtree: for each child of the filtered account (or each
    top-level account when none is chosen) its forecast with everything below it. The chosen
    account's own deals form a group of their own."""
    base = selectors.opportunity_list(user=user, filters=filters).filter(outcome="open")
    paths = set(base.values_list("account__path", flat=True))
    root = filter_account(filters) if filters.account else None
    depth = root.depth + 1 if root else 0
    roots: dict[int, None] = {}
    for path in paths:
        ids = [int(p) for p in path.split("/") if p]
        if len(ids) > depth:
            roots[ids[depth]] = None
    accounts = {a.pk: a for a in Account.objects.filter(pk__in=list(roots))}
    groups = []
    ordered = sorted(accounts.values(), key=lambda a: a.name.lower())[:MAX_SUBTREE_GROUPS]
    if root is not None and root.pk in accounts:
        ordered = [a for a in ordered if a.pk != root.pk]
    if root is not None and base.filter(account=root).exists():
        own = dataclasses.replace(filters, account=root.pk, subtree=False)
        report = selectors.forecast(
            user=user, filters=own, period=period, currency=currency, simulations=simulations, empirical_band=False
        )
        if report.rows:
            groups.append(
                selectors.ForecastGroup(str(root.pk), _("%(name)s (itself)") % {"name": root.name}, report.rows)
            )
    for account in ordered:
        scoped = dataclasses.replace(filters, account=account.pk, subtree=True)
        report = selectors.forecast(
            user=user, filters=scoped, period=period, currency=currency, simulations=simulations, empirical_band=False
        )
        if report.rows:
            groups.append(selectors.ForecastGroup(str(account.pk), account.name, report.rows))
    return groups


def group_totals(rows: Sequence[selectors.ForecastRow]) -> dict[str, Decimal]:
    """Sums over periods of a forecast group (expected values add up; the quantiles do not)."""
    return {
        "deals": Decimal(sum(r.deals for r in rows)),
        "pipeline": sum((r.pipeline for r in rows), Decimal(0)),
        "expected": sum((r.expected or Decimal(0) for r in rows), Decimal(0)),
        "owner_expected": sum((r.owner_expected for r in rows), Decimal(0)),
    }


def late_stage_flags(opportunities: Sequence[Any], stage_set: StageSet) -> dict[int, list[str]]:
    """For cards of one sales process: the MEDDPICC elements (economic buyer, champion) not confirmed
    on opportunities in a late stage, in two queries for the whole board (same rule as
    ``selectors.qualification_rows``)."""
    from kampass.pipeline.models import LATE_STAGE_ELEMENTS, Qualification, QualificationStatus

    def late(stage: Stage) -> bool:
        return stage.kind == StageKind.OPEN and (stage.late or stage.probability >= stage_set.late_probability)

    ids = [o.pk for o in opportunities if o.is_open and late(o.stage)]
    confirmed = set(
        Qualification.objects.filter(
            opportunity_id__in=ids, element__in=LATE_STAGE_ELEMENTS, status=QualificationStatus.CONFIRMED
        ).values_list("opportunity_id", "element")
    )
    return {pk: [str(e) for e in LATE_STAGE_ELEMENTS if (pk, e) not in confirmed] for pk in ids}


@dataclass(frozen=True)
class CardWords:
    """The fixed words of every board card, translated once per board."""

    close: str
    owner_probability: str
    owner: str
    model: str
    move: str

    @classmethod
    def translated(cls) -> CardWords:
        """The words in the active language, escaped once for all cards."""
        words = (_("Expected close date"), _("Owner's probability"), _("Owner"), _("Model"), _("Move"))
        return cls(*(escape(w) for w in words))


@dataclass(frozen=True)
class BoardCard:
    """A board card: its words and figures written once in the reader's language (:func:`board_cards`), and
    its markup (:attr:`html`).

    The card is written here, not by a template: the board shows up to 160 of them, and the same card from
    ``{% include %}`` took about 0.1 ms of template lookups and filters each, 17 ms of a large supplier's
    board."""

    pk: int
    name: str
    stage: int
    version: int
    detail_url: str
    move_url: str
    account: str
    amount: str  #: "12,345 EUR"
    close_iso: str  #: the expected close date as ISO date ("" without one)
    close: str  #: the same in the reader's short date format
    owner: str
    owner_probability: str  #: in per cent, "–" without one
    probability: str  #: the calibrated probability in per cent, "" while unscored
    model_title: str  #: which model version scored it and when
    badges: tuple[tuple[str, str], ...]  #: (kind: "danger" or "warn", text)
    editable: bool  #: the reader may move it (the card has a stage menu)
    focus: bool  #: the card the keyboard focus returns to after a move
    stage_label: str  #: the label of its stage menu
    options: SafeString  #: the stage menu's options, its stage selected
    words: CardWords
    csrf_token: str

    @property
    def html(self) -> SafeString:
        """The card's ``<article>`` (:data:`CARD_HTML`): links, figures, badges and, where the reader may move
        it, the stage form (:data:`CARD_FORM_HTML`; it works without JavaScript, ``board.js`` adds dragging)."""
        w = self.words
        close = _escaped_format(CARD_CLOSE_HTML, w.close, self.close_iso, self.close) if self.close else ""
        probability = _escaped_format(CARD_PROBABILITY_HTML, self.probability) if self.probability else "–"
        form = (
            _escaped_format(
                CARD_FORM_HTML,
                move=self.move_url,
                csrf=self.csrf_token,
                version=self.version,
                pk=self.pk,
                label=self.stage_label,
                options=self.options,
                word=w.move,
            )
            if self.editable
            else ""
        )
        badges = (
            _escaped_format(
                CARD_BADGES_HTML,
                mark_safe("".join(_escaped_format(CARD_BADGE_HTML, kind, text) for kind, text in self.badges)),  # noqa: S308
            )
            if self.badges
            else ""
        )
        return _escaped_format(
            CARD_HTML,
            pk=self.pk,
            name=self.name,
            stage=self.stage,
            version=self.version,
            move=self.move_url,
            drag=mark_safe('draggable="true" ') if self.editable else "",
            focus=mark_safe("data-focus ") if self.focus else "",
            detail=self.detail_url,
            account=self.account,
            amount=self.amount,
            close=close,
            owner=self.owner,
            w_owner_probability=w.owner_probability,
            w_owner=w.owner,
            owner_probability=self.owner_probability,
            model_title=self.model_title,
            w_model=w.model,
            probability=probability,
            badges=badges,
            form=form,
        )


def _escaped_format(template: str, *args: Any, **kwargs: Any) -> SafeString:
    """``format_html`` for the board card: every value escaped unless it is already HTML (``__html__``), the
    result marked safe. The same result as ``format_html`` (a test compares them), without its check of
    every value for lazy translations, which took about half of a card's time at 160 cards; a card's
    values are plain strings, numbers and ``SafeString``, and a lazy translation is still escaped as text."""

    def escaped(value: Any) -> str:
        return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))

    return mark_safe(  # noqa: S308 (every value escaped above)
        template.format(*map(escaped, args), **{k: escaped(v) for k, v in kwargs.items()})
    )


#: a board card (:attr:`BoardCard.html`); every value is escaped by :func:`_escaped_format`
CARD_HTML = """\
<article class="opp-card" id="opp-{pk}" data-id="{pk}" data-name="{name}" data-stage="{stage}" \
data-version="{version}" data-move-url="{move}" {drag}tabindex="-1" {focus}data-testid="card">
  <h3><a href="{detail}" title="{name}">{name}</a></h3>
  <div class="meta">
    <span class="account" title="{account}">{account}</span>
    <span class="amount">{amount}</span>{close}
    <span>{owner}</span>
  </div>
  <div class="probs">
    <span class="prob" title="{w_owner_probability}"><span class="lbl">{w_owner}</span>{owner_probability}</span>
    <span class="prob" title="{model_title}" data-testid="card-model"><span class="lbl">{w_model}</span>\
{probability}</span>
  </div>{badges}{form}
</article>"""

CARD_CLOSE_HTML = '\n    <span title="{}"><time datetime="{}">{}</time></span>'

CARD_PROBABILITY_HTML = '<span data-testid="card-probability">{}</span>'

CARD_BADGES_HTML = '\n  <div class="flags">{}</div>'

CARD_BADGE_HTML = '<span class="badge {}">{}</span>'

#: the stage form of a card the reader may move
CARD_FORM_HTML = """
  <form class="stage-form" method="post" action="{move}"><input type="hidden" name="csrfmiddlewaretoken" \
value="{csrf}"><input type="hidden" name="version" value="{version}">
    <label class="sr" for="stage-{pk}">{label}</label>
    <select name="stage" id="stage-{pk}" data-testid="card-stage">{options}</select>
    <button type="submit" data-testid="card-move">{word}</button>
  </form>"""


def _stage_menu(stages: Sequence[Stage]) -> dict[int | None, SafeString]:
    """The options of a card's stage menu for each stage selected (key ``None``: none selected): every
    stage of the process, its name translated, "lost" stages marked as needing a reason."""
    plain, chosen = [], []
    for s in stages:
        reason = mark_safe(' data-needs-reason="1"') if s.kind == StageKind.LOST else ""
        name = _(s.name)
        plain.append(format_html('<option value="{}"{}>{}</option>', s.pk, reason, name))
        chosen.append(format_html('<option value="{}" selected{}>{}</option>', s.pk, reason, name))
    menus: dict[int | None, SafeString] = {None: mark_safe("".join(plain))}  # noqa: S308 (escaped above)
    for k, s in enumerate(stages):
        menus[s.pk] = mark_safe("".join([*plain[:k], chosen[k], *plain[k + 1 :]]))  # noqa: S308
    return menus


def board_cards(
    opportunities: Iterable[Any],
    *,
    stages: Sequence[Stage],
    query: str,
    editable: set[int],
    flags: dict[int, list[str]],
    csrf_token: str,
    focus: int | None = None,
) -> dict[int, BoardCard]:
    """The board's cards by deal id (:class:`BoardCard`), in the active language: the addresses of each
    route reversed once for all cards (the move address keeps the board's ``query``, so that the board
    comes back as filtered), the stage menu built once, the fixed words translated once. ``editable`` holds
    the deals the reader may move, ``flags`` the qualification elements missing in a late stage
    (:func:`late_stage_flags`)."""
    detail, move = pk_reverser("opportunity-detail"), pk_reverser("opportunity-move")
    menus = _stage_menu(stages)
    words = CardWords.translated()
    today = timezone.localdate()
    calibrated = _("Calibrated probability")
    missing = {
        "economic_buyer": ("danger", _("no economic buyer")),
        "champion": ("danger", _("no champion")),
    }
    close_passed = ("warn", _("close date passed"))
    # formatted once per value on the board: cards share close dates, scoring times and owners' numbers
    short_date = functools.cache(lambda day: formats.date_format(day, "SHORT_DATE_FORMAT"))
    scored_when = functools.cache(lambda moment: formats.date_format(localtime(moment), "SHORT_DATETIME_FORMAT"))
    owner_percent = functools.cache(lambda value: format_percent(value, points=True) or "–")
    cards = {}
    for o in opportunities:
        close = o.expected_close_date
        fl = flags.get(o.pk, ())
        badges = [missing[f] for f in ("economic_buyer", "champion") if f in fl]
        if o.is_open and close and close < today:
            badges.append(close_passed)
        scored = o.probability is not None
        if scored and o.model_version_id:
            when = scored_when(o.scored_at) if o.scored_at else ""
            title = _("Calibrated probability: model version %(version)s, scored %(when)s") % {
                "version": o.model_version.version,
                "when": when,
            }
        else:
            title = calibrated
        cards[o.pk] = BoardCard(
            pk=o.pk,
            name=o.name,
            stage=o.stage_id,
            version=o.version,
            detail_url=detail(o.pk),
            move_url=move(o.pk) + query,
            account=o.account.name,
            amount=f"{floatformat(o.amount, '0g')} {o.currency}",
            close_iso=close.isoformat() if close else "",
            close=short_date(close) if close else "",
            owner=o.owner_display or "–",
            owner_probability=owner_percent(o.owner_probability),
            probability=(format_percent(o.probability) or "–") if scored else "",
            model_title=title,
            badges=tuple(badges),
            editable=o.pk in editable,
            focus=o.pk == focus,
            stage_label=_("Stage of %(name)s") % {"name": o.name},
            options=menus.get(o.stage_id, menus[None]),
            words=words,
            csrf_token=csrf_token,
        )
    return cards


# ---------------------------------------------------------------- calibration of the owners' numbers


@dataclass(frozen=True)
class Calibration:
    """Reliability bins of the owners' and of the model's probabilities over closed deals."""

    owner: list[Any]
    model: list[Any]
    owner_ece: float | None
    model_ece: float | None


def owner_model_calibration(*, user: Actor, filters: selectors.OpportunityFilters) -> Calibration:
    """Reliability of the owners' probabilities and of the model's over the visible closed deals in
    ``filters`` (10 equal-width bins, ``kampass.core.forecasting.reliability_bins``). The model's
    probability of a deal follows ``selectors.optimism``: its score stored while it was open, else
    its out-of-fold probability from the active model version. Kept while the closed deals stay the same
    (``owner_optimism.closed_deals_stamp``)."""
    from kampass.pipeline.selectors.owner_optimism import derived_from_closed_deals

    key = ("calibration", getattr(user, "pk", None), filters)
    return derived_from_closed_deals(key, lambda: _owner_model_calibration(user=user, filters=filters))


def _owner_model_calibration(*, user: Actor, filters: selectors.OpportunityFilters) -> Calibration:
    from kampass.core.forecasting import expected_calibration_error, reliability_bins
    from kampass.pipeline.models import Outcome
    from kampass.pipeline.selectors.owner_optimism import active_holdout, closed_deal_records, model_probability

    _version, holdout = active_holdout()
    owner_p, owner_y, model_p, model_y = [], [], [], []
    for record in closed_deal_records(user=user, filters=filters):
        outcome, owner = record[3], record[4]
        won = 1 if outcome == Outcome.WON else 0
        if owner is not None:
            owner_p.append(owner / 100)
            owner_y.append(won)
        mp = model_probability(record, holdout)
        if mp is not None:
            model_p.append(float(mp))
            model_y.append(won)
    return Calibration(
        owner=reliability_bins(owner_p, owner_y) if owner_p else [],
        model=reliability_bins(model_p, model_y) if model_p else [],
        owner_ece=expected_calibration_error(owner_p, owner_y) if owner_p else None,
        model_ece=expected_calibration_error(model_p, model_y) if model_p else None,
    )


# ---------------------------------------------------------------- the model and its baselines


def scorer_names() -> dict[str, str]:
    """The label of every scorer of a backtest or model report, in the active language."""
    return {
        "kampass": _("kampass model"),
        "base_rate": _("Trailing base rate"),
        "stage_rate": _("Stage win rate"),
        "naive_bayes": _("Naive Bayes"),
        "owner": _("Owners' probabilities"),
    }


def switch_note(switch: selectors.ScorerSwitch | None) -> dict[str, Any] | None:
    """What the board and the forecast say while they use a baseline instead of the model."""
    if switch is None:
        return None
    low, high = switch.difference.get("ci95", [None, None])
    return {
        "name": scorer_names().get(switch.scorer, switch.scorer),
        "when": switch.run_at,
        "mean": switch.difference.get("mean"),
        "low": low,
        "high": high,
    }
