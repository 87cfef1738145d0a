"""Texts of the demo data set that users read, as message ids of the German catalogue.

The demo data (``data/demo.json``) is written in English. kampass stores a text it writes itself as its
English message id and translates it when it is shown (the template filter ``stored_text``), so the
demo reads in the reader's language. Listing the texts here puts them into the catalogue;
``demo/tests/test_texts.py`` fails when a text of ``demo.json`` is missing here or untranslated.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

# the reasons of the accounts' KAM status changes
STATUS_REASONS: tuple[str, ...] = (
    gettext_noop("Acquired by a competitor's parent company; strategic fit gone"),
    gettext_noop("Attractive customer, supplier position still weak (selection 2019)"),
    gettext_noop("Attractive customer, supplier position still weak (selection 2020)"),
    gettext_noop("Attractive customer, supplier position still weak (selection 2021)"),
    gettext_noop("Attractive customer, supplier position still weak (selection 2022)"),
    gettext_noop("Attractive customer, supplier position still weak (selection 2023)"),
    gettext_noop("Attractiveness and supplier position both high in selection 2019"),
    gettext_noop("Attractiveness and supplier position both high in selection 2020"),
    gettext_noop("Attractiveness and supplier position both high in selection 2021"),
    gettext_noop("Attractiveness and supplier position both high in selection 2022"),
    gettext_noop("Attractiveness and supplier position both high in selection 2023"),
    gettext_noop("Co-creation project on digital services started"),
    gettext_noop("Confirmed as key account by the KAM board (portfolio review 2019)"),
    gettext_noop("Confirmed as key account by the KAM board (portfolio review 2020)"),
    gettext_noop("Confirmed as key account by the KAM board (portfolio review 2021)"),
    gettext_noop("Confirmed as key account by the KAM board (portfolio review 2023)"),
    gettext_noop("First enquiry at the Hannover Messe"),
    gettext_noop("Framework agreement signed for three years"),
    gettext_noop("Group-wide framework agreement under negotiation"),
    gettext_noop("Inbound request via the website"),
    gettext_noop("International coordination needed: lead unit assigned"),
    gettext_noop("Joint innovation roadmap agreed with the executive board"),
    gettext_noop("Listed in the market screening of the industry association"),
    gettext_noop("New plant announced; high share-of-wallet potential"),
    gettext_noop("Potential above 1 m in the portfolio review 2019"),
    gettext_noop("Potential above 1 m in the portfolio review 2020"),
    gettext_noop("Potential above 1 m in the portfolio review 2021"),
    gettext_noop("Potential above 1 m in the portfolio review 2022"),
    gettext_noop("Purchasing centralised abroad; potential no longer justifies KAM resources"),
    gettext_noop("Recommended by the country sales organisation"),
    gettext_noop("Strong growth in the last two years; candidate for the KAM programme 2019"),
    gettext_noop("Strong growth in the last two years; candidate for the KAM programme 2020"),
    gettext_noop("Strong growth in the last two years; candidate for the KAM programme 2021"),
    gettext_noop("Strong growth in the last two years; candidate for the KAM programme 2022"),
    gettext_noop("Taken over from the CRM account list"),
    gettext_noop("Top-10 potential in selection 2019"),
    gettext_noop("Top-10 potential in selection 2020"),
    gettext_noop("Top-10 potential in selection 2021"),
    gettext_noop("Top-10 potential in selection 2022"),
    gettext_noop("Top-20 revenue and cross-selling potential across business units"),
    gettext_noop("Top-3 revenue and strategic fit in selection 2021"),
    gettext_noop("Top-3 revenue and strategic fit in selection 2023"),
)
