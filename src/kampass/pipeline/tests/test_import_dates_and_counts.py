"""The opportunity import with messy real-world files: US and European dates decided per column,
undecidable columns refused with a question, Salesforce REST timestamps, snake_case headers, bad
optional values, reject counts by row, a dry run that checks what the real run checks, and no
invented opened dates (issue 10, items 1, 3 and 4)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from kampass.accounts.models import Account
from kampass.accounts.tests.factories import AccountFactory
from kampass.pipeline.importing import OpportunityImportError, import_opportunities
from kampass.pipeline.models import Opportunity

pytestmark = pytest.mark.django_db

HEADER = "Id,Name,AccountId,Amount,CloseDate,CreatedDate,StageName\n"


def write(tmp_path: Path, *lines: str, header: str = HEADER, name: str = "deals.csv") -> Path:
    path = tmp_path / name
    path.write_text(header + "".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def close_dates() -> dict[str, dt.date | None]:
    return dict(Opportunity.objects.values_list("external_id", "expected_close_date"))


# --- item 1: one date parser, the order decided per column from all its values ---------------------


def test_us_dates_are_read_month_first_when_one_value_proves_it(admin_user, tmp_path):
    # given: US dates; only the last close date (12/25) proves the order, the others fit both
    AccountFactory(external_id="A1")
    path = write(
        tmp_path,
        "O1,Retrofit,A1,100,03/04/2029,01/02/2029,Qualification",
        "O2,Service,A1,200,11/05/2029,01/13/2029,Closed Won",
        "O3,Spares,A1,300,12/25/2029,02/01/2029,Closed Lost",
    )
    # when
    result = import_opportunities(actor=admin_user, path=path, mapping="generic")
    # then: every date month first, none swapped
    assert close_dates() == {"O1": dt.date(2029, 3, 4), "O2": dt.date(2029, 11, 5), "O3": dt.date(2029, 12, 25)}
    assert result.date_orders == {"CloseDate": "mdy", "CreatedDate": "mdy"}
    assert dict(Opportunity.objects.values_list("external_id", "created_on")) == {
        "O1": dt.date(2029, 1, 2), "O2": dt.date(2029, 1, 13), "O3": dt.date(2029, 2, 1),
    }  # fmt: skip
    # a closed deal's final amount and close day
    won = Opportunity.objects.get(external_id="O2")
    assert (won.outcome, won.amount, won.closed_on) == ("won", Decimal("200.00"), dt.date(2029, 11, 5))


def test_european_dates_are_read_day_first(admin_user, tmp_path):
    AccountFactory(external_id="A1")
    path = write(
        tmp_path,
        "O1,Retrofit,A1,100,03/04/2029,01/02/2029,Qualification",
        "O2,Service,A1,200,25/12/2029,13/01/2029,Closed Won",
        "O3,Spares,A1,300,1.2.2029,2029-01-05,Closed Lost",
    )
    result = import_opportunities(actor=admin_user, path=path, mapping="generic")
    assert close_dates() == {"O1": dt.date(2029, 4, 3), "O2": dt.date(2029, 12, 25), "O3": dt.date(2029, 2, 1)}
    assert result.date_orders == {"CloseDate": "dmy", "CreatedDate": "dmy"}


def test_an_undecidable_column_is_refused_with_a_question_that_the_option_or_the_mapping_answers(admin_user, tmp_path):
    # given: close dates that fit both orders
    AccountFactory(external_id="A1")
    path = write(
        tmp_path,
        "O1,Retrofit,A1,100,03/04/2029,2029-01-02,Qualification",
        "O2,Service,A1,200,05/06/2029,2029-01-02,Qualification",
    )
    # when / then: refused, naming file, column and values, and how to answer; nothing written
    with pytest.raises(OpportunityImportError) as refused:
        import_opportunities(actor=admin_user, path=path, mapping="generic")
    message = str(refused.value)
    assert "deals.csv, column CloseDate" in message
    assert "03/04/2029, 05/06/2029" in message
    assert "--date-order" in message
    assert "date_order" in message
    assert not Opportunity.objects.exists()
    # the option answers it
    import_opportunities(actor=admin_user, path=path, mapping="generic", date_order="mdy", dry_run=True)
    import_opportunities(actor=admin_user, path=path, mapping="generic", date_order="dmy")
    assert close_dates() == {"O1": dt.date(2029, 4, 3), "O2": dt.date(2029, 6, 5)}
    # so does the mapping
    mapping = tmp_path / "us.yaml"
    mapping.write_text(
        "name: us\nsource: us\ndate_order: mdy\ncolumns:\n  external_id: Id\n  name: Name\n  account_id: AccountId\n"
        "  amount: Amount\n  stage: StageName\n  close_date: CloseDate\n  created_date: CreatedDate\n",
        encoding="utf-8",
    )
    import_opportunities(actor=admin_user, path=path, mapping=mapping)
    assert dict(Opportunity.objects.filter(source="us").values_list("external_id", "expected_close_date")) == {
        "O1": dt.date(2029, 3, 4), "O2": dt.date(2029, 5, 6),
    }  # fmt: skip


def test_a_column_with_evidence_for_both_orders_is_refused(admin_user, tmp_path):
    AccountFactory(external_id="A1")
    path = write(
        tmp_path,
        "O1,Retrofit,A1,100,25/04/2029,2029-01-02,Qualification",
        "O2,Service,A1,200,04/25/2029,2029-01-02,Qualification",
    )
    with pytest.raises(
        OpportunityImportError,
        match=r"column CloseDate: is it day/month or month/day\? some values are day first \(25/04/2029\)",
    ):
        import_opportunities(actor=admin_user, path=path, mapping="generic")


def test_the_command_takes_the_date_order_and_names_it(admin_user, tmp_path):
    AccountFactory(external_id="A1")
    path = write(tmp_path, "O1,Retrofit,A1,100,03/04/2029,2029-01-02,Qualification")
    out = StringIO()
    call_command(
        "import", "opportunities", str(path), "--mapping", "generic", "--date-order", "mdy", "--dry-run", stdout=out
    )
    assert "Dates in column CloseDate read as month/day/year." in out.getvalue()
    assert "it would create 1, update 0, leave 0 unchanged and reject 0" in out.getvalue()


# --- item 4: REST timestamps, bad optional values, header names ------------------------------------


def test_salesforce_rest_timestamps_are_read(admin_user, tmp_path):
    AccountFactory(external_id="001A")
    header = "Id,Name,AccountId,Amount,CloseDate,CreatedDate,StageName,IsClosed,IsWon\n"
    path = write(
        tmp_path,
        "006A,Retrofit,001A,1000,2013-12-20T04:13:07.000+0000,2013-10-01T23:59:59.000+0000,Closed Won,true,true",
        "006B,Spares,001A,50,2014-01-31,2013-11-30T12:00:00Z,Prospecting,false,false",
        header=header,
    )
    result = import_opportunities(actor=admin_user, path=path, mapping="salesforce")
    assert (result.created, result.rejects, result.warnings) == (2, [], [])
    won = Opportunity.objects.get(external_id="006A")
    # a zoned timestamp's day is the day in kampass's time zone (late UTC evening: the next day in Berlin)
    opened = dt.datetime(2013, 10, 1, 23, 59, 59, tzinfo=dt.UTC).astimezone(timezone.get_current_timezone()).date()
    assert (won.expected_close_date, won.closed_on, won.created_on) == (
        dt.date(2013, 12, 20), dt.date(2013, 12, 20), opened,
    )  # fmt: skip
    assert Opportunity.objects.get(external_id="006B").created_on == dt.date(2013, 11, 30)


def test_a_bad_optional_value_is_left_empty_with_a_warning_and_the_row_is_imported(admin_user, tmp_path):
    AccountFactory(external_id="A1")
    header = "Id,Name,AccountId,Amount,CloseDate,CreatedDate,StageName,Probability\n"
    path = write(tmp_path, "O1,Retrofit,A1,100,soon,2029-01-02,Qualification,lots", header=header)
    result = import_opportunities(actor=admin_user, path=path, mapping="generic")
    assert result.created == 1
    assert not result.rejects
    assert [(w.row, w.column, w.value) for w in result.warnings] == [
        (2, "CloseDate", "soon"),
        (2, "Probability", "lots"),
    ]
    o = Opportunity.objects.get()
    assert (o.expected_close_date, o.owner_probability) == (None, None)


def test_headers_match_ignoring_case_spaces_and_underscores(admin_user, tmp_path):
    AccountFactory(external_id="A1")
    header = "opportunity_id,deal_name,ACCOUNT_ID,deal_value,close_date,created_date,deal_stage\n"
    path = write(tmp_path, "O1,Retrofit,A1,100,2029-03-04,2029-01-02,Qualification", header=header)
    result = import_opportunities(actor=admin_user, path=path, mapping="generic")
    assert result.created == 1
    o = Opportunity.objects.get()
    assert (o.external_id, o.name, o.amount, o.stage.name, o.expected_close_date) == (
        "O1", "Retrofit", Decimal("100.00"), "Qualification", dt.date(2029, 3, 4),
    )  # fmt: skip


# --- item 3: counts by row, the dry run checks links, no invented opened dates ---------------------


def test_a_row_with_four_problems_is_one_rejected_row_with_four_reasons(admin_user, tmp_path):
    AccountFactory(external_id="A1")
    path = write(
        tmp_path, "O1,,,-5,2029-03-04,2029-01-02,Dreaming", "O2,Fine,A1,10,2029-03-04,2029-01-02,Qualification"
    )
    out = StringIO()
    call_command("import", "opportunities", str(path), "--mapping", "generic", "--json", stdout=out)
    outcome = json.loads(out.getvalue())
    assert (outcome["rejected"], outcome["created"]) == (1, 1)  # rows, not reasons
    assert outcome["reject_reasons"] == 4
    result = import_opportunities(actor=admin_user, path=path, mapping="generic")
    assert (result.rejected_rows, len(result.rejects), result.unchanged) == (1, 4, 1)
    out = StringIO()
    call_command("import", "opportunities", str(path), "--mapping", "generic", stdout=out)
    assert "1 rows rejected, 4 reasons" in out.getvalue()


def test_the_dry_run_rejects_what_the_real_run_rejects_and_says_what_it_would_write(admin_user, tmp_path):
    # given: one account that exists, one that does not, and one opportunity already imported
    AccountFactory(external_id="A1")
    first = write(tmp_path, "O1,Retrofit,A1,100,2029-03-04,2029-01-02,Qualification", name="first.csv")
    import_opportunities(actor=admin_user, path=first, mapping="generic")
    path = write(
        tmp_path,
        "O1,Retrofit,A1,150,2029-03-04,2029-01-02,Qualification",
        "O2,Service,A1,200,2029-05-06,2029-01-02,Qualification",
        "O3,Orphan,A9,300,2029-05-06,2029-01-02,Qualification",
    )
    # when
    dry = import_opportunities(actor=admin_user, path=path, mapping="generic", dry_run=True)
    assert Opportunity.objects.get(external_id="O1").amount == Decimal("100.00")  # nothing written
    assert not Opportunity.objects.filter(external_id="O2").exists()
    real = import_opportunities(actor=admin_user, path=path, mapping="generic")
    # then: the same figures and the same rejects
    assert (dry.created, dry.updated, dry.unchanged, dry.rejected_rows) == (1, 1, 0, 1)
    assert (real.created, real.updated, real.unchanged, real.rejected_rows) == (1, 1, 0, 1)
    assert dry.rejects == real.rejects
    assert (dry.rejects[0].row, dry.rejects[0].column, dry.rejects[0].value) == (4, "AccountId", "A9")


def test_the_dry_run_counts_the_accounts_it_would_create_and_creates_none(admin_user, tmp_path):
    path = write(
        tmp_path,
        "O1,Retrofit,A1,100,2029-03-04,2029-01-02,Qualification",
        "O2,Service,A2,200,2029-05-06,2029-01-02,Qualification",
    )
    out = StringIO()
    call_command("import", "opportunities", str(path), "--mapping", "generic", "--link", "create", "--dry-run",
                 stdout=out)  # fmt: skip
    assert "it would create 2, update 0, leave 0 unchanged and reject 0" in out.getvalue()
    assert "2 accounts would be created." in out.getvalue()
    assert not Account.objects.exists()
    assert not Opportunity.objects.exists()


def test_a_row_without_an_opened_date_is_rejected_not_dated_today(admin_user, tmp_path):
    AccountFactory(external_id="A1")
    path = write(
        tmp_path,
        "O1,Retrofit,A1,100,2029-03-04,,Qualification",
        "O2,Service,A1,200,2029-05-06,2029-01-02,Qualification",
    )
    result = import_opportunities(actor=admin_user, path=path, mapping="generic")
    assert result.created == 1
    assert [(r.row, r.column, r.reason) for r in result.rejects] == [
        (2, "CreatedDate", "no opened date (neither a created date nor an age); kampass does not invent one")
    ]
    assert list(Opportunity.objects.values_list("external_id", flat=True)) == ["O2"]


def test_the_age_of_a_deal_the_stage_closes_counts_back_from_its_close_not_from_today(admin_user, tmp_path):
    # given Salesforce rows without a created date, two of them closed by their stage while the flags say open
    # (the sample export has 868 such rows): the age of a closed deal runs from its creation to its close
    AccountFactory(external_id="A1")
    header = "Id,Name,AccountId,Amount,CloseDate,OpportunityAge,StageName,IsClosed,IsWon\n"
    path = write(
        tmp_path,
        "O1,Won by stage,A1,100,2019-04-05,139,Closed Won,false,false",
        "O2,Lost by stage,A1,100,2019-03-15,20,Closed Lost,false,false",
        "O3,Lost,A1,100,2018-10-25,25,Closed Lost,true,false",
        "O4,Open,A1,100,2030-01-31,10,Prospecting,false,false",
        header=header,
    )
    # when the stage decides
    result = import_opportunities(actor=admin_user, path=path, prefer="stage")
    # then the closed deals are opened their age before they closed, the open one its age before today
    assert result.committed
    opened = dict(Opportunity.objects.values_list("external_id", "created_on"))
    assert opened == {
        "O1": dt.date(2019, 4, 5) - dt.timedelta(days=139),
        "O2": dt.date(2019, 3, 15) - dt.timedelta(days=20),
        "O3": dt.date(2018, 10, 25) - dt.timedelta(days=25),
        "O4": timezone.localdate() - dt.timedelta(days=10),
    }
    # and no deal is opened after it closed
    assert all(
        o.closed_on is not None and o.created_on <= o.closed_on for o in Opportunity.objects.exclude(closed_on=None)
    )


def test_the_question_is_asked_in_german(admin_user, tmp_path):
    from django.utils import translation

    path = write(tmp_path, "O1,Retrofit,A1,100,03/04/2029,2029-01-02,Qualification")
    with translation.override("de"), pytest.raises(OpportunityImportError) as refused:
        import_opportunities(actor=admin_user, path=path, mapping="generic")
    assert str(refused.value) == (
        "deals.csv, Spalte CloseDate: Tag/Monat oder Monat/Tag? jeder Wert passt zu Tag/Monat und zu Monat/Tag "
        "(z. B. 03/04/2029). Geben Sie es mit --date-order dmy oder --date-order mdy an (oder mit date_order: in der "
        "Zuordnung)."
    )


def test_a_closed_deal_without_a_close_date_is_rejected_not_closed_today(admin_user, tmp_path):
    # given: a won and a lost deal without a close date, and an open one without one (allowed)
    AccountFactory(external_id="A1")
    path = write(
        tmp_path,
        "O1,Retrofit,A1,100,,2029-01-02,Closed Won",
        "O2,Service,A1,200,,2029-01-02,Closed Lost",
        "O3,Spares,A1,300,,2029-01-02,Qualification",
        "O4,Pumps,A1,400,2029-03-04,2029-01-02,Closed Won",
    )
    # when
    result = import_opportunities(actor=admin_user, path=path, mapping="generic")
    # then: the closed rows without a date are rejected, naming file, row and column; nothing is dated today
    reason = "a closed deal (won or lost) without a close date; kampass does not invent one"
    assert [(r.file, r.row, r.column, r.reason) for r in result.rejects] == [
        ("deals.csv", 2, "CloseDate", reason),
        ("deals.csv", 3, "CloseDate", reason),
    ]
    assert dict(Opportunity.objects.values_list("external_id", "closed_on")) == {"O3": None, "O4": dt.date(2029, 3, 4)}


def test_a_closed_deal_without_a_close_date_takes_its_last_stage_change_with_a_warning(admin_user, tmp_path):
    # given: the mapping's last-stage-change column (US dates, decided by 12/20) dates a won deal without close date
    AccountFactory(external_id="A1")
    path = write(
        tmp_path,
        "O1,Retrofit,A1,100,,2029-01-02,Closed Won,03/04/2029",
        "O2,Service,A1,200,,2029-01-02,Closed Lost,",
        "O3,Spares,A1,300,2029-02-01,2029-01-02,Closed Won,12/20/2029",
        header=HEADER.rstrip("\n") + ",LastStageChangeDate\n",
    )
    # when
    result = import_opportunities(actor=admin_user, path=path, mapping="generic")
    # then: O1 is closed on its last stage change (month first), with a warning; O2 has neither date
    assert dict(Opportunity.objects.values_list("external_id", "closed_on")) == {
        "O1": dt.date(2029, 3, 4), "O3": dt.date(2029, 2, 1),
    }  # fmt: skip
    assert [(w.row, w.column, w.reason) for w in result.warnings] == [
        (2, "CloseDate", "a closed deal without a close date: the date of its last stage change (2029-03-04) is taken")
    ]
    assert [(r.row, r.column) for r in result.rejects] == [(3, "CloseDate")]
