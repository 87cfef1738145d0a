from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "kampass.screening"
    label = "screening"
    verbose_name = _("Screening")

    def ready(self) -> None:
        from kampass.common import panels as common_panels
        from kampass.screening import (
            rules_segments,  # noqa: F401  # the segments' permissions
            views_segments,
        )

        common_panels.register_panel(common_panels.ACCOUNT, views_segments.account_panel)
