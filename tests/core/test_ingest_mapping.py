"""Mappings: loading, validation errors that name file and key, and the classification rules."""

from __future__ import annotations

import pytest

from kampass.core.analytics.ingest import MappingError, import_file, load_mapping
from kampass.core.profitability import CATEGORY_KEYS

MINIMAL = """\
name: mine
columns:
  invoice_no: No
  invoice_date: Date
  quantity: Qty
  unit_price: Price
default_currency: EUR
date_formats: ["%Y-%m-%d"]
"""


def write(tmp_path, text: str, name: str = "mine.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ["online-retail", "generic"])
def test_built_in_mappings_load(name):
    # when
    mapping = load_mapping(name)

    # then
    assert mapping.name == name
    assert mapping.rules
    assert {r.category for r in mapping.rules} <= CATEGORY_KEYS
    assert mapping.candidates("invoice_no")


def test_online_retail_rules_are_in_the_documented_order():
    # when
    rules = load_mapping("online-retail").rules

    # then: special codes first, then C invoices, then other negative quantities
    assert [r.category for r in rules] == [
        "freight",
        "fees",
        "discounts",
        "free_services_samples",
        "manual",
        "bad_debt",
        "discounts",
        "goods",
        "goods",
        "returns",
        "write_offs",
    ]
    assert rules[0].stock_code_in == ("POST", "DOT", "C2")
    assert rules[-2].invoice_prefix == ("C",)
    assert rules[-1].quantity_negative is True


def test_user_mapping_file_loads(tmp_path):
    # given
    path = write(tmp_path, MINIMAL + "categories:\n  rules:\n    - {category: returns, quantity_negative: true}\n")

    # when
    mapping = load_mapping(path)

    # then
    assert (mapping.name, mapping.default_currency, mapping.date_formats) == ("mine", "EUR", ("%Y-%m-%d",))
    assert mapping.rules[0].category == "returns"
    assert mapping.source == str(path)
    assert mapping.candidates("invoice_no") == ("No",)  # not YAML 1.1's boolean false


def test_unknown_category_names_file_and_key(tmp_path):
    # given
    path = write(tmp_path, MINIMAL + "categories:\n  rules:\n    - {category: frieght, stock_code_in: [POST]}\n")

    # when
    with pytest.raises(MappingError) as caught:
        load_mapping(path)

    # then
    assert caught.value.file == str(path)
    assert caught.value.key == "categories.rules[0].category"
    assert str(path) in str(caught.value)
    assert "categories.rules[0].category" in str(caught.value)
    assert "unknown category 'frieght'" in str(caught.value)


def test_unknown_condition_key_names_file_and_key(tmp_path):
    # given
    path = write(
        tmp_path,
        MINIMAL
        + "categories:\n  rules:\n    - {category: freight, stock_code_in: [POST]}\n"
        + "    - {category: fees, stock_code_is: [FEE]}\n",
    )

    # when
    with pytest.raises(MappingError) as caught:
        load_mapping(path)

    # then
    assert caught.value.key == "categories.rules[1].stock_code_is"
    assert str(path) in str(caught.value)
    assert "unknown condition" in caught.value.problem


def test_missing_required_column_in_the_mapping_names_file_and_key(tmp_path):
    # given
    path = write(tmp_path, MINIMAL.replace("  quantity: Qty\n", ""))

    # when
    with pytest.raises(MappingError) as caught:
        load_mapping(path)

    # then
    assert (caught.value.file, caught.value.key) == (str(path), "columns.quantity")
    assert "columns.quantity" in str(caught.value)


def test_missing_required_column_in_the_data_file_names_file_and_key(retail_csv, store):
    # given: a file without a Quantity column
    path = retail_csv(
        "536365,85123A,HEART,2010-12-01 08:26:00,2.55,17850.0,United Kingdom",
        header="InvoiceNo,StockCode,Description,InvoiceDate,UnitPrice,CustomerID,Country",
    )

    # when
    with pytest.raises(MappingError) as caught:
        import_file(store=store, path=path, mapping="online-retail")

    # then
    assert (caught.value.file, caught.value.key) == ("lines.csv", "columns.quantity")
    assert "Quantity" in caught.value.problem


@pytest.mark.parametrize(
    ("yaml_text", "key", "problem"),
    [
        ("columns: [a]\n", "columns", "missing or not a mapping"),
        (MINIMAL + "colour: blue\n", "colour", "unknown key"),
        (MINIMAL.replace("EUR", "euro"), "default_currency", "not an ISO 4217 code"),
        (MINIMAL.replace('["%Y-%m-%d"]', '["%H:%M"]'), "date_formats[0]", "needs a day"),
        (MINIMAL + "categories:\n  rules:\n    - {category: fees}\n", "categories.rules[0]", "at least one"),
        (
            MINIMAL + "categories:\n  rules:\n    - {category: fees, stock_code_regex: '(['}\n",
            "categories.rules[0].stock_code_regex",
            "not a valid regular expression",
        ),
        (
            MINIMAL + "categories:\n  rules:\n    - {category: fees, quantity_negative: yes please}\n",
            "categories.rules[0].quantity_negative",
            "true or false",
        ),
        (MINIMAL + "categories:\n  default: gifts\n", "categories.default", "unknown category"),
        (MINIMAL + "product_group: {otherwise: sku}\n", "product_group.otherwise", "not one of"),
        (MINIMAL + "optional_columns: [quantity]\n", "optional_columns", "required"),
        ("columns: {invoice_no: [a\n", "(file)", "not valid YAML"),
    ],
)
def test_malformed_mappings_are_rejected_with_the_key(tmp_path, yaml_text, key, problem):
    # given
    path = write(tmp_path, yaml_text)

    # when
    with pytest.raises(MappingError) as caught:
        load_mapping(path)

    # then
    assert caught.value.key == key
    assert problem in caught.value.problem
    assert caught.value.file == str(path)


def test_unknown_mapping_name_is_an_error():
    # when
    with pytest.raises(MappingError) as caught:
        load_mapping("no-such-mapping")

    # then
    assert caught.value.key == "(file)"
    assert "online-retail" in caught.value.problem


def test_generic_mapping_takes_the_first_column_present():
    # given: both an English and a German invoice number column
    mapping = load_mapping("generic")

    # when
    index = mapping.resolve(
        ["Rechnungsnummer", "InvoiceNo", "datum", "Menge", "Einzelpreis", "Währung"], file="export.csv"
    )

    # then: InvoiceNo comes first in the mapping's list; names match case-insensitively
    assert index == {"invoice_no": 1, "invoice_date": 2, "quantity": 3, "unit_price": 4, "currency": 5}


def test_rules_first_match_wins_and_special_codes_come_before_the_invoice_prefix(retail_csv, store):
    # given
    path = retail_csv(
        "C536379,POST,POSTAGE,-1,2010-12-01 09:41:00,27.50,14527.0,United Kingdom",
        "C536380,22633,HAND WARMER,-2,2010-12-01 09:41:00,1.85,14527.0,United Kingdom",
        "536381,22634,BROKEN,-5,2010-12-01 09:41:00,0,,United Kingdom",
        "C536382,M,Manual,-1,2010-12-01 09:41:00,10.00,14527.0,United Kingdom",
        "536383,m,manual,1,2010-12-01 09:41:00,2.55,14527.0,United Kingdom",
        "536384,gift_0001_20,voucher,1,2010-12-01 09:41:00,16.67,,United Kingdom",
        "C536385,DCGSSGIRL,channel,-1,2010-12-01 09:41:00,3.29,,United Kingdom",
        "536386,PADS,PADS TO MATCH ALL CUSHIONS,1,2010-12-01 09:41:00,0.001,,United Kingdom",
        "A563185,B,Adjust bad debt,1,2011-08-12 14:50:00,-11062.06,,United Kingdom",
        "C536387,AMAZONFEE,AMAZON FEE,-1,2010-12-01 09:41:00,5519.25,,United Kingdom",
        "536388,85123A,WHITE HANGING HEART,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom",
    )

    # when
    result = import_file(store=store, path=path, mapping="online-retail")

    # then
    rows = store.table("invoice_lines").order_by("source_row").to_pyarrow().to_pylist()
    assert result.rejects == []
    assert [(r["stock_code"], r["category"], r["product_group"]) for r in rows] == [
        ("POST", "freight", "POST"),
        ("22633", "returns", "226"),
        ("22634", "write_offs", "226"),
        ("M", "manual", "M"),
        ("m", "manual", "m"),
        ("gift_0001_20", "discounts", "gift_0001_20"),
        ("DCGSSGIRL", "goods", "DCGSSGIRL"),
        ("PADS", "goods", "PADS"),
        ("B", "bad_debt", "B"),
        ("AMAZONFEE", "fees", "AMAZONFEE"),
        ("85123A", "goods", "851"),
    ]
