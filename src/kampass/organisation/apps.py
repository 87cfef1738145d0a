from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationConfig(AppConfig):
    name = "kampass.organisation"
    label = "organisation"
    verbose_name = _("Structure and people")

    def ready(self) -> None:
        from kampass.organisation import importers  # noqa: F401  # registers the users and org-units importers
