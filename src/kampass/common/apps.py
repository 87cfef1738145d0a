from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    name = "kampass.common"
    label = "common"
    verbose_name = _("Common")

    def ready(self) -> None:
        from django.db.models.signals import pre_save

        from kampass.common.validators import refuse_hostile_characters

        pre_save.connect(refuse_hostile_characters, dispatch_uid="kampass-refuse-hostile-characters")

        # comments are part of every account's timeline
        from kampass.common import activity, comments

        activity.register_source("comments", comments.comment_activity)
