"""One import framework for master data (accounts, contacts, users, org units, account teams).

A context describes what it imports in an :class:`~kampass.common.imports.framework.Importer`
(its fields with English and German header names, built-in mappings for Salesforce and HubSpot
exports, how one row is written through the context's services) and registers it
(:func:`~kampass.common.imports.registry.register`). The framework does the rest the same way for
every kind: reads CSV (plain or gzipped, any delimiter, UTF-8 or Windows-1252) and XLSX within the
installation's import limits, matches columns to fields (case, spaces, underscores and hyphens
ignored), checks every row, writes the good rows in one transaction (each row in a savepoint, so a
rejected row leaves nothing behind), and reports ``created``, ``updated``, ``unchanged`` and the
rejected rows with every reason. A dry run is the real run rolled back: it checks links to
accounts, parents and managers exactly as the real run does, including rows that refer to rows
earlier in the same file.
"""
