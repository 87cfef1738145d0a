from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SolutionsConfig(AppConfig):
    name = "kampass.solutions"
    label = "solutions"
    verbose_name = _("Solutions and co-creation")

    def ready(self) -> None:
        from kampass.common import panels as common_panels
        from kampass.solutions import panels

        common_panels.register_panel(common_panels.ACCOUNT, panels.account_panel)
        common_panels.register_panel(common_panels.OPPORTUNITY, panels.opportunity_panel)
