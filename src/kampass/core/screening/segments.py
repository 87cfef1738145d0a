"""Segments of key accounts: accounts grouped by needs and behaviour, each group with a profile in
plain words, so that the "group later" step of the Selected Key Accounts logic and the reuse of
solutions have a basis.

The rule, step by step (no hidden scoring):

1. **Features** per account (:class:`AccountFacts`): the product-group mix (share of the account's
   gross revenue in each of the ``max_groups`` product groups with the most revenue over all
   accounts), size (``log10(1 + revenue)``), growth, leakage share, margin trend and buying-centre size,
   and the industry and country as 0/1 indicators. An unknown value is replaced by the mean of the
   others (it then sets nobody apart).
2. **Standardise**: every feature to z-scores (mean 0, standard deviation 1; a constant feature is 0).
   For grouping, the indicators of one categorical fact (e.g. the countries) are then scaled down together
   so that the whole fact weighs :data:`CATEGORY_WEIGHT` of one numeric feature (:func:`feature_weights`):
   otherwise a fact like the country, which says little about needs, would split every segment in two.
3. **Choose k** by the mean silhouette (in the weighted space) of k-means with ``k`` in
   ``k_min..min(k_max, n - 1)``; the best silhouette wins, ties go to the smaller ``k``.
4. **k-means** (scikit-learn, ``n_init=10``, fixed ``seed``): deterministic for the same input (accounts
   are sorted by id first; segments are numbered by size, largest first, ties by smallest account id).
5. **Profile**: the mean z-score of each feature over a segment's members says how far the segment
   stands from all accounts, in standard deviations; the features with the largest absolute mean
   z-score (at least :data:`NOTABLE_Z`) set it apart and are put in words by :func:`describe`.

The dispersion of accounts over segments (:func:`dispersion`) is the programme's
``account_heterogeneity``: the probability that two key accounts drawn at random fall into different
groups (Gini-Simpson index, 0 = all in one group .. towards 1 = every account its own group).

>>> facts = [
...     AccountFacts(1, {"A": 90.0, "B": 10.0}, {"revenue": 1000.0}, {"industry": "Food"}),
...     AccountFacts(2, {"A": 80.0, "B": 20.0}, {"revenue": 1200.0}, {"industry": "Food"}),
...     AccountFacts(3, {"A": 85.0, "B": 15.0}, {"revenue": 1100.0}, {"industry": "Food"}),
...     AccountFacts(4, {"A": 5.0, "B": 95.0}, {"revenue": 90000.0}, {"industry": "Steel"}),
...     AccountFacts(5, {"A": 10.0, "B": 90.0}, {"revenue": 95000.0}, {"industry": "Steel"}),
... ]
>>> result = segment_accounts(facts, k_max=3)
>>> result.k, [s.members for s in result.segments]
(2, [(1, 2, 3), (4, 5)])
>>> describe(result.segments[1], "en")
'industry Steel, large revenue, buys much B (92% of revenue)'
>>> dispersion([s.number for s in result.segments for _ in s.members])
0.48
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

NUMERIC_FEATURES: tuple[str, ...] = ("revenue", "growth", "leakage_share", "margin_trend", "buying_centre")
"""The numeric facts of an account that enter the features (besides the product-group mix)."""

CATEGORY_FEATURES: tuple[str, ...] = ("industry", "country")
"""The categorical facts of an account that enter the features as 0/1 indicators."""

CATEGORY_WEIGHT = 0.5
"""The weight (share of the variance of one numeric feature) of a categorical fact with all its indicators."""

NOTABLE_Z = 0.5
"""A feature sets a segment apart when its mean z-score over the members is at least this far from 0."""

PROFILE_SIZE = 3
"""At most this many features are named in a segment's profile."""

_GROUP = "group:"


@dataclass(frozen=True)
class AccountFacts:
    """What kampass knows about one account for segmenting it.

    ``mix``: gross revenue per product group (any currency, the same for all accounts; only the shares
    count); ``numeric``: values of :data:`NUMERIC_FEATURES` (``revenue`` in money, ``growth`` and
    ``margin_trend`` as relative change, ``leakage_share`` 0..1, ``buying_centre`` a count; ``None`` or
    missing = unknown); ``categories``: values of :data:`CATEGORY_FEATURES` (empty = unknown)."""

    account_id: int
    mix: Mapping[str, float] = field(default_factory=dict)
    numeric: Mapping[str, float | None] = field(default_factory=dict)
    categories: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Deviation:
    """How far a segment stands from all accounts on one feature: ``z`` is the members' mean z-score,
    ``mean`` the members' mean raw value (a share for product groups and categories)."""

    feature: str
    z: float
    mean: float


@dataclass(frozen=True)
class Segment:
    """One group of accounts (``number`` from 1, largest group first) with the features that set it
    apart most, largest absolute ``z`` first."""

    number: int
    members: tuple[int, ...]
    profile: tuple[Deviation, ...]


@dataclass(frozen=True)
class Segmentation:
    """The result of :func:`segment_accounts`: ``k`` segments, the mean ``silhouette`` of the chosen ``k``
    (``None`` when only one group is possible), the silhouette of every ``k`` tried and the feature names."""

    k: int
    silhouette: float | None
    segments: tuple[Segment, ...]
    silhouettes: Mapping[int, float]
    features: tuple[str, ...]

    def segment_of(self) -> dict[int, int]:
        """``{account_id: segment number}``."""
        return {a: s.number for s in self.segments for a in s.members}


def normalise_product_group(stock_code: str) -> str:
    """The product group of a stock code when no mapping exists: the code in upper case without spaces
    and without a trailing letter suffix (``85123A`` and ``85123a`` are the same goods as ``85123``).

    >>> normalise_product_group(" 85123a ")
    '85123'
    >>> normalise_product_group("POST")
    'POST'
    """
    code = re.sub(r"\s+", "", stock_code or "").upper()
    m = re.fullmatch(r"(\d+)[A-Z]+", code)
    return m.group(1) if m else code


def top_groups(facts: Sequence[AccountFacts], max_groups: int) -> list[str]:
    """The ``max_groups`` product groups with the most revenue over all accounts (ties by name).

    >>> top_groups([AccountFacts(1, {"X": 5.0, "Y": 9.0}), AccountFacts(2, {"X": 5.0, "Z": 1.0})], 2)
    ['X', 'Y']
    """
    total: dict[str, float] = {}
    for f in facts:
        for g, v in f.mix.items():
            if v > 0:
                total[g] = total.get(g, 0.0) + v
    return [g for g, _ in sorted(total.items(), key=lambda gv: (-gv[1], gv[0]))[:max_groups]]


def feature_matrix(facts: Sequence[AccountFacts], *, max_groups: int = 8) -> tuple[list[str], np.ndarray]:
    """Feature names and the raw feature matrix (one row per account, in the order of ``facts``):
    product-group shares, the numeric facts (``revenue`` as ``log10(1 + revenue)``) and category indicators;
    unknown values become the mean of the known ones (0 when none is known). Features without any known
    value or without variation are dropped only later by standardising (their z-scores are 0)."""
    groups = top_groups(facts, max_groups)
    names: list[str] = [f"{_GROUP}{g}" for g in groups]
    rows: list[list[float]] = [[] for _ in facts]
    for i, f in enumerate(facts):
        total = sum(v for v in f.mix.values() if v > 0)
        rows[i].extend([(max(f.mix.get(g, 0.0), 0.0) / total) if total > 0 else math.nan for g in groups])
    for key in NUMERIC_FEATURES:
        if not any(f.numeric.get(key) is not None for f in facts):
            continue
        names.append(key)
        for i, f in enumerate(facts):
            v = f.numeric.get(key)
            if v is None or not math.isfinite(float(v)):
                rows[i].append(math.nan)
            elif key == "revenue":
                rows[i].append(math.log10(1.0 + max(float(v), 0.0)))
            else:
                rows[i].append(float(v))
    for cat in CATEGORY_FEATURES:
        values = sorted({f.categories.get(cat, "") for f in facts} - {""})
        for value in values:
            names.append(f"{cat}:{value}")
            for i, f in enumerate(facts):
                rows[i].append(1.0 if f.categories.get(cat, "") == value else 0.0)
    matrix = np.array(rows, dtype=float).reshape(len(facts), len(names))
    for j in range(matrix.shape[1]):
        col = matrix[:, j]
        known = col[~np.isnan(col)]
        col[np.isnan(col)] = float(known.mean()) if known.size else 0.0
    return names, matrix


def standardise(matrix: np.ndarray) -> np.ndarray:
    """Each column to z-scores (population standard deviation); a constant column becomes 0.

    >>> standardise(np.array([[1.0, 5.0], [3.0, 5.0]])).tolist()
    [[-1.0, 0.0], [1.0, 0.0]]
    """
    mean = matrix.mean(axis=0)
    std = matrix.std(axis=0)
    safe = np.where(std > 1e-12, std, 1.0)
    z = (matrix - mean) / safe
    z[:, std <= 1e-12] = 0.0
    return np.asarray(z)


def feature_weights(names: Sequence[str]) -> np.ndarray:
    """The factor of each standardised feature in the grouping: 1, but ``sqrt(CATEGORY_WEIGHT / m)`` for each
    of the ``m`` indicators of a categorical fact (their variances then add up to ``CATEGORY_WEIGHT``).

    >>> feature_weights(["revenue", "country:DE", "country:GB"]).tolist()
    [1.0, 0.5, 0.5]
    """
    counts = Counter(n.split(":", 1)[0] for n in names if n.split(":", 1)[0] in CATEGORY_FEATURES and ":" in n)
    out = []
    for n in names:
        cat = n.split(":", 1)[0]
        out.append(math.sqrt(CATEGORY_WEIGHT / counts[cat]) if ":" in n and cat in CATEGORY_FEATURES else 1.0)
    return np.array(out, dtype=float)


def _kmeans(z: np.ndarray, k: int, seed: int) -> np.ndarray:
    from sklearn.cluster import KMeans  # type: ignore[import-untyped]

    labels = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(z)
    return np.asarray(labels)


def choose_k(z: np.ndarray, *, k_min: int = 2, k_max: int = 8, seed: int = 0) -> tuple[int, dict[int, float]]:
    """The ``k`` in ``k_min..min(k_max, n - 1)`` with the best mean silhouette of its k-means labels (ties:
    the smaller ``k``), and the silhouette of every ``k`` tried. ``(1, {})`` when fewer than three
    distinct accounts exist (no silhouette is defined)."""
    from sklearn.metrics import silhouette_score  # type: ignore[import-untyped]

    distinct = len({tuple(np.round(row, 12)) for row in z})
    upper = min(k_max, z.shape[0] - 1, distinct)
    scores: dict[int, float] = {}
    for k in range(max(2, k_min), upper + 1):
        labels = _kmeans(z, k, seed)
        if len(set(labels.tolist())) < 2:
            continue
        scores[k] = float(silhouette_score(z, labels))
    if not scores:
        return 1, {}
    best = max(scores.items(), key=lambda kv: (round(kv[1], 12), -kv[0]))[0]
    return best, scores


def segment_accounts(
    facts: Iterable[AccountFacts], *, k_min: int = 2, k_max: int = 8, max_groups: int = 8, seed: int = 0
) -> Segmentation:
    """Group the accounts (see the module's rule); at least one account is needed.

    Raises ``ValueError`` without accounts or with ``k_min`` > ``k_max`` or ``k_min`` < 2."""
    ordered = sorted(facts, key=lambda f: f.account_id)
    if not ordered:
        raise ValueError("no accounts to segment")
    if k_min < 2 or k_min > k_max:
        raise ValueError(f"k range {k_min}..{k_max} is empty (k_min must be at least 2 and at most k_max)")
    names, raw = feature_matrix(ordered, max_groups=max_groups)
    z = standardise(raw)
    space = z * feature_weights(names)
    k, scores = choose_k(space, k_min=k_min, k_max=k_max, seed=seed)
    labels = _kmeans(space, k, seed) if k > 1 else np.zeros(len(ordered), dtype=int)
    ids = [f.account_id for f in ordered]
    groups: dict[int, list[int]] = {}
    for idx, label in enumerate(labels.tolist()):
        groups.setdefault(int(label), []).append(idx)
    order = sorted(groups.values(), key=lambda rows: (-len(rows), ids[rows[0]]))
    segments = []
    for number, rows in enumerate(order, start=1):
        zmean = z[rows].mean(axis=0)
        rmean = raw[rows].mean(axis=0)
        devs = [Deviation(names[j], float(zmean[j]), float(rmean[j])) for j in range(len(names))]
        notable = [d for d in devs if abs(d.z) >= NOTABLE_Z and not _is_absent_category(d)]
        notable.sort(key=lambda d: (-abs(d.z), d.feature))
        segments.append(Segment(number, tuple(ids[r] for r in rows), tuple(notable[:PROFILE_SIZE])))
    return Segmentation(k, scores.get(k), tuple(segments), scores, tuple(names))


def _is_absent_category(d: Deviation) -> bool:
    """A category a segment lacks says little ("not in Food"): only present categories are named."""
    cat = d.feature.split(":", 1)[0]
    return cat in CATEGORY_FEATURES and d.z < 0


_WORDS: dict[str, dict[str, tuple[str, str]]] = {
    # feature -> language -> (words when high, words when low)
    "revenue": {"en": ("large revenue", "small revenue"), "de": ("hoher Umsatz", "geringer Umsatz")},
    "growth": {"en": ("high growth", "low growth"), "de": ("starkes Wachstum", "schwaches Wachstum")},
    "leakage_share": {
        "en": ("high profit leakage", "low profit leakage"),
        "de": ("hohe Erlösschmälerung", "geringe Erlösschmälerung"),
    },
    "margin_trend": {
        "en": ("improving margin", "falling margin"),
        "de": ("steigende Marge", "sinkende Marge"),
    },
    "buying_centre": {
        "en": ("large buying centre", "small buying centre"),
        "de": ("großes Buying Center", "kleines Buying Center"),
    },
}
_GROUP_WORDS = {
    "en": ("buys much {x} ({share} of revenue)", "buys little {x} ({share} of revenue)"),
    "de": ("kauft viel {x} ({share} des Umsatzes)", "kauft wenig {x} ({share} des Umsatzes)"),
}
_CATEGORY_WORDS = {
    "en": {"industry": "industry {x}", "country": "country {x}"},
    "de": {"industry": "Branche {x}", "country": "Land {x}"},
}
_NO_PROFILE = {"en": "no feature sets it apart", "de": "kein Merkmal hebt sie ab"}


def feature_label(feature: str, lang: str) -> str:
    """The name of a feature in ``lang`` (``en`` or ``de``) for tables.

    >>> feature_label("group:85123", "de"), feature_label("buying_centre", "en")
    ('Anteil 85123', 'buying centre')
    """
    de = lang == "de"
    if feature.startswith(_GROUP):
        return ("Anteil " if de else "share ") + feature[len(_GROUP) :]
    cat, _, value = feature.partition(":")
    if value and cat in CATEGORY_FEATURES:
        return _CATEGORY_WORDS["de" if de else "en"][cat].format(x=value)
    labels = {
        "revenue": ("Umsatz", "revenue"),
        "growth": ("Wachstum", "growth"),
        "leakage_share": ("Erlösschmälerung", "profit leakage"),
        "margin_trend": ("Margentrend", "margin trend"),
        "buying_centre": ("Buying Center", "buying centre"),
    }
    pair = labels.get(feature)
    return (pair[0] if de else pair[1]) if pair else feature


def _percent(value: float, lang: str) -> str:
    return f"{round(value * 100):d}\u00a0%" if lang == "de" else f"{round(value * 100):d}%"


def describe_deviation(d: Deviation, lang: str) -> str:
    """One feature of a profile in plain words (``en`` or ``de``)."""
    lang = "de" if lang == "de" else "en"
    high = d.z >= 0
    if d.feature.startswith(_GROUP):
        words = _GROUP_WORDS[lang][0 if high else 1]
        return words.format(x=d.feature[len(_GROUP) :], share=_percent(d.mean, lang))
    cat, _, value = d.feature.partition(":")
    if value and cat in CATEGORY_FEATURES:
        return _CATEGORY_WORDS[lang][cat].format(x=value)
    pair = _WORDS.get(d.feature, {}).get(lang)
    if pair is None:
        return d.feature
    return pair[0] if high else pair[1]


def describe(segment: Segment, lang: str) -> str:
    """A segment's profile in plain words, the feature that sets it apart most first.

    >>> describe(Segment(1, (1, 2), (Deviation("growth", 1.4, 0.3), Deviation("buying_centre", -0.8, 2.0))), "de")
    'starkes Wachstum, kleines Buying Center'
    """
    if not segment.profile:
        return _NO_PROFILE["de" if lang == "de" else "en"]
    return ", ".join(describe_deviation(d, lang) for d in segment.profile)


def dispersion(labels: Iterable[Hashable]) -> float | None:
    """Gini-Simpson dispersion of accounts over groups: the probability that two accounts drawn at random
    (with replacement) fall into different groups; ``None`` below two accounts.

    >>> dispersion(["a", "a", "b", "b"]), dispersion([1, 1, 1]), dispersion([7])
    (0.5, 0.0, None)
    """
    counts = Counter(labels)
    n = sum(counts.values())
    if n < 2:
        return None
    return round(1.0 - sum((c / n) ** 2 for c in counts.values()), 12)


def combined_heterogeneity(parts: Mapping[str, float | None]) -> float | None:
    """The programme's ``account_heterogeneity`` from its parts (e.g. ``{"segments": 0.6, "portfolio":
    0.4}``): the mean of the known parts, ``None`` when none is known.

    >>> combined_heterogeneity({"segments": 0.6, "portfolio": 0.4}), combined_heterogeneity({"segments": None})
    (0.5, None)
    """
    known = [float(v) for v in parts.values() if v is not None]
    return round(sum(known) / len(known), 12) if known else None
