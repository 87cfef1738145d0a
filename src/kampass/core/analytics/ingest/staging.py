"""The SQL that reads, converts, validates and classifies invoice lines inside DuckDB.

One ``SELECT`` reads the file with DuckDB's CSV reader (every field as text), converts the
values with ``TRY_CAST``/``try_strptime``, classifies each line with one ``CASE`` compiled
from the mapping's rules and marks bad lines with the code of their first failed
:class:`Check`. Lines the CSV reader cannot split land in DuckDB's rejects table.
"""

# ruff: noqa: S608  (SQL is compiled here: literals go through quote_literal, identifiers are generated)
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kampass.core.analytics.ingest.dialect import Dialect, ordered_formats
from kampass.core.analytics.ingest.mapping import CategoryRule, Mapping
from kampass.core.text_safety import forbidden_pattern

DECIMAL = "DECIMAL(18,4)"
EXACT = "DECIMAL(38,10)"
READ_BUFFER_BYTES = 16 << 20
BLANK = 0
"""``bad`` code of a line whose fields are all empty: skipped, neither imported nor rejected."""


@dataclass(frozen=True, kw_only=True)
class Check:
    """One way a line can be bad: ``code`` is stored in the staging table's ``bad`` column."""

    code: int
    column: str
    reason: str
    value_sql: str


@dataclass(frozen=True, kw_only=True)
class StagePlan:
    """The staging statement and what its ``bad`` codes mean."""

    select_sql: str
    """Reads the file: the staged columns, ``category``, ``bad``, ``bad_value`` and ``date_raw`` (the date
    column's text, for deciding its day/month order) per line, in file order."""
    checks: dict[int, Check]
    width: int
    line_columns: dict[str, str]
    """Target column of ``invoice_lines`` -> SQL expression over the staged table."""


def quote_literal(text: str) -> str:
    """A SQL string literal.

    Examples
    --------
    >>> quote_literal("O'Brien")
    "'O''Brien'"
    """
    return "'" + text.replace("'", "''") + "'"


def read_csv_sql(
    *,
    source: Path,
    dialect: Dialect,
    width: int,
    compression: str,
    rejects_table: str | None,
    rejects_scan: str | None,
) -> str:
    """The ``read_csv`` call: every column as text, nothing auto-detected, bad lines to the rejects table
    (without rejects tables: bad lines are skipped, for a scan that only looks at values).

    An explicit 16 MB read buffer makes DuckDB's parallel CSV scan about 20 % faster here
    than its default.
    """
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width))
    if rejects_table is None or rejects_scan is None:
        rejects = "store_rejects=false, ignore_errors=true"
    else:
        rejects = (
            f"store_rejects=true, rejects_table={quote_literal(rejects_table)}, "
            f"rejects_scan={quote_literal(rejects_scan)}"
        )
    return (
        f"read_csv({quote_literal(str(source))}, columns={{{columns}}}, all_varchar=true, header=false, skip=1, "
        f"delim={quote_literal(dialect.delimiter)}, quote={quote_literal(dialect.quote)}, "
        f"escape={quote_literal(dialect.quote)}, encoding='utf-8', compression={quote_literal(compression)}, "
        f"auto_detect=false, null_padding=false, strict_mode=true, buffer_size={READ_BUFFER_BYTES}, "
        f"{rejects})"
    )


def category_case(rules: Sequence[CategoryRule], default: str) -> str:
    r"""One SQL ``CASE`` over ``stock_code``, ``description``, ``invoice_no``, ``quantity`` and
    ``unit_price``: the first matching rule wins.

    Examples
    --------
    >>> from kampass.core.analytics.ingest.mapping import CategoryRule
    >>> sql = category_case([CategoryRule(category="freight", stock_code_in=("POST",)),
    ...                      CategoryRule(category="returns", invoice_prefix=("C",), quantity_negative=True)],
    ...                     "goods")
    >>> print(sql.replace(" WHEN", "\nWHEN").replace(" ELSE", "\nELSE"))
    CASE
    WHEN upper(stock_code) IN ('POST') THEN 'freight'
    WHEN (starts_with(invoice_no, 'C')) AND quantity < 0 THEN 'returns'
    ELSE 'goods' END
    """
    whens = [f"WHEN {rule_condition(r)} THEN {quote_literal(r.category)}" for r in rules]
    if not whens:  # a mapping without rules: every line gets the default
        return quote_literal(default)
    return " ".join(["CASE", *whens, f"ELSE {quote_literal(default)} END"])


def rule_condition(rule: CategoryRule) -> str:
    """The SQL condition of one rule (all its conditions joined with ``AND``)."""
    parts: list[str] = []
    if rule.stock_code_in:
        parts.append(f"upper(stock_code) IN ({', '.join(quote_literal(s.upper()) for s in rule.stock_code_in)})")
    if rule.stock_code_regex is not None:
        parts.append(regex_condition("stock_code", rule.stock_code_regex))
    if rule.description_regex is not None:
        parts.append(regex_condition("description", rule.description_regex))
    if rule.invoice_prefix:
        prefixes = " OR ".join(f"starts_with(invoice_no, {quote_literal(p)})" for p in rule.invoice_prefix)
        parts.append(f"({prefixes})")
    if rule.quantity_negative is not None:
        parts.append("quantity < 0" if rule.quantity_negative else "quantity >= 0")
    if rule.price_negative is not None:
        parts.append("unit_price < 0" if rule.price_negative else "unit_price >= 0")
    return " AND ".join(parts)


def date_sql(column: str, formats: Sequence[str]) -> str:
    """The invoice date (UTC) of a text column, the first of ``formats`` that fits (NULL if none).

    Naive source times are UTC; ``epoch_us``/``make_timestamptz`` is far cheaper than ``timezone()``.
    """
    format_list = "[" + ", ".join(quote_literal(f) for f in formats) + "]"
    return (
        f"make_timestamptz(epoch_us(coalesce(try_strptime({column}, {format_list}), "
        f"try_strptime(trim({column}), {format_list}))))"
    )


def trimmed_sql(column: str) -> str:
    """A text column without surrounding spaces, empty as NULL (``trim`` only where needed: it is slow).

    Examples
    --------
    >>> trimmed_sql("c0")
    "nullif(CASE WHEN c0 LIKE ' %' OR c0 LIKE '% ' THEN trim(c0) ELSE c0 END, '')"
    """
    return f"nullif(CASE WHEN {column} LIKE ' %' OR {column} LIKE '% ' THEN trim({column}) ELSE {column} END, '')"


_LITERAL_PREFIX = re.compile(r"\^([A-Za-z0-9_ -]+)")


def regex_condition(column: str, pattern: str) -> str:
    """SQL that is true when ``pattern`` is found in ``column`` (``^literal`` becomes a cheap prefix test).

    Examples
    --------
    >>> regex_condition("stock_code", "^DCGS"), regex_condition("description", "(?i)fracht")
    ("coalesce(starts_with(stock_code, 'DCGS'), false)", "coalesce(regexp_matches(description, '(?i)fracht'), false)")
    """
    if m := _LITERAL_PREFIX.fullmatch(pattern):
        return f"coalesce(starts_with({column}, {quote_literal(m.group(1))}), false)"
    return f"coalesce(regexp_matches({column}, {quote_literal(pattern)}), false)"


def plan_stage(
    *,
    read_csv: str,
    dialect: Dialect,
    mapping: Mapping,
    header: Sequence[str],
    file: str,
    date_formats: tuple[str, ...] | None = None,
    max_cell_chars: int | None = None,
) -> StagePlan:
    """Compile the query that reads, converts, checks and classifies a file read by ``read_csv``.

    It yields the typed invoice-line columns (without ``batch_id`` and ``source_row``; see
    :attr:`StagePlan.line_columns`), ``category``, ``bad`` (NULL for a good line,
    :data:`BLANK` for an empty one, else the code of the first failed check, in column order)
    and ``bad_value`` (the raw value that failed).

    Written for speed over tens of millions of lines: numbers are cast straight to
    ``DECIMAL(18,4)`` (the exact cast that detects more than four decimal places runs only on
    values with more than four digits after the point), descriptions are kept verbatim, and
    the expensive parts of the checks sit behind cheap ones (``CASE``/``AND``/``coalesce``
    evaluate lazily in DuckDB). ``date_formats`` (default: the mapping's) are tried in order; the
    importer passes those of the column's decided day/month order only (see
    :mod:`~kampass.core.analytics.ingest.dateorder`). A line with a field of the mapping longer than
    ``max_cell_chars`` is rejected (its value shown cut to 100 characters).
    """
    index = mapping.resolve(header, file=file)
    names = [h.strip() for h in header]
    width = len(names)
    null = "CAST(NULL AS VARCHAR)"

    def raw(field: str) -> str:
        return f"c{index[field]}" if field in index else null

    def trimmed(field: str) -> str:
        return trimmed_sql(raw(field)) if field in index else null

    def number_text(field: str) -> str:
        col = raw(field)
        if not dialect.decimal_comma or field not in index:
            return col  # DuckDB's cast ignores surrounding spaces
        value = f"trim({col})"
        return (
            f"CASE WHEN contains({value}, ',') THEN replace(replace({value}, '.', ''), ',', '.') "
            f"WHEN regexp_full_match({value}, '[-+]?[0-9]{{1,3}}([.][0-9]{{3}})+') THEN replace({value}, '.', '') "
            f"ELSE {value} END"
        )

    formats = date_formats if date_formats is not None else ordered_formats(mapping.date_formats, dialect.date_style)
    date = raw("invoice_date")
    customer = trimmed("customer_id")
    group_columns = [trimmed_sql(f"c{i}") for i in mapping.product_group_columns(names)]
    parsed = {
        "invoice_no": trimmed("invoice_no"),
        # naive source times are UTC; epoch_us/make_timestamptz is far cheaper than timezone()
        "invoice_date": date_sql(date, formats),
        # customer numbers written as floats (17850.0) become 17850
        "customer_id": f"CASE WHEN ends_with({customer}, '.0') THEN left({customer}, -2) ELSE {customer} END",
        "country": trimmed("country"),
        "stock_code": trimmed("stock_code"),
        "description": f"nullif({raw('description')}, '')",
        "currency_code": f"upper({trimmed('currency')})",
        "q_text": number_text("quantity"),
        "p_text": number_text("unit_price"),
        "c_text": number_text("unit_cost"),
        "group_column": f"coalesce({', '.join(group_columns)})" if group_columns else null,
    }
    sized = ", ".join(
        f"TRY_CAST({short}_text AS {DECIMAL}) AS {field}"
        for short, field in (("q", "quantity"), ("p", "unit_price"), ("c", "unit_cost"))
    )
    # DECIMAL(18,4) * DECIMAL(18,4) is DECIMAL(18,8): exact below 1e10, an error above;
    # larger factors take the (slower) 38-digit path
    small = "abs(quantity) < 100000 AND abs(unit_price) < 100000"
    amount = (
        f"CASE WHEN {small} THEN TRY_CAST(quantity * unit_price AS {DECIMAL}) "
        f"ELSE TRY_CAST(CAST(quantity AS DECIMAL(38,4)) * unit_price AS {DECIMAL}) END AS amount"
    )
    inexact_amount = (
        f"CASE WHEN {small} THEN amount <> quantity * unit_price "
        f"ELSE amount <> CAST(quantity AS DECIMAL(38,4)) * unit_price END"
    )
    # the date text for deciding the day/month order; only slash and dash dates need it (NULL for ISO
    # and dotted dates, which then cost nothing to keep)
    date_raw = (
        f"CASE WHEN contains({date}, '/') OR substr(ltrim({date}), 2, 1) = '-' "
        f"OR substr(ltrim({date}), 3, 1) = '-' THEN {date} END"
    )
    all_empty = " AND ".join(f"coalesce(trim(c{i}), '') = ''" for i in range(width)) or "false"

    checks, first_failed = _checks(
        index=index, names=names, formats=formats, inexact_amount=inexact_amount, max_cell_chars=max_cell_chars
    )
    # all_empty is only evaluated for lines that failed a check (CASE evaluates lazily)
    bad = f"CASE WHEN first_failed IS NULL THEN NULL WHEN {all_empty} THEN {BLANK} ELSE first_failed END"
    by_code = " ".join(f"WHEN {c.code} THEN {c.value_sql}" for c in checks.values())
    bad_value = f"CASE WHEN bad IS NULL THEN NULL ELSE CASE bad {by_code} END END"
    optional = [name for name in ("unit_cost", "currency_code", "group_column") if _mapped(name, index, mapping, names)]
    select = f"""
SELECT invoice_no, invoice_date, customer_id, country, stock_code, description, quantity, unit_price, amount,
       {"".join(f"{name}, " for name in optional)}
       {category_case(mapping.rules, mapping.default_category)} AS category,
       CAST(bad AS SMALLINT) AS bad, {bad_value} AS bad_value, {date_raw} AS date_raw
FROM (
  SELECT *, {bad} AS bad
  FROM (
    SELECT *, {first_failed} AS first_failed
    FROM (
      SELECT *, {amount}
      FROM (
        SELECT *, {sized}
        FROM (
          SELECT *, {", ".join(f"{sql} AS {name}" for name, sql in parsed.items())}
          FROM {read_csv}
        )
      )
    )
  )
)"""
    currency = quote_literal(mapping.default_currency)
    line_columns = {
        "invoice_no": "invoice_no",
        "invoice_date": "invoice_date",
        "customer_id": "customer_id",
        "country": "country",
        "stock_code": "stock_code",
        "description": "description",
        "product_group": _product_group_sql(mapping, with_column="group_column" in optional),
        "quantity": "quantity",
        "unit_price": "unit_price",
        "amount": "amount",
        "unit_cost": "unit_cost" if "unit_cost" in optional else f"CAST(NULL AS {DECIMAL})",
        "currency": f"coalesce(currency_code, {currency})" if "currency_code" in optional else currency,
        "category": "category",
    }
    return StagePlan(select_sql=select, checks=checks, width=width, line_columns=line_columns)


def _mapped(name: str, index: dict[str, int], mapping: Mapping, header: list[str]) -> bool:
    if name == "group_column":
        return bool(mapping.product_group_columns(header))
    return {"unit_cost": "unit_cost", "currency_code": "currency"}[name] in index


def _product_group_sql(mapping: Mapping, *, with_column: bool) -> str:
    rule = mapping.product_group
    parts = ["group_column"] if with_column else []
    if rule.stock_code_regex is not None:
        group = 1 if re.compile(rule.stock_code_regex).groups else 0
        parts.append(f"nullif(regexp_extract(stock_code, {quote_literal(rule.stock_code_regex)}, {group}), '')")
    if rule.otherwise == "stock_code":
        parts.append("stock_code")
    if not parts:
        return "CAST(NULL AS VARCHAR)"
    return parts[0] if len(parts) == 1 else f"coalesce({', '.join(parts)})"


def _number_checks(field: str, label: str, *, required: bool) -> list[tuple[str, str]]:
    """Conditions (cheap first) and reasons for a number column; ``field`` is the typed value."""
    short = {"quantity": "q", "unit_price": "p", "unit_cost": "c"}[field]
    text = f"{short}_text"
    empty = f"coalesce(trim({text}), '') = ''"
    checks = [(f"{field} IS NULL AND {empty}", f"empty {label}")] if required else []
    return [
        *checks,
        (f"{field} IS NULL AND NOT {empty} AND TRY_CAST({text} AS DOUBLE) IS NULL", "not a number"),
        (f"{field} IS NULL AND NOT {empty}", f"{label} out of range for {DECIMAL}"),
        (
            # strlen is O(1): only values longer than ".1234" can have five decimals
            f"strlen({text}) > 5 AND instr({text}, '.') > 0 AND strlen({text}) - instr({text}, '.') > 4 "
            f"AND TRY_CAST({text} AS {EXACT}) <> {field}",
            "more than 4 decimal places",
        ),
    ]


def _checks(
    *,
    index: dict[str, int],
    names: list[str],
    formats: tuple[str, ...],
    inexact_amount: str,
    max_cell_chars: int | None = None,
) -> tuple[dict[int, Check], str]:
    """The checks in column order, and the ``CASE`` yielding the code of the first failed one
    (the cell length limit first: an overlong value is not looked at further)."""
    col = {field: f"c{i}" for field, i in index.items()}
    checks: dict[int, Check] = {}
    whens: list[str] = []
    if max_cell_chars is not None:
        for position in sorted(set(index.values())):
            code = len(checks) + 1
            checks[code] = Check(
                code=code, column=names[position], reason=f"longer than {max_cell_chars} characters (the cell limit)",
                value_sql=f"left(c{position}, 100) || '…'",
            )  # fmt: skip
            whens.append(f"WHEN length(c{position}) > {max_cell_chars} THEN {code}")
    fields: list[tuple[int, str, list[tuple[str, str]]]] = [
        (index["invoice_no"], "invoice_no", [("invoice_no IS NULL", "empty invoice number")]),
        (
            index["invoice_date"],
            "invoice_date",
            [
                (f"invoice_date IS NULL AND coalesce(trim({col['invoice_date']}), '') = ''", "empty date"),
                ("invoice_date IS NULL", f"not a date in formats [{', '.join(formats)}]"),
            ],
        ),
        (index["quantity"], "quantity", _number_checks("quantity", "quantity", required=True)),
        (index["unit_price"], "unit_price", _number_checks("unit_price", "unit price", required=True)),
    ]
    if "unit_cost" in index:
        fields.append((index["unit_cost"], "unit_cost", _number_checks("unit_cost", "unit cost", required=False)))
    if "currency" in index:
        fields.append(
            (
                index["currency"],
                "currency",
                [
                    (
                        "currency_code IS NOT NULL AND NOT regexp_full_match(currency_code, '[A-Z]{3}')",
                        "not a currency code like EUR",
                    )
                ],
            )
        )
    # names and free texts: no control or text-direction character (kampass.core.text_safety)
    for field in ("invoice_no", "stock_code", "description", "customer_id", "country"):
        if field in index:
            pattern = quote_literal(forbidden_pattern(multiline=field == "description"))
            fields.append(
                (
                    index[field],
                    field,
                    [
                        (
                            f"regexp_matches({col[field]}, {pattern})",
                            "holds a control or text-direction character",
                        )
                    ],
                )
            )
    fields.sort(key=lambda f: f[0])
    for position, field, conditions in fields:
        for condition, reason in conditions:
            code = len(checks) + 1
            checks[code] = Check(code=code, column=names[position], reason=reason, value_sql=col[field])
            whens.append(f"WHEN {condition} THEN {code}")
    amount_column = f"{names[index['quantity']]} x {names[index['unit_price']]}"
    amount_value = f"concat_ws(' x ', {col['quantity']}, {col['unit_price']})"
    for condition, reason in (
        ("amount IS NULL", f"amount out of range for {DECIMAL}"),
        (inexact_amount, "amount has more than 4 decimal places"),
    ):
        code = len(checks) + 1
        checks[code] = Check(code=code, column=amount_column, reason=reason, value_sql=amount_value)
        whens.append(f"WHEN {condition} THEN {code}")
    return checks, "CASE " + " ".join(whens) + " END"
