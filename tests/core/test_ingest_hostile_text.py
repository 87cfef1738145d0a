"""Hostile texts in a transactions file: control and text-direction characters reject the line (with the
reason), and the rejects CSV never hands a spreadsheet a formula."""

from __future__ import annotations

import csv

from kampass.core.analytics.ingest import import_file

LINE = "536365,85123A,{description},6,2010-12-01 08:26:00,2.55,{customer},United Kingdom"


def test_control_and_text_direction_characters_reject_the_line(retail_csv, store):
    # given
    path = retail_csv(
        LINE.format(description="HEART", customer="17850.0"),
        LINE.format(description="HE\x00ART", customer="17850.0"),
        LINE.format(description="HEART", customer="178\u202e50"),
        LINE.format(description='"two\nlines\tand a tab"', customer="17850.0"),
    )
    # when
    result = import_file(store=store, path=path, mapping="online-retail")
    # then
    assert [(r.row, r.column, r.value, r.reason) for r in result.rejects] == [
        (3, "Description", "HE\x00ART", "holds a control or text-direction character"),
        (4, "CustomerID", "178\u202e50", "holds a control or text-direction character"),
    ]
    assert result.lines == 2  # a description is a free text: line breaks and tabs are fine


def test_rejects_csv_neutralises_formulas(retail_csv, store, tmp_path):
    # given rejected lines whose raw values a spreadsheet would run
    path = retail_csv(
        '536365,85123A,HEART,"=HYPERLINK(""http://x"",""y"")",2010-12-01 08:26:00,2.55,17850.0,UK',
        "536366,85123A,HEART,+cmd,2010-12-01 08:26:00,2.55,17850.0,UK",
        "536367,85123A,HEART,6,@SUM(1),2.55,17850.0,UK",
        "536368,85123A,HEART,-1+2,2010-12-01 08:26:00,2.55,17850.0,UK",
        "536369,85123A,HEART,-3.123456,2010-12-01 08:26:00,2.55,17850.0,UK",  # a negative number stays one
    )
    result = import_file(store=store, path=path, mapping="online-retail")
    out = tmp_path / "rejects.csv"
    # when
    result.write_rejects_csv(out)
    # then
    with out.open(newline="", encoding="utf-8") as fh:
        values = [row["value"] for row in csv.DictReader(fh)]
    assert values == ['\'=HYPERLINK("http://x","y")', "'+cmd", "'@SUM(1)", "'-1+2", "-3.123456"]
