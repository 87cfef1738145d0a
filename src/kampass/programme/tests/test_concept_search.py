"""The concept page and the global search's reference texts (``programme.facade.search_concept``): the
catalogue's entries found in the user's language, each linking to its place on the concept page."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation

from kampass.common.search import search
from kampass.programme.facade import search_concept


def test_the_concept_is_found_in_the_users_language_and_links_to_its_anchor(db, viewer):
    with translation.override("de"):
        hits = search_concept(user=viewer, q="realisierung", limit=8)
        innovation = search_concept(user=viewer, q="innovation", limit=1)

    assert hits, "the intro and the logics mention realisation"
    assert all(h.url.startswith("/programme/concept/#") for h in hits)
    assert (innovation[0].title, innovation[0].subtitle, innovation[0].url) == (
        "Innovation",
        "Realisierungslogik",
        "/programme/concept/#logic-innovation",
    )
    with translation.override("en"):
        [phase] = search_concept(user=viewer, q="professional", limit=1)
    assert (phase.title, phase.subtitle, phase.url) == (
        "Professionalise",
        "Phase",
        "/programme/concept/#phase-professionalise",
    )


def test_the_concept_page_has_every_entry_the_search_links_to(client, viewer):
    client.force_login(viewer)
    with translation.override("en"):
        hits = search_concept(user=viewer, q="e", limit=100)
    html = client.get(reverse("programme-concept")).content.decode()

    assert len(hits) > 20
    for hit in hits:
        assert f'id="{hit.url.split("#")[1]}"' in html, hit.url
    assert "Facts &amp; Strategy" in html


def test_the_global_search_groups_the_concept_after_the_stored_data(db, head):
    groups = search(user=head, q="strategy")

    assert groups[-1].key == "concept"
    assert groups[-1].label == "The concept"
    assert groups[-1].more_url == ""  # no list page to show them all
