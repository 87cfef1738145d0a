from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammeConfig(AppConfig):
    name = "kampass.programme"
    label = "programme"
    verbose_name = _("KAM programme")
