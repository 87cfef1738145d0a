"""Language and view-currency switches, the user's own settings page, the global search, error pages (the
start page is in :mod:`kampass.config.views`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kampass.common import fx, notifications
from kampass.common import search as global_search
from kampass.common.htmx import is_fragment_request, refusal, render_form_page, render_page, submit_form
from kampass.common.models import Notification
from kampass.common.redirects import safe_next
from kampass.users.forms import SettingsForm
from kampass.users.services import user_set_language, user_update_settings


@require_POST
def set_view_currency(request: HttpRequest) -> HttpResponse:
    """Choose the currency the logged-in user's consolidated totals are shown in ("" = the installation's)."""
    from kampass.users.facade import set_view_currency as store

    currency = request.POST.get("currency", "").strip().upper()
    response = HttpResponseRedirect(safe_next(request, request.POST.get("next"), fallback="/"))
    if request.user.is_authenticated and (currency == "" or currency in fx.view_currency_choices()):
        store(user=request.user, currency="" if currency == fx.reporting_currency() else currency)
    return response


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the UI language; for a logged-in user the choice is stored on the user."""
    lang = request.POST.get("language", "")
    response = HttpResponseRedirect(safe_next(request, request.POST.get("next"), fallback="/"))
    if lang in dict(settings.LANGUAGES):
        if request.user.is_authenticated:
            user_set_language(user=request.user, language=lang)
        translation.activate(lang)
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, lang, samesite="Lax")
    return response


@login_required
def my_settings(request: HttpRequest) -> HttpResponse:
    """The logged-in user's own settings: language and view currency (the rules are the users context's)."""
    user: Any = request.user
    currencies, reporting = fx.view_currency_choices(), fx.reporting_currency()
    form = SettingsForm(request.POST or None, user=user, currencies=currencies, reporting_currency=reporting)

    def save(data: dict[str, Any]) -> Any:
        saved = user_update_settings(
            user=user,
            language=data["language"],
            view_currency=data["view_currency"],
            currencies=currencies,
            reporting_currency=reporting,
            notification_digest=bool(data.get("notification_digest")),
        )
        translation.activate(saved.language or translation.get_language_from_request(request))
        return saved

    # the message is written after the save, in the language just chosen
    done = submit_form(
        request, form, save, success=lambda _saved: _("Your settings were saved."), next_url=request.path
    )
    if done is not None:
        return done
    return render_form_page(
        request,
        form,
        template="users/settings.html",
        title=_("My settings"),
        cancel_url=safe_next(request, request.GET.get("next"), fallback="/"),
        REPORTING_CURRENCY=reporting,
    )


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """The global search (``/search/?q=``): what the user may see of each type, grouped. The page works
    without JavaScript; the search field of every page asks for the results fragment as the user types."""
    q = global_search.normalise_query(request.GET.get("q"))
    too_short = bool(q) and global_search.query_too_short(q)
    if not q and is_fragment_request(request):
        return HttpResponse("")  # a cleared search field: the live results close
    context = {
        "q": q,
        "too_short": too_short,
        "min_length": global_search.MIN_QUERY_LENGTH,
        "groups": global_search.search(user=request.user, q=q) if q and not too_short else [],
    }
    return render_page(request, "common/search.html", context, fragment="common/_search_results.html")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception or "") or _("You do not have permission to do this.")
    return refusal(request, message, status=403, template="403.html", context={})


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = _("The page you asked for does not exist (any more).")
    return refusal(request, message, status=404, template="404.html", context={})


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for ``/favicon.ico`` whatever the page links: send them to the SVG icon."""
    return HttpResponsePermanentRedirect(static("kampass/favicon.svg"))


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    """The user's notifications, newest first, unread ones marked (the latest 200)."""
    rows = [(n, notifications.notification_text(n)) for n in notifications.notifications_of(request.user)[:200]]
    return render_page(request, "common/notifications.html", {"rows": rows})


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read and follow its link (or go back to the list)."""
    try:
        n = notifications.mark_read(user=request.user, pk=pk)
    except Notification.DoesNotExist as missing:
        raise Http404 from missing
    return HttpResponseRedirect(safe_next(request, n.link, fallback=reverse("notifications")))


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    notifications.mark_all_read(user=request.user)
    return HttpResponseRedirect(reverse("notifications"))
