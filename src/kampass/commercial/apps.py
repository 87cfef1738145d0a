from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommercialConfig(AppConfig):
    name = "kampass.commercial"
    label = "commercial"
    verbose_name = _("Commercialisation")
