"""The JSON API under ``/api/v1/`` (django-ninja).

Clients authenticate with a personal access token (``Authorization: Bearer
<token>``); the browser UI may call the API with its Django session, in which
case unsafe methods need the CSRF token. Endpoints are thin: they call the
services of each context, which check permissions and validate. This module
turns the services' exceptions into JSON responses:

* ``PermissionDenied`` -> 403 ``{"detail": "..."}``
* ``ValidationError`` -> 422 ``{"detail": [{"loc": [field], "msg": "..."}]}``
  (the same shape django-ninja uses for malformed requests)
* ``Http404`` / ``ObjectDoesNotExist`` -> 404 ``{"detail": "..."}``
* no credentials, or an invalid, expired or revoked token (never replaced by the session) -> 401
  ``{"detail": "..."}``
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaError
from ninja.security import APIKeyCookie, HttpBearer

from kampass.accounts.api import router as accounts_router
from kampass.commercial.api import router as commercial_router
from kampass.common.api import ErrorOut
from kampass.common.comments_api import router as comments_router
from kampass.common.concurrency import ConcurrentEdit
from kampass.common.import_limits import limit_message
from kampass.common.imports_api import router as data_imports_router
from kampass.common.notifications_api import router as notifications_router
from kampass.common.preferences_api import router as me_router
from kampass.common.rates_api import router as rates_router
from kampass.common.search_api import router as search_router
from kampass.common.uploads import upload_refusal
from kampass.config.health import router as health_router
from kampass.organisation.api import router as organisation_router
from kampass.pipeline.api import router as pipeline_router
from kampass.planning.api import router as planning_router
from kampass.planning.api_actions import router as planning_actions_router
from kampass.planning.api_export import router as planning_export_router
from kampass.planning.api_health import router as planning_health_router
from kampass.planning.api_kpi_targets import router as planning_kpi_targets_router
from kampass.planning.api_objectives import router as planning_objectives_router
from kampass.planning.api_reviews import router as planning_reviews_router
from kampass.planning.api_solutions import router as planning_solutions_router
from kampass.planning.api_templates import router as planning_templates_router
from kampass.programme.api import router as programme_router
from kampass.roadmap.api import router as roadmap_router
from kampass.screening.api import router as screening_router
from kampass.screening.api_segments import router as screening_segments_router
from kampass.screening.api_selection import router as screening_selection_router
from kampass.screening.api_wallet import router as screening_wallet_router
from kampass.screening.api_whitespace import router as screening_whitespace_router
from kampass.solutions.api import router as solutions_router
from kampass.users.services import token_authenticate


class TokenAuth(HttpBearer):
    """A personal access token sent as ``Authorization: Bearer <token>``.

    A request that sends an ``Authorization`` header is judged by it alone: an unknown, expired or
    revoked token (or another scheme) is answered 401 and never falls back to the browser session
    that may come with the same request.
    """

    def __call__(self, request: HttpRequest) -> Any:
        if request.headers.get(self.header) is None:
            return None  # no credentials of this kind: the session may authenticate the request
        user = super().__call__(request)
        if user is None:
            raise HttpError(
                401,
                _(
                    "The personal access token is invalid, expired or revoked: "
                    "send a valid token as “Authorization: Bearer <token>”."
                ),
            )
        return user

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_authenticate(token.strip())
        if user is None:
            return None
        # Let the rest of the request see the token's owner as the user (e.g. the
        # change history middleware) and speak their language, as the UI does.
        request.user = user
        if user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return user


class SessionAuth(APIKeyCookie):
    """The browser's Django session; unsafe methods must carry the CSRF token.

    Unlike ninja's ``django_auth`` it checks CSRF only when there is a logged-in
    session, so a request without any credentials gets 401 rather than 403.
    """

    param_name: str = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        try:
            return super().__call__(request)
        except HttpError:
            raise HttpError(403, _("CSRF check failed: send the CSRF token in the X-CSRFToken header.")) from None

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return request.user if request.user.is_authenticated else None


def docs_behind_login(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The API's documentation (``/docs`` and ``/openapi.json``) for logged-in users and token holders only,
    unless in DEBUG: in production it would tell anyone every endpoint and field. A browser without a session
    is sent to the login page; a client asking for the OpenAPI document gets 401."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if settings.DEBUG or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and token.strip() and token_authenticate(token.strip()) is not None:
            return view(request, *args, **kwargs)
        if request.path.endswith("/openapi.json"):
            return JsonResponse({"detail": _("Log in or send a token to read the API's description.")}, status=401)
        return redirect_to_login(request.get_full_path())

    return wrapped


api = NinjaAPI(
    title="kampass API",
    version="1",
    description="Key account management: accounts, their hierarchy, contacts, buying centres and account teams.",
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    docs_decorator=docs_behind_login,
)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    detail = str(exc) or _("You do not have permission to do this.")
    return api.create_response(request, {"detail": detail}, status=403)


@api.exception_handler(ConcurrentEdit)
def concurrent_edit(request: HttpRequest, exc: ConcurrentEdit) -> HttpResponse:
    """A save that lost a race with another one outside :func:`kampass.common.concurrency.api_update`: 409."""
    detail = _("Someone else changed this in the meantime. Reload it and try again.")
    return api.create_response(request, {"detail": detail}, status=409)


@api.exception_handler(ValidationError)
def validation_failed(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    detail: list[dict[str, Any]]
    if hasattr(exc, "error_dict"):
        detail = [
            {"loc": [] if field == NON_FIELD_ERRORS else [field], "msg": msg}
            for field, messages in exc.message_dict.items()
            for msg in messages
        ]
    else:
        detail = [{"loc": [], "msg": msg} for msg in exc.messages]
    return api.create_response(request, {"detail": detail}, status=422)


#: where django-ninja says an input came from; the API names only the field (as for the services' errors)
_SOURCES = {"body", "query", "path", "form", "file", "header", "cookie"}


def field_loc(loc: list[Any]) -> list[Any]:
    """The location of a schema error as the API reports every error: the field, without the source
    and the name of the body parameter (``["body", "payload", "role"]`` -> ``["role"]``).

    >>> field_loc(["body", "payload", "roles", 0]), field_loc(["query", "period"]), field_loc(["body"])
    (['roles', 0], ['period'], [])
    """
    if loc and loc[0] in _SOURCES:
        return list(loc[2:] if loc[0] == "body" else loc[1:])
    return list(loc)


@api.exception_handler(SchemaError)
def schema_error(request: HttpRequest, exc: SchemaError) -> HttpResponse:
    detail = [{"loc": field_loc(list(e.get("loc", []))), "msg": e.get("msg", "")} for e in exc.errors]
    if (refusal := upload_refusal(request)) is not None:  # the file was refused while it was received
        detail = [{"loc": ["file"], "msg": limit_message(refusal)}] + [d for d in detail if d["loc"] != ["file"]]
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


@api.exception_handler(ObjectDoesNotExist)
def object_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return not_found(request, exc)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    detail = _("Authentication required: send a valid personal access token as “Authorization: Bearer <token>”.")
    return api.create_response(request, {"detail": detail}, status=401)


def declare_malformed_body(router: Router) -> None:
    """Declare the 400 django-ninja answers when a body cannot be parsed (not JSON, not a form) on
    every operation of ``router`` that takes a body, so that OpenAPI lists every status code an
    operation can return (checked by ``tests/api/test_contract.py``)."""
    for view in router.path_operations.values():
        for operation in view.operations:
            if any(m.__ninja_param_source__ in {"body", "form", "file"} for m in operation.models):
                operation.response_models.setdefault(400, operation._create_response_model(ErrorOut))


ROUTERS = [
    accounts_router,
    commercial_router,
    pipeline_router,
    programme_router,
    organisation_router,
    roadmap_router,
    planning_router,
    solutions_router,
    screening_router,
    screening_selection_router,
    screening_whitespace_router,
    screening_wallet_router,
    screening_segments_router,
    me_router,
    notifications_router,
    comments_router,
    rates_router,
    data_imports_router,
    search_router,
    health_router,
    planning_export_router,
    planning_objectives_router,
    planning_reviews_router,
    planning_actions_router,
    planning_health_router,
    planning_kpi_targets_router,
    planning_solutions_router,
    planning_templates_router,
]
for _router in ROUTERS:
    declare_malformed_body(_router)

api.add_router("", accounts_router)
api.add_router("", commercial_router)
api.add_router("", pipeline_router)
api.add_router("", programme_router)
api.add_router("", organisation_router)
api.add_router("", roadmap_router)
api.add_router("", planning_router)
api.add_router("", solutions_router)
api.add_router("", screening_router)
api.add_router("", screening_selection_router)
api.add_router("", screening_whitespace_router)
api.add_router("", screening_wallet_router)
api.add_router("", screening_segments_router)
api.add_router("", planning_objectives_router)
api.add_router("", planning_reviews_router)
api.add_router("", me_router)
api.add_router("", notifications_router)
api.add_router("", comments_router)
api.add_router("", rates_router)
api.add_router("", data_imports_router)
api.add_router("", search_router)
api.add_router("", health_router)
api.add_router("", planning_export_router)
api.add_router("", planning_actions_router)
api.add_router("", planning_health_router)
api.add_router("", planning_solutions_router)
api.add_router("", planning_templates_router)
api.add_router("", planning_kpi_targets_router)
