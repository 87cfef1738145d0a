"""The analytics store: facts (invoice lines, ...) reached through Ibis.

Only :mod:`kampass.core.analytics.backends` opens connections; everything else
takes and returns ``ibis.Table`` expressions.
"""
