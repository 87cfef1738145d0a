from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommercialConfig(AppConfig):
    name = "kampass.commercial"
    label = "commercial"
    verbose_name = _("Commercialisation")

    def ready(self) -> None:
        from kampass.common.worker import worker_started

        worker_started.connect(_clean_uploads, dispatch_uid="commercial-uploads-clean")
        from kampass.commercial.facade import daily_gross_revenue
        from kampass.common.account_facts import register_daily_revenue

        register_daily_revenue(daily_gross_revenue)


def _clean_uploads(**kwargs: Any) -> None:
    """When a worker starts: delete uploaded files of imports that ended long ago (or crashed)."""
    from kampass.commercial.services import uploads_clean

    uploads_clean()
