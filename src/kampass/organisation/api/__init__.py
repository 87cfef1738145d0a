"""JSON API of the organisation context: KAM process, function diagram (RACI),
workload and lead units, competence model, profiles, targets and development actions.

Endpoints only translate between JSON and the services/selectors, which check the
same permissions as the pages (see ``kampass.organisation.rules``): everybody reads the
structure and the competence model; head of KAM and administrators edit them, rate
and set targets; a profile is read by head of KAM, administrators and the person; a key
account manager proposes their own self-assessment and manages their own development
actions. Lists have the shape ``{"items": [...], "count": n}``; errors are 401, 403,
404 and 422 as everywhere in the API.

One module per part, all on one ``router``, registered in the order below; the endpoints keep
the OpenAPI operation ids they had when this was one module (``kampass_organisation_api_<name>``).
"""

from __future__ import annotations

from importlib import import_module

from kampass.organisation.api.router import router

#: The parts, in the order their endpoints appear in the OpenAPI document.
PARTS = ("signals", "catalogues", "raci", "workload", "profiles", "actions", "people_admin")


def _register() -> None:
    for part in PARTS:
        import_module(f"{__name__}.{part}")
    for path_view in router.path_operations.values():
        for operation in path_view.operations:
            if operation.operation_id is None:
                operation.operation_id = f"kampass_organisation_api_{operation.view_func.__name__}"


_register()

__all__ = ["router"]
