"""The built-in catalogues loaded by the data migration."""

from __future__ import annotations

from kampass.organisation.models import Competence, CompetenceTarget, FunctionRole, ProcessActivity
from kampass.organisation.seed import ACTIVITIES, COMPETENCES, ROLES, seed_current


def test_seeding_is_complete_in_both_languages_and_idempotent(db):
    # given: the migration seeded (or a flush emptied) the tables; seed to be sure
    seed_current()
    # when seeding again
    assert seed_current() == 0
    # then
    assert set(ProcessActivity.objects.values_list("key", flat=True)) >= {a[0] for a in ACTIVITIES}
    assert set(FunctionRole.objects.values_list("key", flat=True)) >= {r[0] for r in ROLES}
    assert set(Competence.objects.values_list("key", flat=True)) >= {c[0] for c in COMPETENCES}
    for model in (ProcessActivity, FunctionRole, Competence):
        assert not model.objects.filter(name_de="").exists()
    assert CompetenceTarget.objects.filter(role="kam", user__isnull=True).count() == len(COMPETENCES)


def test_edited_entries_survive_a_new_seed(db):
    seed_current()
    ProcessActivity.objects.filter(key="escalation").update(name_en="Escalation to the board")
    seed_current()
    assert ProcessActivity.objects.get(key="escalation").name_en == "Escalation to the board"


def test_names_follow_the_language():
    from django.utils import translation

    activity = ProcessActivity(key="x", name_en="Account review", name_de="Account-Review im Team")
    with translation.override("de"):
        assert activity.label == "Account-Review im Team"
    with translation.override("en"):
        assert activity.label == "Account review"
    assert ProcessActivity(key="y", name_en="Only English").label == "Only English"
