"""A small, hand-countable organisation used by the selector, facade and API tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kampass.accounts.tests.factories import AccountFactory, TeamMemberFactory
from kampass.organisation.models import (
    Competence,
    CompetenceRating,
    CompetenceTarget,
    DevelopmentAction,
    FunctionRole,
    ProcessActivity,
    RaciAssignment,
)
from kampass.organisation.tests.factories import ActionFactory, ActivityFactory, CompetenceFactory, RoleFactory
from kampass.users.models import OrgUnit, Role, User


@dataclass
class Scenario:
    kam: User
    kam2: User
    kam3: User
    head: User
    activities: dict[str, ProcessActivity]
    roles: dict[str, FunctionRole]
    competences: dict[str, Competence]
    accounts: dict[str, Any]


def clear_catalogues() -> None:
    """Remove the seeded catalogues so that the figures below are all there is."""
    for model in (RaciAssignment, DevelopmentAction, CompetenceRating, CompetenceTarget):
        model.objects.all().delete()
    for catalogue in (ProcessActivity, FunctionRole, Competence):
        catalogue.objects.all().delete()


def build(*, kam: User, kam2: User, head: User) -> Scenario:
    """
    Accounts per KAM (team role kam): kam 3 (A1, A2, A3), kam2 1 (A4; on A2 only as sales),
    kam3 0, head 1 (A5, but role head). Function diagram: X ok, Y two Accountable and no
    Responsible, Z empty, W inactive and empty. Actions: 5 open (2 blocked), 1 done.
    Targets: kam role C1=4, C2=3; kam2 personal C2=5. Ratings: kam C1=2, C2=4; kam2 C1=4, C2=3;
    head C1=5 (no head target); kam C3=1 on an inactive competence with target 5.
    """
    clear_catalogues()
    kam3 = User.objects.create_user(username="kam3_t", password="pw-for-tests-1", role=Role.KAM)
    lead = OrgUnit.objects.create(name="Sales Switzerland", country="CH")
    accounts = {
        "A1": AccountFactory(name="A1", country="DE", kam_status="key_account"),
        "A2": AccountFactory(name="A2", country="DE", kam_status="strategic"),
        "A3": AccountFactory(name="A3", country="DE"),
        "A4": AccountFactory(name="A4", country="CH", lead_unit=lead, kam_status="key_account"),
        "A5": AccountFactory(name="A5", country="DE"),
    }
    accounts["A1-FR"] = AccountFactory(name="A1 France", country="FR", parent=accounts["A1"])
    accounts["A3-DE"] = AccountFactory(name="A3 Munich", country="DE", parent=accounts["A3"])
    accounts["A4-US"] = AccountFactory(name="A4 Inc", country="US", parent=accounts["A4"])
    for name in ("A1", "A2", "A3"):
        TeamMemberFactory(account=accounts[name], user=kam, role="kam")
    TeamMemberFactory(account=accounts["A4"], user=kam2, role="kam")
    TeamMemberFactory(account=accounts["A2"], user=kam2, role="sales")
    TeamMemberFactory(account=accounts["A5"], user=head, role="kam")

    activities = {k: ActivityFactory(key=k.lower(), name_en=f"Activity {k}") for k in ("X", "Y", "Z", "W")}
    ProcessActivity.objects.filter(pk=activities["W"].pk).update(active=False)
    roles = {k: RoleFactory(key=k.lower(), name_en=f"Role {k}") for k in ("P", "Q")}
    for a, r, code in (("X", "P", "A"), ("X", "Q", "R"), ("Y", "P", "A"), ("Y", "Q", "A")):
        RaciAssignment.objects.create(activity=activities[a], role=roles[r], code=code)

    competences = {k: CompetenceFactory(key=k.lower(), name_en=f"Competence {k}") for k in ("C1", "C2", "C3")}
    Competence.objects.filter(pk=competences["C3"].pk).update(active=False)
    CompetenceTarget.objects.create(competence=competences["C1"], role="kam", level=4)
    CompetenceTarget.objects.create(competence=competences["C2"], role="kam", level=3)
    CompetenceTarget.objects.create(competence=competences["C3"], role="kam", level=5)
    CompetenceTarget.objects.create(competence=competences["C2"], user=kam2, level=5)
    for person, c, level in (
        (kam, "C1", 2),
        (kam, "C2", 4),
        (kam2, "C1", 4),
        (kam2, "C2", 3),
        (head, "C1", 5),
        (kam, "C3", 1),
    ):
        CompetenceRating.objects.create(user=person, competence=competences[c], level=level)

    ActionFactory(person=kam, status="planned", blocked=True, blocked_cause="structure")
    ActionFactory(person=kam, status="in_progress")
    ActionFactory(person=kam2, status="in_progress", blocked=True, blocked_cause="resources")
    ActionFactory(person=kam2, status="planned")
    ActionFactory(person=head, status="planned", owner=kam)
    ActionFactory(person=kam, status="done")
    return Scenario(kam, kam2, kam3, head, activities, roles, competences, accounts)
