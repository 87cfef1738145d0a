"""The row checks of the opportunity import, one step at a time: every bad cell of a row is reported
in column order, a row the flags call open needs an open stage when the flags win, and the age of a
row gives its opening date when the file has no creation date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kampass.accounts.tests.factories import AccountFactory
from kampass.pipeline.importing import import_opportunities
from kampass.pipeline.models import Opportunity

pytestmark = pytest.mark.django_db

HEADER = "Id,Name,AccountId,Amount,CloseDate,CreatedDate,Age,StageName,IsClosed,IsWon,Probability\n"


def write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "rows.csv"
    path.write_text(HEADER + "".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_every_bad_cell_of_a_row_is_reported_in_column_order(admin_user, tmp_path):
    # given: one row with everything wrong, and a second row repeating the first id
    path = write(
        tmp_path,
        "O1,,A1,-5,someday,yesterday,,Dreaming,maybe,perhaps,120",
        "O1,Again,,10,2030-01-31,2029-01-01,,Qualification,false,false,",
    )
    # when
    result = import_opportunities(actor=admin_user, path=path, mapping="generic")
    # then: the first row's cells in order; the second row is a duplicate only if the first was accepted
    assert [(r.row, r.column, r.reason.split(" (")[0]) for r in result.rejects] == [
        (2, "Name", "empty"),
        (2, "Amount", "negative"),
        (2, "StageName", "unknown stage"),
        (2, "IsClosed", "not true or false"),
        (2, "IsWon", "not true or false"),
        (3, "AccountId", "empty"),
    ]  # fmt: skip
    assert result.rejected_rows == 2  # rows, not reasons
    # bad optional values are left empty with a warning each
    assert [(w.row, w.column, w.value) for w in result.warnings] == [
        (2, "CloseDate", "someday"),
        (2, "CreatedDate", "yesterday"),
        (2, "Probability", "120"),
    ]
    assert not Opportunity.objects.exists()


def test_flags_that_say_open_need_an_open_stage_when_they_win(admin_user, tmp_path):
    # given: a won stage the flags call open, without an open stage column
    AccountFactory(external_id="A1")
    path = write(tmp_path, "O1,Retrofit,A1,100,2030-01-31,2029-01-01,,Closed Won,false,false,40")
    # when: the stage wins, then the flags win
    by_stage = import_opportunities(actor=admin_user, path=path, mapping="generic", prefer="stage", dry_run=True)
    by_flags = import_opportunities(actor=admin_user, path=path, mapping="generic", prefer="flags")
    # then
    assert len(by_stage.contradictions) == 1
    assert not by_stage.rejects
    assert [(r.column, r.reason) for r in by_flags.rejects] == [
        ("StageName", "the flags say open but the stage is closed and no open stage is given")
    ]
    assert not Opportunity.objects.exists()


def test_the_age_gives_the_opening_date(admin_user, tmp_path):
    # given: a closed row with an age and no creation date
    AccountFactory(external_id="A1")
    path = write(tmp_path, "O1,Retrofit,A1,100,2029-03-31,,30,Closed Lost,true,false,0")
    # when
    result = import_opportunities(actor=admin_user, path=path, mapping="generic")
    # then
    assert result.committed
    o = Opportunity.objects.get()
    assert o.created_on == dt.date(2029, 3, 1)
    assert o.owner_probability is None  # closed rows carry no owner's estimate
    assert o.forecast_category == "omitted"


def test_a_file_over_the_import_limits_is_refused_before_it_is_read(admin_user, tmp_path, settings):
    from kampass.pipeline.importing import OpportunityImportError

    path = write(tmp_path, "O1,Deal,A1,10,2030-01-31,2029-01-01,,Qualification,false,false,")
    settings.KAMPASS_IMPORT_MAX_COLUMNS = 5
    with pytest.raises(OpportunityImportError, match=r"has 11 columns; the limit is 5 columns \(KAMPASS_IMPORT_MAX_"):
        import_opportunities(actor=admin_user, path=path, mapping="generic")
    settings.KAMPASS_IMPORT_MAX_COLUMNS = 500
    settings.KAMPASS_IMPORT_MAX_FILE_MB = 100 / (1 << 20)
    with pytest.raises(OpportunityImportError, match="KAMPASS_IMPORT_MAX_FILE_MB"):
        import_opportunities(actor=admin_user, path=path, mapping="generic")
    assert not Opportunity.objects.exists()
