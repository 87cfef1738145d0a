"""NUL, other control characters and text-direction overrides are refused in every name and free text:
on the models of every context, in forms (field error, in German too), in the API (422) and in imports
(a rejected row with the reason)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kampass.accounts.models import Account, Contact
from kampass.common.validators import text_errors
from kampass.organisation.models import Competence, FunctionRole, ProcessActivity
from kampass.pipeline.importing import import_opportunities
from kampass.pipeline.models import Opportunity, Risk
from kampass.roadmap.models import Initiative, Topic

pytestmark = pytest.mark.django_db

NUL, RLO = "\x00", "\u202e"


@pytest.mark.parametrize(
    ("model", "field", "value"),
    [
        (Account, "name", f"Acme{NUL}"),
        (Account, "legal_name", f"Acme {RLO}HGmb"),
        (Contact, "last_name", f"Mül{RLO}ler"),
        (Contact, "notes", f"first line\nsecond{NUL}"),
        (Opportunity, "name", f"Retrofit{RLO}"),
        (Opportunity, "description", "bell\x07"),
        (Risk, "title", f"Penalty{NUL}"),
        (Initiative, "title", "\u2066Pricing\u2069"),
        (Topic, "title", f"Topic{NUL}"),
        (Competence, "name_en", f"Story{RLO}telling"),
        (ProcessActivity, "name_de", "Angebot\x1b[31m"),
        (FunctionRole, "description_en", "Lead\x85"),
    ],
)
def test_models_of_every_context_refuse_the_character(model, field, value):
    # given an object with the character in a text field
    obj = model(**{field: value})
    # then: named on the field, and not saved
    assert set(text_errors(obj)) == {field}
    with pytest.raises(ValidationError) as refused:
        obj.save()
    assert set(refused.value.message_dict) == {field}
    assert "control or text-direction character" in refused.value.message_dict[field][0]


def test_free_texts_keep_line_breaks_and_tabs_names_do_not():
    assert text_errors(Contact(last_name="Zu", notes="line 1\r\n\tline 2")) == {}
    assert set(text_errors(Contact(last_name="Zu\tVon"))) == {"last_name"}


def test_account_form_shows_the_field_error_in_english_and_german(client, head):
    # given
    client.force_login(head)
    data = {"name": f"Evil{RLO}gpj.exe", "kam_status": "prospect", "currency": "EUR"}
    # when
    english = client.post(reverse("account-create"), data)
    head.language = "de"
    head.save()
    german = client.post(reverse("account-create"), data, HTTP_ACCEPT_LANGUAGE="de")
    # then
    assert english.status_code == german.status_code == 422
    assert "(U+202E RIGHT-TO-LEFT OVERRIDE)" in english.context["form"].errors["name"][0]
    assert "Steuer- oder Textrichtungszeichen (U+202E" in german.context["form"].errors["name"][0]
    assert not Account.objects.filter(name__startswith="Evil").exists()


def test_api_answers_422_naming_the_field(api, head):
    # when
    account = api(head, "post", "/accounts", {"name": f"Acme{NUL}"})
    competence = api(head, "post", "/organisation/competences", {"name_en": "Story", "name_de": f"Erz{RLO}"})
    good = api(head, "post", "/accounts", {"name": "Acme"}).json()
    patched = api(head, "patch", f"/accounts/{good['id']}", {"legal_name": f"Acme{RLO} AG"})
    # then
    for response, field in ((account, "name"), (competence, "name_de"), (patched, "legal_name")):
        assert response.status_code == 422, response.content
        detail = response.json()["detail"]
        assert any(field in d["loc"] and "control or text-direction" in d["msg"] for d in detail), detail
    assert Account.objects.get().legal_name == ""


def test_opportunity_import_rejects_the_row_with_the_reason(admin_user, tmp_path: Path):
    # given
    Account.objects.create(name="Acme", external_id="A1")
    path = tmp_path / "rows.csv"
    path.write_text(
        "Id,Name,AccountId,Amount,CloseDate,CreatedDate,StageName\n"
        f"O1,Retro{RLO}fit,A1,100,2030-01-31,2029-01-01,Qualification\n"
        "O2,Service,A1,200,2030-01-31,2029-01-01,Qualification\n",
        encoding="utf-8",
    )
    # when
    result = import_opportunities(actor=admin_user, path=path, mapping="generic")
    # then
    assert [(r.row, r.column, r.reason) for r in result.rejects] == [
        (2, "Name", "holds a control or text-direction character (U+202E RIGHT-TO-LEFT OVERRIDE)")
    ]
    assert list(Opportunity.objects.values_list("name", flat=True)) == ["Service"]
