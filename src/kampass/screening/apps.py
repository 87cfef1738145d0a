from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "kampass.screening"
    label = "screening"
    verbose_name = _("Screening")

    def ready(self) -> None:
        import kampass.screening.rules_selection  # noqa: F401  (registers the selection permissions)
        from kampass.common.panels import ACCOUNT, register_panel
        from kampass.screening.panels_selection import account_panel

        register_panel(ACCOUNT, account_panel)
