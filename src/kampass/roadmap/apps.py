from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoadmapConfig(AppConfig):
    name = "kampass.roadmap"
    label = "roadmap"
    verbose_name = _("Roadmap and topics")

    def ready(self) -> None:
        # the worker's daily schedule: one reading of every active initiative's guardrail a day (a breach
        # notifies the heads of KAM the next morning)
        from kampass.common.schedule import register_daily
        from kampass.roadmap.tasks import enqueue_daily_measurement

        register_daily("roadmap.measure_guardrails", enqueue_daily_measurement)
