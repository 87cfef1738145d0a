"""Reads of the whitespace part: the product groups of the purchases (through the configured mapping),
the whitespace matrix of an account's subtree x product group with its states, the recommendations with
their reasons and the conversion of opportunities created from them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from kampass.accounts import facade as accounts_facade
from kampass.commercial import facade as commercial_facade
from kampass.core.screening import whitespace as core
from kampass.pipeline import facade as pipeline_facade
from kampass.screening.models.whitespace import NotRelevantMark, ProductGroupRule, RuleKind, WhitespaceOpportunity

SOURCE = "whitespace"
BOUGHT, PIPELINE, RECOMMENDED, NOT_RELEVANT, OPEN = "bought", "pipeline", "recommended", "not_relevant", ""
DEFAULT_K = 10


@dataclass(frozen=True)
class GroupMapping:
    """The product-group mapping: prefix rules (longest first) and category rules."""

    prefixes: tuple[tuple[str, str], ...]
    categories: dict[str, str]

    def group_of(self, stock_code: str, category: str = "") -> str | None:
        """The product group of a line: the longest matching prefix rule, else a category rule on the
        imported product group, else the normalised stock code (``None``: no goods code)."""
        code = stock_code.strip()
        for prefix, group in self.prefixes:
            if code.upper().startswith(prefix.upper()):
                return group
        if category and category in self.categories:
            return self.categories[category]
        return core.normalise_stock_code(code)


def account_model() -> type[Any]:
    """The account model, reached through this part's own foreign key (not imported)."""
    model = NotRelevantMark._meta.get_field("account").related_model
    assert isinstance(model, type)
    return model


def account_or_none(account_id: int) -> Any:
    return account_model()._default_manager.filter(pk=account_id).first()


_MODELS: dict[tuple[int, int, bytes, bytes], core.ItemModel] = {}


def fitted_model(matrix: core.PurchaseMatrix) -> core.ItemModel:
    """EASE fitted on ``matrix``, kept for the next request while the purchases stay the same."""
    key = (hash(matrix.accounts), hash(matrix.items), matrix.matrix.indptr.tobytes(), matrix.matrix.indices.tobytes())
    model = _MODELS.get(key)
    if model is None:
        model = core.fit_ease(matrix)
        _MODELS.clear()
        _MODELS[key] = model
    return model


def group_mapping() -> GroupMapping:
    rules = list(ProductGroupRule.objects.all())
    prefixes = sorted(
        ((r.pattern, r.group) for r in rules if r.kind == RuleKind.PREFIX), key=lambda pg: (-len(pg[0]), pg[0])
    )
    categories = {r.pattern: r.group for r in rules if r.kind == RuleKind.CATEGORY}
    return GroupMapping(tuple(prefixes), categories)


@dataclass(frozen=True)
class Purchases:
    """Customers x product groups (the model's rows), the groups each account's customers bought, the
    customers linked to each account and a label per group (a description of one of its stock codes)."""

    matrix: core.PurchaseMatrix
    by_account: dict[int, frozenset[str]]
    customers: dict[int, frozenset[str]]
    labels: dict[str, str]


_PURCHASES: dict[str, Any] = {}


def purchases() -> Purchases:
    """The purchase matrix and the baskets of the accounts, kept for the next request while the invoice
    lines, the accounts, the customer links and the product-group rules stay the same."""
    mapping = group_mapping()
    key = (commercial_facade.invoice_data_stamp(), mapping)
    if _PURCHASES.get("key") == key:
        cached: Purchases = _PURCHASES["value"]
        return cached
    value = _purchases(mapping)
    _PURCHASES.update(key=key, value=value)
    return value


def _purchases(mapping: GroupMapping) -> Purchases:
    pairs: set[tuple[str, str]] = set()
    by_account: dict[int, set[str]] = defaultdict(set)
    customers: dict[int, set[str]] = defaultdict(set)
    labels: dict[str, str] = {}
    for p in commercial_facade.goods_purchases():
        group = mapping.group_of(p.stock_code, p.product_group)
        if group is None:
            continue
        pairs.add((p.customer_id, group))
        labels.setdefault(group, p.description)
        if p.account_id is not None:
            by_account[p.account_id].add(group)
            customers[p.account_id].add(p.customer_id)
    return Purchases(
        matrix=core.purchase_matrix(pairs),
        by_account={a: frozenset(g) for a, g in by_account.items()},
        customers={a: frozenset(c) for a, c in customers.items()},
        labels=labels,
    )


@dataclass(frozen=True)
class RecommendationRow:
    """A recommended product group for an account with its reason in plain words (English and German)."""

    account_id: int
    product_group: str
    label: str
    rank: int
    score: float
    similar_buyers: int
    similar_accounts: int
    reason_en: str
    reason_de: str

    def reason(self, lang: str) -> str:
        return self.reason_de if lang == "de" else self.reason_en


@dataclass(frozen=True)
class Conversion:
    """Opportunities created from whitespace recommendations at some accounts, by outcome."""

    open: int
    won: int
    lost: int

    @property
    def total(self) -> int:
        return self.open + self.won + self.lost

    @property
    def win_rate(self) -> float | None:
        closed = self.won + self.lost
        return self.won / closed if closed else None


@dataclass(frozen=True)
class WhitespaceRow:
    account_id: int
    account_name: str
    states: tuple[str, ...]


@dataclass(frozen=True)
class Whitespace:
    """The whitespace of an account's subtree: ``groups`` (columns), one row per account with a state per
    group (bought, pipeline, not_relevant, recommended or "" for open whitespace), the recommendations for
    the whole subtree, the not-relevant marks and the conversion of whitespace opportunities."""

    account_id: int
    groups: tuple[str, ...]
    labels: dict[str, str]
    rows: tuple[WhitespaceRow, ...]
    recommendations: tuple[RecommendationRow, ...]
    not_relevant: dict[str, str]
    conversion: Conversion


def _subtree_basket(p: Purchases, account_ids: Sequence[int]) -> tuple[set[str], set[str]]:
    groups: set[str] = set()
    owned: set[str] = set()
    for a in account_ids:
        groups |= p.by_account.get(a, frozenset())
        owned |= p.customers.get(a, frozenset())
    return groups, owned


def _open_pipeline_groups(account_ids: Iterable[int]) -> dict[int, set[str]]:
    out: dict[int, set[str]] = defaultdict(set)
    for o in pipeline_facade.product_opportunities(account_ids):
        if o.outcome == "open":
            out[o.account_id].update(o.products)
    return out


def recommendations(
    account_ids: Sequence[int], *, k: int = DEFAULT_K, data: Purchases | None = None
) -> dict[int, tuple[RecommendationRow, ...]]:
    """The top ``k`` product groups per account (its subtree's purchases together) that the subtree does
    not buy, has not in its open pipeline and was not marked not relevant for, with their reasons."""
    p = data if data is not None else purchases()
    if not p.matrix.items or not account_ids:
        return dict.fromkeys(account_ids, ())
    baskets: dict[str, set[str]] = {}
    own: dict[str, set[str]] = {}
    excluded: dict[str, set[str]] = {}
    for a in account_ids:
        subtree = accounts_facade.subtree_account_ids(a)
        baskets[str(a)], own[str(a)] = _subtree_basket(p, subtree)
        pipe = _open_pipeline_groups(subtree)
        marks = set(NotRelevantMark.objects.filter(account_id=a).values_list("product_group", flat=True))
        excluded[str(a)] = marks.union(*pipe.values())
    model = fitted_model(p.matrix)
    recs = core.recommend_baskets(p.matrix, model, baskets, own=own, k=k, excluded=excluded)
    out: dict[int, tuple[RecommendationRow, ...]] = {}
    for a in account_ids:
        out[a] = tuple(
            RecommendationRow(
                account_id=a,
                product_group=r.item,
                label=p.labels.get(r.item, ""),
                rank=r.rank,
                score=r.score,
                similar_buyers=r.similar_buyers,
                similar_accounts=r.similar_accounts,
                reason_en=r.reason("en", _named(r.item, p.labels)),
                reason_de=r.reason("de", _named(r.item, p.labels)),
            )
            for r in recs.get(str(a), ())
        )
    return out


def _named(group: str, labels: dict[str, str]) -> str:
    label = labels.get(group, "")
    return f"{group} ({label})" if label else group


def conversion(account_ids: Iterable[int]) -> Conversion:
    """The outcomes of the opportunities created from whitespace recommendations at these accounts."""
    ids = set(
        WhitespaceOpportunity.objects.filter(account_id__in=list(account_ids)).values_list("opportunity_id", flat=True)
    )
    counts = {"open": 0, "won": 0, "lost": 0}
    for ref in pipeline_facade.opportunity_refs(ids):
        counts[ref.outcome] = counts.get(ref.outcome, 0) + 1
    return Conversion(counts["open"], counts["won"], counts["lost"])


def whitespace(account_id: int, *, k: int = DEFAULT_K, data: Purchases | None = None) -> Whitespace:
    """The whitespace matrix of ``account_id``'s subtree with the subtree's recommendations."""
    p = data if data is not None else purchases()
    subtree = accounts_facade.subtree_account_ids(account_id)
    refs = sorted(accounts_facade.accounts_in_subtrees([account_id]), key=lambda r: (r.path, r.id))
    recs = recommendations([account_id], k=k, data=p).get(account_id, ())
    pipe = _open_pipeline_groups(subtree)
    marks = dict(NotRelevantMark.objects.filter(account_id=account_id).values_list("product_group", "reason"))
    bought_any, _own = _subtree_basket(p, subtree)
    recommended = [r.product_group for r in recs]
    in_pipeline = set().union(*pipe.values()) if pipe else set()
    groups = tuple(sorted(bought_any | in_pipeline | set(marks))) + tuple(g for g in recommended)
    groups = tuple(dict.fromkeys(groups))
    rows = []
    for ref in refs:
        own_bought = p.by_account.get(ref.id, frozenset())
        states = []
        for g in groups:
            if g in own_bought:
                states.append(BOUGHT)
            elif g in pipe.get(ref.id, set()):
                states.append(PIPELINE)
            elif g in marks:
                states.append(NOT_RELEVANT)
            elif g in recommended and ref.id == account_id:
                states.append(RECOMMENDED)
            else:
                states.append(OPEN)
        rows.append(WhitespaceRow(ref.id, ref.name, tuple(states)))
    return Whitespace(
        account_id=account_id,
        groups=groups,
        labels={g: p.labels.get(g, "") for g in groups},
        rows=tuple(rows),
        recommendations=recs,
        not_relevant=marks,
        conversion=conversion(subtree),
    )


def whitespace_opportunities(account_ids: Iterable[int]) -> list[WhitespaceOpportunity]:
    return list(WhitespaceOpportunity.objects.filter(account_id__in=list(account_ids)).order_by("-created_at", "pk"))
