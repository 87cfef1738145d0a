"""Mappings: which source column holds which invoice-line field, and how lines are classified.

A mapping is a YAML file. The built-in ones live next to this package in ``mappings/``
(``online-retail``, ``generic``); users can pass their own file. Layout::

    name: my-erp
    columns:                       # field -> source column, or a list: the first present wins
      invoice_no: [Belegnummer, InvoiceNo]
      invoice_date: Datum
      quantity: Menge
      unit_price: Einzelpreis
    optional_columns: [unit_cost]  # fields whose columns a file may lack (NULL then)
    default_currency: EUR
    date_formats: ["%d.%m.%Y %H:%M", "%d.%m.%Y"]
    date_order: dmy                # only for slash dates whose column cannot decide it
    encoding: cp1252               # the file's text encoding (default: recognised from its bytes)
    product_group: {stock_code_regex: "^([0-9]{3})", otherwise: stock_code}
    categories:
      default: goods
      rules:                       # ordered, the first matching rule wins
        - {category: freight, stock_code_in: [POST, DOT]}
        - {category: returns, invoice_prefix: C}

Conditions of a rule (all given conditions must hold): ``stock_code_in`` (list,
case-insensitive), ``stock_code_regex``, ``description_regex`` (searched, RE2 syntax:
anchor with ``^``/``$``), ``invoice_prefix`` (a prefix or a list), ``quantity_negative``
and ``price_negative`` (``true``/``false``).
"""

from __future__ import annotations

import codecs
import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from kampass.core.profitability import CATEGORY_KEYS, GOODS, LEAKAGE_KEYS

FIELDS: tuple[str, ...] = (
    "invoice_no",
    "invoice_date",
    "customer_id",
    "stock_code",
    "description",
    "quantity",
    "unit_price",
    "unit_cost",
    "country",
    "currency",
)
"""The invoice-line fields a mapping can name source columns for."""

REQUIRED_FIELDS: tuple[str, ...] = ("invoice_no", "invoice_date", "quantity", "unit_price")
"""Fields every mapping must name and every file must contain."""

CONDITION_KEYS: tuple[str, ...] = (
    "stock_code_in",
    "stock_code_regex",
    "description_regex",
    "invoice_prefix",
    "quantity_negative",
    "price_negative",
)
BUILT_IN: tuple[str, ...] = ("online-retail", "generic")

_TOP_LEVEL_KEYS = frozenset(
    {
        "name",
        "description",
        "columns",
        "optional_columns",
        "default_currency",
        "date_formats",
        "date_order",
        "encoding",
        "product_group",
        "categories",
    }
)
_PRODUCT_GROUP_KEYS = frozenset({"columns", "stock_code_regex", "otherwise"})
_OTHERWISE = ("stock_code", "none")
_DATE_DIRECTIVES = re.compile(r"%[-]?[a-zA-Z%]")


# PyYAML has no type hints: its classes are Any to mypy
class _Loader(yaml.SafeLoader):
    """YAML with the booleans of YAML 1.2 only: a column called ``No``, ``Yes``, ``On`` or
    ``Off`` stays a text (YAML 1.1 would read ``invoice_no: No`` as ``false``)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class MappingError(ValueError):
    """A mapping that cannot be used: names the file, the key and the problem.

    Examples
    --------
    >>> str(MappingError(file="erp.yaml", key="columns.quantity", problem="missing"))
    'erp.yaml: columns.quantity: missing'
    """

    def __init__(self, *, file: str, key: str, problem: str) -> None:
        self.file = file
        self.key = key
        self.problem = problem
        super().__init__(f"{file}: {key}: {problem}")


@dataclass(frozen=True, kw_only=True)
class CategoryRule:
    """One classification rule: when all its conditions hold, a line gets ``category``."""

    category: str
    stock_code_in: tuple[str, ...] = ()
    stock_code_regex: str | None = None
    description_regex: str | None = None
    invoice_prefix: tuple[str, ...] = ()
    quantity_negative: bool | None = None
    price_negative: bool | None = None


@dataclass(frozen=True, kw_only=True)
class ProductGroupRule:
    """How a line's product group is found.

    In order: the first non-empty of ``columns``; the first capture group (or the whole
    match) of ``stock_code_regex`` on the stock code; else the stock code itself
    (``otherwise="stock_code"``) or NULL (``otherwise="none"``).
    """

    columns: tuple[str, ...] = ()
    stock_code_regex: str | None = None
    otherwise: str = "stock_code"


@dataclass(frozen=True, kw_only=True)
class Mapping:
    """How to read one kind of invoice-line file (see the module docstring for the YAML layout)."""

    name: str
    source: str
    columns: tuple[tuple[str, tuple[str, ...]], ...]
    optional_columns: frozenset[str]
    default_currency: str
    date_formats: tuple[str, ...]
    product_group: ProductGroupRule
    rules: tuple[CategoryRule, ...]
    default_category: str = GOODS
    description: str = ""
    date_order: str = ""
    """``dmy`` or ``mdy``: the answer for a date column whose values fit both orders (``""``: none given)."""
    encoding: str = ""
    """The files' text encoding as Python names it (``""``: recognised from the bytes of each file)."""

    def candidates(self, field: str) -> tuple[str, ...]:
        """The source columns that may hold ``field``, in order of preference (empty: not mapped).

        Examples
        --------
        >>> load_mapping("online-retail").candidates("quantity")
        ('Quantity',)
        """
        return dict(self.columns).get(field, ())

    def resolve(self, header: Iterable[str], *, file: str) -> dict[str, int]:
        """Column index of every mapped field in a file's ``header``.

        Exact names win over case-insensitive matches. A required field (or one not listed in
        ``optional_columns``) whose columns are all missing raises :class:`MappingError`.

        Examples
        --------
        >>> m = load_mapping("generic")
        >>> sorted(m.resolve(["Datum", "Belegnummer", "Menge", "Preis"], file="x.csv").items())
        [('invoice_date', 0), ('invoice_no', 1), ('quantity', 2), ('unit_price', 3)]
        """
        names = [h.strip() for h in header]
        exact: dict[str, int] = {}
        folded: dict[str, int] = {}
        for i, n in enumerate(names):
            exact.setdefault(n, i)
            folded.setdefault(n.casefold(), i)
        found: dict[str, int] = {}
        for field, cands in self.columns:
            index = next((exact[c] for c in cands if c in exact), None)
            if index is None:
                index = next((folded[c.casefold()] for c in cands if c.casefold() in folded), None)
            if index is not None:
                found[field] = index
            elif field not in self.optional_columns:
                raise MappingError(
                    file=file,
                    key=f"columns.{field}",
                    problem=f"none of the columns {list(cands)} is in the header {names} (mapping {self.name!r})",
                )
        return found

    def with_columns(self, chosen: dict[str, str]) -> Mapping:
        """This mapping reading the fields from the columns ``chosen`` (field -> column, as picked on an
        import's mapping step): a field left out is not read (its value is empty); rules, currency, date
        formats and product-group columns stay this mapping's.

        Examples
        --------
        >>> m = load_mapping("online-retail").with_columns(
        ...     {"invoice_no": "Beleg", "invoice_date": "Datum", "quantity": "Menge", "unit_price": "Preis"})
        >>> m.candidates("invoice_no"), m.candidates("customer_id"), "customer_id" in m.optional_columns
        (('Beleg',), (), True)
        >>> sorted(m.resolve(["Datum", "Beleg", "Menge", "Preis"], file="x.csv").items())
        [('invoice_date', 0), ('invoice_no', 1), ('quantity', 2), ('unit_price', 3)]
        """
        unknown = sorted(set(chosen) - set(FIELDS))
        if unknown:
            raise MappingError(file=self.source, key="columns", problem=f"unknown field(s) {', '.join(unknown)}")
        picked = {f: c for f, c in chosen.items() if c}
        missing = [f for f in REQUIRED_FIELDS if f not in picked]
        if missing:
            raise MappingError(file=self.source, key="columns", problem=f"no column for {', '.join(missing)}")
        return dataclasses.replace(
            self,
            columns=tuple((f, (picked[f],)) for f in FIELDS if f in picked),
            optional_columns=frozenset(f for f in FIELDS if f not in REQUIRED_FIELDS),
        )

    def product_group_columns(self, header: Iterable[str]) -> list[int]:
        """Indexes of the product-group columns present in ``header`` (in order of preference)."""
        names = [h.strip().casefold() for h in header]
        return [names.index(c.casefold()) for c in self.product_group.columns if c.casefold() in names]


def load_mapping(name_or_path: str | Path) -> Mapping:
    """Load a built-in mapping by name (``online-retail``, ``generic``) or a user YAML file.

    Raises
    ------
    MappingError
        When the file is missing, not YAML, or a key is unknown, missing or invalid.

    Examples
    --------
    >>> m = load_mapping("online-retail")
    >>> m.name, m.default_currency, m.rules[0].category
    ('online-retail', 'GBP', 'freight')
    >>> try:
    ...     load_mapping("nope.yaml")
    ... except MappingError as exc:
    ...     print(exc.file, exc.key)
    nope.yaml (file)
    """
    text, source, stem = _read(name_or_path)
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506  (a SafeLoader subclass)
    except yaml.YAMLError as exc:
        raise MappingError(file=source, key="(file)", problem=f"not valid YAML: {exc}") from exc
    return parse_mapping(data, source=source, default_name=stem)


def parse_mapping(data: Any, *, source: str, default_name: str) -> Mapping:
    """Validate the parsed YAML ``data`` of a mapping and build the :class:`Mapping`.

    Examples
    --------
    >>> m = parse_mapping({"columns": {"invoice_no": "No", "invoice_date": "Date", "quantity": "Qty",
    ...                    "unit_price": "Price"}, "default_currency": "EUR",
    ...                    "date_formats": ["%Y-%m-%d"]}, source="inline", default_name="mine")
    >>> m.name, m.candidates("invoice_no"), m.rules
    ('mine', ('No',), ())
    """
    p = _Parser(source)
    if not isinstance(data, dict):
        raise p.error("(file)", "the mapping must be a YAML mapping (key: value)")
    for key in data:
        if key not in _TOP_LEVEL_KEYS:
            raise p.error(str(key), f"unknown key (allowed: {', '.join(sorted(_TOP_LEVEL_KEYS))})")
    name = p.string(data.get("name", default_name), "name")
    description = p.string(data.get("description", ""), "description", allow_empty=True)

    raw_columns = data.get("columns")
    if not isinstance(raw_columns, dict):
        raise p.error("columns", "missing or not a mapping of field -> column name(s)")
    columns: list[tuple[str, tuple[str, ...]]] = []
    for field, value in raw_columns.items():
        if field not in FIELDS:
            raise p.error(f"columns.{field}", f"unknown field (allowed: {', '.join(FIELDS)})")
        columns.append((str(field), p.strings(value, f"columns.{field}")))
    for field in REQUIRED_FIELDS:
        if field not in raw_columns:
            raise p.error(f"columns.{field}", "required field is missing")

    optional = frozenset(p.strings(data.get("optional_columns", []), "optional_columns", allow_empty=True))
    for field in optional:
        if field not in FIELDS:
            raise p.error("optional_columns", f"unknown field {field!r}")
        if field in REQUIRED_FIELDS:
            raise p.error("optional_columns", f"{field!r} is required and cannot be optional")

    currency = p.string(data.get("default_currency"), "default_currency")
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise p.error("default_currency", f"{currency!r} is not an ISO 4217 code such as EUR or GBP")

    date_formats = p.strings(data.get("date_formats"), "date_formats")
    for i, fmt in enumerate(date_formats):
        directives = set(_DATE_DIRECTIVES.findall(fmt))
        if not directives & {"%d", "%-d", "%j"} or not directives & {"%Y", "%y"}:
            raise p.error(f"date_formats[{i}]", f"{fmt!r} needs a day (%d) and a year (%Y or %y)")

    raw_order = data.get("date_order")
    date_order = "" if raw_order is None else p.string(raw_order, "date_order")
    if date_order and date_order not in ("dmy", "mdy"):
        raise p.error("date_order", f"{date_order!r} is not dmy (day/month/year) or mdy (month/day/year)")

    raw_encoding = data.get("encoding")
    encoding = "" if raw_encoding is None else p.string(raw_encoding, "encoding")
    if encoding and not known_encoding(encoding):
        raise p.error("encoding", f"{encoding!r} is not a known text encoding (e.g. utf-8, cp1252, latin-1)")

    product_group = _product_group(p, data.get("product_group", {}))
    default_category, rules = _categories(p, data.get("categories", {}))
    return Mapping(
        name=name,
        source=source,
        description=description,
        columns=tuple(columns),
        optional_columns=optional,
        default_currency=currency,
        date_formats=date_formats,
        product_group=product_group,
        rules=rules,
        default_category=default_category,
        date_order=date_order,
        encoding=encoding,
    )


def known_encoding(name: str) -> bool:
    """Whether Python can decode text in the encoding ``name``.

    Examples
    --------
    >>> known_encoding("cp1252"), known_encoding("Latin-1"), known_encoding("klingon")
    (True, True, False)
    """
    try:
        info = codecs.lookup(name)
    except LookupError:
        return False
    return getattr(info, "_is_text_encoding", True)


def _read(name_or_path: str | Path) -> tuple[str, str, str]:
    """Text, display name and stem of a mapping given by built-in name or path."""
    if isinstance(name_or_path, str) and name_or_path in BUILT_IN:
        ref = resources.files("kampass.core.analytics").joinpath("mappings", f"{name_or_path}.yaml")
        return ref.read_text(encoding="utf-8"), f"{name_or_path}.yaml (built-in)", name_or_path
    path = Path(name_or_path)
    if not path.is_file():
        raise MappingError(
            file=str(name_or_path),
            key="(file)",
            problem=f"no such file and no built-in mapping of this name ({', '.join(BUILT_IN)})",
        )
    try:
        return path.read_text(encoding="utf-8"), str(path), path.stem
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError(file=str(path), key="(file)", problem=f"cannot be read: {exc}") from exc


def _product_group(p: _Parser, raw: Any) -> ProductGroupRule:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise p.error("product_group", "must be a mapping (columns, stock_code_regex, otherwise)")
    for key in raw:
        if key not in _PRODUCT_GROUP_KEYS:
            raise p.error(f"product_group.{key}", f"unknown key (allowed: {', '.join(sorted(_PRODUCT_GROUP_KEYS))})")
    columns = p.strings(raw.get("columns", []), "product_group.columns", allow_empty=True)
    regex = raw.get("stock_code_regex")
    if regex is not None:
        regex = p.regex(regex, "product_group.stock_code_regex")
    otherwise = p.string(raw.get("otherwise", "stock_code"), "product_group.otherwise")
    if otherwise not in _OTHERWISE:
        raise p.error("product_group.otherwise", f"{otherwise!r} is not one of {', '.join(_OTHERWISE)}")
    return ProductGroupRule(columns=columns, stock_code_regex=regex, otherwise=otherwise)


def _categories(p: _Parser, raw: Any) -> tuple[str, tuple[CategoryRule, ...]]:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise p.error("categories", "must be a mapping with 'default' and 'rules'")
    for key in raw:
        if key not in ("default", "rules"):
            raise p.error(f"categories.{key}", "unknown key (allowed: default, rules)")
    default = p.category(raw.get("default", GOODS), "categories.default")
    raw_rules = raw.get("rules", [])
    if not isinstance(raw_rules, list):
        raise p.error("categories.rules", "must be a list of rules")
    rules: list[CategoryRule] = []
    for i, rule in enumerate(raw_rules):
        where = f"categories.rules[{i}]"
        if not isinstance(rule, dict):
            raise p.error(where, "a rule must be a mapping (category: ..., condition: ...)")
        for key in rule:
            if key != "category" and key not in CONDITION_KEYS:
                raise p.error(f"{where}.{key}", f"unknown condition (allowed: {', '.join(CONDITION_KEYS)})")
        if "category" not in rule:
            raise p.error(f"{where}.category", "missing")
        if not set(rule) & set(CONDITION_KEYS):
            raise p.error(where, "a rule needs at least one condition")
        rules.append(
            CategoryRule(
                category=p.category(rule["category"], f"{where}.category"),
                stock_code_in=tuple(
                    s.upper() for s in p.strings(rule.get("stock_code_in", []), f"{where}.stock_code_in", True)
                ),
                stock_code_regex=p.optional_regex(rule, "stock_code_regex", where),
                description_regex=p.optional_regex(rule, "description_regex", where),
                invoice_prefix=p.strings(rule.get("invoice_prefix", []), f"{where}.invoice_prefix", True),
                quantity_negative=p.optional_bool(rule, "quantity_negative", where),
                price_negative=p.optional_bool(rule, "price_negative", where),
            )
        )
    return default, tuple(rules)


class _Parser:
    """Typed accessors that raise :class:`MappingError` naming the file and the key."""

    def __init__(self, source: str) -> None:
        self.source = source

    def error(self, key: str, problem: str) -> MappingError:
        return MappingError(file=self.source, key=key, problem=problem)

    def string(self, value: Any, key: str, allow_empty: bool = False) -> str:
        if value is None or isinstance(value, (bool, dict, list)):
            raise self.error(key, "missing" if value is None else f"must be a text, not {value!r}")
        text = str(value).strip()
        if not text and not allow_empty:
            raise self.error(key, "must not be empty")
        return text

    def strings(self, value: Any, key: str, allow_empty: bool = False) -> tuple[str, ...]:
        items = value if isinstance(value, list) else [value] if value is not None else []
        out = tuple(self.string(v, f"{key}[{i}]" if isinstance(value, list) else key) for i, v in enumerate(items))
        if not out and not allow_empty:
            raise self.error(key, "missing or empty")
        return out

    def category(self, value: Any, key: str) -> str:
        text = self.string(value, key)
        if text not in CATEGORY_KEYS:
            raise self.error(key, f"unknown category {text!r} (allowed: {GOODS}, {', '.join(LEAKAGE_KEYS)})")
        return text

    def regex(self, value: Any, key: str) -> str:
        text = self.string(value, key)
        try:
            re.compile(text)
        except re.error as exc:
            raise self.error(key, f"not a valid regular expression: {exc}") from exc
        if re.search(r"\(\?<?[=!]|\\[1-9]", text):
            raise self.error(key, "look-around and back-references are not supported (RE2 syntax)")
        return text

    def optional_regex(self, rule: dict[str, Any], name: str, where: str) -> str | None:
        return self.regex(rule[name], f"{where}.{name}") if name in rule else None

    def optional_bool(self, rule: dict[str, Any], name: str, where: str) -> bool | None:
        if name not in rule:
            return None
        value = rule[name]
        if not isinstance(value, bool):
            raise self.error(f"{where}.{name}", f"must be true or false, not {value!r}")
        return value
