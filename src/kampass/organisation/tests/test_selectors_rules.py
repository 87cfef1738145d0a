"""The mean gap per competence of the people page, computed once in the selectors."""

from __future__ import annotations

import pytest

from kampass.organisation import selectors, services
from kampass.organisation.tests.factories import CompetenceFactory

pytestmark = pytest.mark.django_db


def test_mean_gap_per_competence_over_the_people_rated(head, kam, kam2):
    # given: a target of 4 for key account managers on two competences; kam rated 2 and 5 on the first
    # (gaps 2 and 0), nobody rated on the second
    rated = CompetenceFactory(name_en="Negotiation")
    unrated = CompetenceFactory(name_en="Finance")
    for c in (rated, unrated):
        services.target_set(actor=head, competence=c, level=4, role="kam")
    services.rating_set(actor=head, person=kam, competence=rated, level=2)
    services.rating_set(actor=head, person=kam2, competence=rated, level=5)
    # when
    rows = dict(selectors.mean_gap_per_competence(selectors.profiles([kam, kam2])))
    # then: (2 + 0) / 2; the competence without ratings is left out
    assert rows[rated.label] == 1.0
    assert unrated.label not in rows
    assert selectors.mean_gap_per_competence([]) == []
