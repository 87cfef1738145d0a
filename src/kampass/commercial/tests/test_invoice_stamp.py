"""The stamp the invoice figures are kept under (``selectors.invoice_data_stamp``): on the embedded store the
lines' aggregate is read once per published copy of the store, and a write (a new copy) with other lines
gives another stamp, one with the same lines the same."""

from __future__ import annotations

import pytest

from kampass.commercial import selectors
from kampass.commercial.tests.factories import insert_lines, line
from kampass.common.analytics import analytics_store, published_copy_read
from kampass.core.analytics.schema import CUSTOMER_LINKS

pytestmark = pytest.mark.django_db


def test_the_lines_are_aggregated_once_per_published_copy(monkeypatch):
    aggregated: list[str | None] = []
    aggregate = selectors._lines_stamp

    def counted(store):
        aggregated.append(published_copy_read(store))
        return aggregate(store)

    monkeypatch.setattr(selectors, "_lines_stamp", counted)
    # given lines in the store, read twice from the same published copy
    insert_lines([line("536365", "17850", "6", "2.55")], batch_id="first")
    first = selectors.invoice_data_stamp()
    assert selectors.invoice_data_stamp() == first
    assert len(aggregated) == 1
    assert aggregated[0] is not None
    # when more lines are imported (a new copy is published)
    insert_lines([line("536366", "17850", "2", "1.85")], batch_id="second")
    second = selectors.invoice_data_stamp()
    # then the new copy is aggregated once and its stamp differs
    assert len(aggregated) == 2
    assert aggregated[1] != aggregated[0]
    assert second != first
    # a write that leaves the lines as they were (another copy) gives the same stamp for the lines
    with analytics_store(write=True) as store:
        store.replace(CUSTOMER_LINKS, store.table(CUSTOMER_LINKS).to_pyarrow())
    assert selectors.invoice_data_stamp()[1] == second[1]
    assert len(aggregated) == 3


def test_a_writer_reads_the_store_itself_and_a_reader_a_published_copy():
    insert_lines([line("536365", "17850", "6", "2.55")], batch_id="first")
    with analytics_store(write=True) as writer:
        # a writer reads the store, not a copy: nothing to keep its aggregate under
        assert published_copy_read(writer) is None
    with analytics_store() as reader:
        assert published_copy_read(reader) is not None
