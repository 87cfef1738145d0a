"""The one date parser of every importer (kampass.core.dates): the day/month order of a column is
decided from all its values; undecidable columns are refused; ISO and REST timestamps need no order."""

from __future__ import annotations

from datetime import UTC, date, timedelta, timezone

import pytest

from kampass.core.dates import UndecidableDateOrder, date_order_evidence, decide_date_order, parse_date


@pytest.mark.parametrize(
    ("values", "order"),
    [
        (["03/04/2024", "12/25/2024"], "mdy"),  # US: one value proves it for the column
        (["03/04/2024", "25/12/2024"], "dmy"),  # European
        (["2/26/2018 19:58", "5/8/2018 20:17"], "mdy"),  # olist won_date style, with a time
        (["2024-01-02", "2013-12-20T04:13:07.000+0000", ""], ""),  # ISO needs no order
        (["03-04-2024", "13-04-2024"], "dmy"),  # dashes like slashes
    ],
)
def test_the_order_is_decided_from_all_values_of_the_column(values, order):
    assert decide_date_order(values, file="f.csv", column="d")[0] == order


@pytest.mark.parametrize(
    ("values", "detail"),
    [
        (["03/04/2024", "05/06/2024"], "every value fits both day/month and month/day (e.g. 03/04/2024, 05/06/2024)"),
        (["13/01/2024", "01/13/2024"], "some values are day first (13/01/2024), others month first (01/13/2024)"),
    ],
)
def test_an_undecidable_column_is_refused_naming_file_column_and_values(values, detail):
    with pytest.raises(UndecidableDateOrder) as refused:
        decide_date_order(values, file="f.csv", column="CloseDate")
    assert str(refused.value) == f"f.csv, column CloseDate: {detail}"


def test_the_users_answer_decides_an_undecidable_column():
    assert decide_date_order(["03/04/2024"], file="f.csv", column="d", given="dmy")[0] == "dmy"
    with pytest.raises(ValueError, match="date order must be one of dmy, mdy"):
        decide_date_order(["03/04/2024"], file="f.csv", column="d", given="ymd")


def test_evidence_counts_every_value_but_keeps_few_samples():
    evidence = date_order_evidence([f"{m}/13/2024" for m in range(1, 13)])
    assert (evidence.mdy_count, len(evidence.mdy), evidence.order) == (12, 5, "mdy")


@pytest.mark.parametrize(
    ("value", "order", "expected"),
    [
        ("2013-12-20T04:13:07.000+0000", "", date(2013, 12, 20)),  # Salesforce REST
        ("2013-12-20T04:13:07Z", "", date(2013, 12, 20)),
        ("2013-12-20T04:13:07.123456789+01:00", "", date(2013, 12, 20)),
        ("2013-12-20 04:13:07", "", date(2013, 12, 20)),
        ("20.12.2013", "", date(2013, 12, 20)),
        ("20.12.13", "", date(2013, 12, 20)),
        ("12/20/2013", "mdy", date(2013, 12, 20)),
        ("20/12/2013", "dmy", date(2013, 12, 20)),
        ("03/04/2013", "mdy", date(2013, 3, 4)),
        ("03/04/2013", "dmy", date(2013, 4, 3)),
        ("03/04/2013", "", None),  # never guessed
        ("20/12/2013", "mdy", None),  # not a date in the column's order
        ("31.02.2030", "", None),
        ("soon", "dmy", None),
    ],
)
def test_parse_date(value, order, expected):
    assert parse_date(value, order) == expected


def test_zoned_timestamps_take_the_day_in_the_given_zone():
    berlin_winter = timezone(timedelta(hours=1))
    assert parse_date("2013-12-20T23:30:00.000+0000", tz=berlin_winter) == date(2013, 12, 21)
    assert parse_date("2013-12-20T23:30:00.000+0000", tz=UTC) == date(2013, 12, 20)
