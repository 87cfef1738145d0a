"""Every schema of the API has its own name: the OpenAPI document names its components by class name, so two
schemas of one name (a competence target and a sales target, both ``TargetOut``) would silently share one
component, and the document would describe one operation's answers with the other's fields."""

from __future__ import annotations

from collections import defaultdict


def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def test_no_two_api_schemas_share_a_name():
    from ninja import Schema

    import kampass.config.api  # noqa: F401  (registers every context's routers and their schemas)

    modules: dict[str, set[str]] = defaultdict(set)
    for schema in _subclasses(Schema):
        if schema.__module__.startswith("kampass."):
            modules[schema.__name__].add(schema.__module__)
    assert {name: sorted(m) for name, m in modules.items() if len(m) > 1} == {}
