"""Optimistic concurrency: no edit silently overwrites another one made in the meantime.

Every editable model derives from :class:`Versioned`: it carries a ``version`` that each save
raises by one, and the ``UPDATE`` only matches the row when its version is still the one the
instance was loaded with (``UPDATE ... WHERE id = %s AND version = %s``). When another save came
first, no row matches and :class:`ConcurrentEdit` is raised: nothing is written, the
transaction rolls back.

A service that changes an object takes the version the user or client saw (``version=``, from
the hidden field of an edit form, the ``version`` of an API body or its ``If-Match`` header) and
calls :func:`expect_version` before it changes anything; ``None`` (a client that sends no
version) skips that check but keeps the check on the loaded version.

The web forms carry the version (:class:`VersionedFormMixin`); ``kampass.common.htmx.submit_form``
answers a :class:`ConcurrentEdit` with the conflict page (409, :func:`conflict_response`);
the API's update operations use :func:`api_update`/:func:`set_etag` (409, 412 and ``ETag``).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import formats
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _


class ConcurrentEdit(Exception):
    """Another save changed the object after it was loaded (or after the version a user saw)."""

    def __init__(self, model: type[models.Model], pk: Any, *, expected: int | None) -> None:
        self.model, self.pk, self.expected = model, pk, expected
        super().__init__(f"{model._meta.label} {pk} was changed by someone else (expected version {expected})")

    def current(self) -> Any:
        """The object as it is saved now (``None`` when it was deleted meanwhile)."""
        return self.model._default_manager.filter(pk=self.pk).first()


class Versioned(models.Model):
    """Mixin of every editable model: ``version`` counts its saves (1 after creation).

    A save of a loaded instance writes only when the stored version is still the one it was
    loaded with, and then raises it by one; otherwise it raises :class:`ConcurrentEdit`.
    Bulk ``QuerySet.update`` calls (maintenance of derived columns) bypass the version.
    """

    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Raised by one with every save; an edit based on an older version is refused."),
    )

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._state.adding or self.pk is None:
            super().save(*args, **kwargs)
            return
        loaded = self.version
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "version"}
        self._loaded_version = loaded
        self.version = loaded + 1
        try:
            # in a savepoint: a refused save leaves an outer transaction usable (to load the current state)
            with transaction.atomic(using=kwargs.get("using")):
                super().save(*args, **kwargs)
        except BaseException:
            self.version = loaded
            raise
        finally:
            del self._loaded_version

    def _do_update(self, base_qs: Any, using: Any, pk_val: Any, *args: Any, **kwargs: Any) -> Any:
        loaded = getattr(self, "_loaded_version", None)
        if loaded is None:
            return super()._do_update(base_qs, using, pk_val, *args, **kwargs)
        updated = super()._do_update(base_qs.filter(version=loaded), using, pk_val, *args, **kwargs)
        if updated:
            return updated
        if base_qs.filter(pk=pk_val).exists():
            raise ConcurrentEdit(type(self), pk_val, expected=loaded)
        return updated  # the row is gone: Django inserts it as it always does


def expect_version(obj: Versioned, version: int | None) -> None:
    """Refuse to change ``obj`` when ``version`` (what the user saw) is not its version now.

    ``None`` means the caller sent no version: the change is based on the loaded object.

    Call it in a service before changing anything; the save itself checks again atomically.
    """
    if version is not None and obj.pk is not None and int(version) != obj.version:
        raise ConcurrentEdit(type(obj), obj.pk, expected=int(version))


def expect_row_version(model: type[Versioned], obj: Versioned | None, version: int | None) -> None:
    """Like :func:`expect_version` for a row that may not exist (a matrix cell, a target): ``obj`` is
    the row saved now or ``None``, ``version`` what the user saw, ``0`` meaning "there was none".

    A row created meanwhile (``0`` expected) or removed meanwhile (a version expected, no row) is a
    conflict too.
    """
    if version is None:
        return
    saved = obj.version if obj is not None and obj.pk is not None else 0
    if int(version) != saved:
        raise ConcurrentEdit(model, obj.pk if obj is not None else None, expected=int(version))


def expect_saved_version(obj: Versioned, version: int | None) -> None:
    """Refuse to remove ``obj`` when the version saved now is not ``version`` (what the user or
    client saw when they chose to remove it): a removal never drops a change made in the meantime.

    Locks the row until the end of the transaction (call it inside the removing service's
    transaction, just before the delete). ``None`` (a client that sent no version) skips the
    check; a row already gone is no conflict (there is nothing left to drop).
    """
    if version is None or obj.pk is None:
        return
    model = type(obj)
    saved = model._default_manager.select_for_update().filter(pk=obj.pk).values_list("version", flat=True).first()
    if saved is not None and saved != int(version):
        raise ConcurrentEdit(model, obj.pk, expected=int(version))


# ---------------------------------------------------------------- forms


class VersionedFormMixin(forms.BaseForm):
    """An edit form that carries the ``version`` of the object it was loaded with (hidden field).

    A ``ModelForm`` takes it from its instance; other forms from ``initial["version"]``. The
    cleaned value goes to the service as ``version=``. A form that creates (no instance, no
    version in ``initial``) has no such field.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if isinstance(instance, Versioned) and instance.pk is not None and "version" not in self.initial:
            self.initial["version"] = instance.version
        if self.initial.get("version") is not None:
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


def version_field(*, min_value: int = 1) -> forms.IntegerField:
    """The hidden ``version`` field of a small form posted from a page (a status select, a rating):
    the page renders the object's version into it. ``min_value=0`` for a row that may not exist
    yet (0: there was none, see :func:`expect_row_version`)."""
    return forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=min_value)


def _shown(field: forms.Field, value: Any) -> str:
    """``value`` of form ``field`` (a saved attribute or a cleaned entry) as the reader sees it."""
    if value is None or value == "" or value == [] or value == ():
        return "–"
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    choices = getattr(field, "choices", None)
    if choices:
        labels: dict[str, str] = {}
        for key, label in choices:
            if isinstance(label, list | tuple):  # grouped choices
                labels.update({str(k): str(v) for k, v in label})
            else:
                labels[str(getattr(key, "value", key))] = str(label)
        items = value if isinstance(value, list | tuple | set) else [value]
        items = [getattr(v, "pk", v) for v in items]
        return ", ".join(labels.get(str(v), str(v)) for v in items)
    if isinstance(value, list | tuple | set | models.QuerySet):
        return ", ".join(str(v) for v in value)
    if isinstance(value, datetime.datetime):
        return formats.date_format(value, "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, Decimal | float):
        return str(formats.localize(value))
    return str(value)


def conflict_rows(form: forms.BaseForm, current: Any, extra: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Each field of ``form``: its label, the user's entry and the value saved now (from ``current``
    or ``extra``), and whether they differ."""
    rows = []
    data = getattr(form, "cleaned_data", {}) or {}
    for name, field in form.fields.items():
        if name == "version" or isinstance(field.widget, forms.HiddenInput):
            continue
        if extra and name in extra:
            saved = extra[name]
        elif current is not None and hasattr(current, name):
            saved = getattr(current, name)
            if isinstance(saved, models.Manager):
                saved = list(saved.all())
        else:
            saved = None
        mine, theirs = _shown(field, data.get(name)), _shown(field, saved)
        rows.append({"label": field.label or name, "mine": mine, "saved": theirs, "differs": mine != theirs})
    return rows


def content_conflict_rows(
    fields: list[tuple[str, str]], mine: dict[str, Any], saved: dict[str, Any]
) -> list[dict[str, Any]]:
    """Each field of a text document saved in parts (e.g. a plan section's ``{field: text}``): its
    key, label, the user's text, the text saved now and whether they differ, for a side-by-side
    view with a merge. ``fields`` are ``(key, label)`` in display order.

    >>> rows = content_conflict_rows([("a", "A"), ("b", "B")], {"a": "x", "b": "y"}, {"a": "x"})
    >>> [(r["key"], r["differs"]) for r in rows]
    [('a', False), ('b', True)]
    """
    rows = []
    for key, label in fields:
        m, s = str(mine.get(key, "") or ""), str(saved.get(key, "") or "")
        rows.append({"key": key, "label": label, "mine": m, "saved": s, "differs": m.strip() != s.strip()})
    return rows


def last_change(obj: Any) -> tuple[Any, Any]:
    """Who saved ``obj`` last and when, as its change history (django-simple-history) knows it."""
    history = getattr(obj, "history", None)
    record = history.order_by("-history_date", "-history_id").first() if history is not None else None
    if record is None:
        return None, None
    return record.history_user, record.history_date


def resubmitted_fields(
    request: HttpRequest, current: Any, versions: dict[str, Any] | None = None
) -> list[tuple[str, str]]:
    """The user's POST again (without the CSRF token), with the version saved now: re-applying
    the entry deliberately overwrites the newer values. ``versions``: the saved versions of a form
    that carries several (``{"version_<key>": version}``), replacing the ones posted."""
    fresh = {"version": current.version} if current is not None else {}
    fresh |= versions or {}
    pairs = [
        (key, value)
        for key in request.POST
        if key not in ("csrfmiddlewaretoken", "version", *fresh)
        for value in request.POST.getlist(key)
    ]
    pairs += [(key, str(value)) for key, value in fresh.items() if key != "version" or current is not None]
    return pairs


def conflict_response(
    request: HttpRequest,
    form: forms.BaseForm,
    exc: ConcurrentEdit,
    *,
    extra: dict[str, Any] | None = None,
    versions: dict[str, Any] | None = None,
) -> HttpResponse:
    """The answer to a stale save: 409 with both versions side by side (the user's entry and the
    values saved now, who saved them and when) and the choice to re-apply the entry or discard it.
    The whole page, or for HTMX the fragment that replaces the form. ``extra``: the saved values of
    fields that are no attributes of the conflicting object; ``versions``: the saved versions of a
    form with several version fields (see :func:`resubmitted_fields`)."""
    from kampass.common.htmx import render_page

    current = exc.current()
    user, when = last_change(current) if current is not None else (None, None)
    context = {
        "rows": conflict_rows(form, current, extra),
        "current": current,
        "changed_by": user,
        "changed_at": when,
        "resubmit": resubmitted_fields(request, current, versions),
        "action_url": request.get_full_path(),
        "discard_url": discard_url(request),
    }
    response = render_page(request, "common/conflict.html", context, fragment="common/_conflict.html", status=409)
    response["Kampass-Conflict"] = "1"  # kampass.js swaps this 409 in instead of only alerting
    return response


def discard_url(request: HttpRequest) -> str:
    """Where "discard my entry" leads: the page the user was on for a form that saves in place (HTMX names it
    in ``HX-Current-URL``; the form's own address, e.g. a rating, may take POST only), else the form's page.

    >>> from django.test import RequestFactory
    >>> rf = RequestFactory()
    >>> discard_url(rf.post("/roadmap/topics/7/rating/?field=x", HTTP_HX_CURRENT_URL="http://testserver/roadmap/topics/?field=x"))
    '/roadmap/topics/?field=x'
    >>> discard_url(rf.post("/accounts/3/edit/")), discard_url(rf.post("/a/", HTTP_HX_CURRENT_URL="https://evil.example/x"))
    ('/accounts/3/edit/', '/a/')
    """
    current = request.headers.get("HX-Current-URL", "")
    if current and url_has_allowed_host_and_scheme(current, {request.get_host()}, request.is_secure()):
        parts = urlsplit(current)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return request.get_full_path()


def posted_version(request: HttpRequest) -> int | None:
    """The ``version`` a remove button posted (its hidden field), ``None`` without one.

    A value that is no version can never match: ``0``.
    """
    raw = request.POST.get("version", "").strip()
    if not raw:
        return None
    return int(raw) if raw.isdigit() else 0


def _stored_shown(field: models.Field[Any, Any], obj: Any) -> str:
    """The value of ``field`` on ``obj`` (a saved object or one of its history records) as the reader sees it."""
    if field.is_relation:
        related_id = getattr(obj, field.attname, None)
        if related_id is None:
            return "–"
        related = field.related_model._default_manager.filter(pk=related_id).first()  # type: ignore[union-attr]
        return str(related) if related is not None else f"#{related_id}"
    value = getattr(obj, field.attname, None)
    if field.choices and value not in (None, ""):
        labels = {str(k): str(v) for k, v in field.flatchoices}
        items = value if isinstance(value, list | tuple) else [value]
        return ", ".join(labels.get(str(v), str(v)) for v in items)
    labeller = getattr(field.model, "HISTORY_LABELS", {}).get(field.name)
    if labeller is not None and value not in (None, "", []):
        value = labeller(value)
    return _shown(forms.Field(), value)


_NOT_SHOWN = frozenset({"id", "version", "created_at", "updated_at", "path", "depth"})


def removal_rows(current: Any, expected: int | None) -> list[dict[str, Any]]:
    """Each field of the object a user wanted to remove: its value in the version they saw (from the
    change history, when it knows that version), its value saved now, and whether they differ."""
    if current is None:
        return []
    history = getattr(current, "history", None)
    seen = history.filter(version=expected).order_by("-history_date").first() if history and expected else None
    rows = []
    for field in current._meta.concrete_fields:
        if field.name in _NOT_SHOWN or field.primary_key or not field.editable:
            continue
        saved = _stored_shown(field, current)
        mine = _stored_shown(field, seen) if seen is not None else "?"
        label = str(field.verbose_name)
        rows.append({"label": label[:1].upper() + label[1:], "mine": mine, "saved": saved, "differs": mine != saved})
    return rows


def removal_conflict_response(request: HttpRequest, exc: ConcurrentEdit, *, back_url: str) -> HttpResponse:
    """The answer to a removal based on an older version: 409 with the object as the user saw it and
    as it is saved now (who changed it and when), and the choice to remove it anyway (the form posts
    the version saved now) or to keep it (back to ``back_url``). Page or HTMX fragment."""
    from kampass.common.htmx import render_page

    current = exc.current()
    user, when = last_change(current) if current is not None else (None, None)
    context = {
        "rows": removal_rows(current, exc.expected),
        "current": current,
        "changed_by": user,
        "changed_at": when,
        "resubmit": [("version", str(current.version))] if current is not None else [],
        "action_url": request.get_full_path(),
        "back_url": back_url,
    }
    response = render_page(
        request, "common/removal_conflict.html", context, fragment="common/_removal_conflict.html", status=409
    )
    response["Kampass-Conflict"] = "1"
    return response


def remove_or_conflict(
    request: HttpRequest, remove: Callable[[int | None], Any], *, back_url: str
) -> HttpResponse | None:
    """Run the removal ``remove(version)`` with the version the remove button posted; ``None`` when it
    was done, the conflict page (409) when the object was changed after the user saw it."""
    try:
        remove(posted_version(request))
    except ConcurrentEdit as exc:
        return removal_conflict_response(request, exc, back_url=back_url)
    return None


class ConflictMiddleware:
    """A page whose save lost a race outside ``submit_form`` (which shows the conflict page itself)
    answers 409 with a short message instead of a server error; HTMX shows it in the alert region."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ConcurrentEdit):
            return None
        message = str(_("Someone else changed this in the meantime. Reload the page and try again."))
        return HttpResponse(message, status=409, content_type="text/plain; charset=utf-8")


# ---------------------------------------------------------------- API

_ETAG = re.compile(r'^\s*(?:W/)?"(\d+)"\s*$')


def etag(version: int) -> str:
    """The weak entity tag of a version, as the API sends it in ``ETag``.

    >>> etag(3)
    'W/"3"'
    """
    return f'W/"{version}"'


def if_match_version(request: HttpRequest) -> int | None:
    """The version an ``If-Match`` header names (``W/"3"``, ``"3"``), ``None`` without one or for ``*``.

    A header that names no version of ours can never match: ``0``.
    """
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    for tag in header.split(","):
        if m := _ETAG.match(tag):
            return int(m.group(1))
    return 0


def set_etag(response: HttpResponse, obj: Any, *, version: int | None = None) -> Any:
    """Put the ``ETag`` of ``obj``'s version (or of ``version``) on ``response``; returns ``obj``."""
    response["ETag"] = etag(obj.version if version is None else version)
    return obj


def api_update(
    request: HttpRequest,
    response: HttpResponse,
    *,
    version: int | None,
    update: Callable[[int | None], Any],
    current: Callable[[], Any],
    version_of: Callable[[Any], int] | None = None,
) -> Any:
    """Run an API update with optimistic concurrency and answer as the API promises.

    ``update(version)`` calls the service with the version the client expects (``If-Match`` wins
    over the body's ``version``); ``current()`` loads the representation to answer with (an
    object with a ``version``, or anything ``version_of`` finds the version of). A stale
    ``If-Match`` answers 412, a stale body ``version`` 409, both with the current representation;
    every answer carries its ``ETag``.
    """
    from ninja import Status

    header = if_match_version(request)
    try:
        update(header if header is not None else version)
        status = 200
    except ConcurrentEdit:
        status = 412 if header is not None else 409
    obj = current()
    set_etag(response, obj, version=version_of(obj) if version_of is not None else None)
    return obj if status == 200 else Status(status, obj)


_VERSION_OUT = (
    "Raised by one with every save. Send it back as `version` (or in `If-Match`, as the `ETag` shows it) "
    "when you update."
)


def version_out() -> Any:
    """The ``version`` field of an output schema."""
    from ninja import Field

    return Field(description=_VERSION_OUT)


def version_in() -> Any:
    """The optional ``version`` field of an update's input schema."""
    from ninja import Field

    return Field(
        None,
        ge=1,
        description="The version your change is based on (from the last answer). When the object was saved since, "
        "nothing is written and the answer is 409 with the current representation. Without it the change is applied "
        "to whatever is saved now; clients should send it (or If-Match).",
    )


def api_delete(
    request: HttpRequest,
    response: HttpResponse,
    *,
    version: int | None,
    remove: Callable[[int | None], Any],
    current: Callable[[], Any],
    version_of: Callable[[Any], int] | None = None,
) -> Any:
    """Run an API removal with optimistic concurrency: ``remove(version)`` calls the service with the
    version the client expects (``If-Match`` wins over the ``version`` query parameter). Done: 204;
    a stale ``If-Match`` answers 412, a stale ``version`` 409, both with the current representation
    (``current()``, or anything ``version_of`` finds the version of) and its ``ETag``."""
    from ninja import Status

    header = if_match_version(request)
    try:
        remove(header if header is not None else version)
    except ConcurrentEdit:
        obj = current()
        set_etag(response, obj, version=version_of(obj) if version_of is not None else None)
        return Status(412 if header is not None else 409, obj)
    return Status(204, None)


def conflict_responses(schema: Any) -> dict[int, Any]:
    """The ``response=`` entries of an update operation: 409 and 412 answer the current representation."""
    return {409: schema, 412: schema}
