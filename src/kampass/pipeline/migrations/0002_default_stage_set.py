"""The default sales process: the standard stages of Salesforce's sales process, which most
CRM exports map onto, with their default probabilities. Late stages (economic buyer and
champion must be confirmed) start at 50 %."""

from django.db import migrations
from django.utils.translation import gettext_noop

DEFAULT_STAGES = [
    # name, default probability (%), kind
    (gettext_noop("Prospecting"), 10, "open"),
    (gettext_noop("Qualification"), 10, "open"),
    (gettext_noop("Needs Analysis"), 20, "open"),
    (gettext_noop("Value Proposition"), 50, "open"),
    (gettext_noop("Id. Decision Makers"), 60, "open"),
    (gettext_noop("Perception Analysis"), 70, "open"),
    (gettext_noop("Proposal/Price Quote"), 75, "open"),
    (gettext_noop("Negotiation/Review"), 90, "open"),
    (gettext_noop("Closed Won"), 100, "won"),
    (gettext_noop("Closed Lost"), 0, "lost"),
]


def create_default(apps, schema_editor):
    StageSet = apps.get_model("pipeline", "StageSet")
    Stage = apps.get_model("pipeline", "Stage")
    if StageSet.objects.filter(is_default=True).exists():
        return
    stage_set = StageSet.objects.create(
        name=gettext_noop("Standard sales process"), is_default=True, late_probability=50
    )
    Stage.objects.bulk_create(
        Stage(stage_set=stage_set, name=name, order=i, probability=p, kind=kind)
        for i, (name, p, kind) in enumerate(DEFAULT_STAGES, start=1)
    )


def remove_default(apps, schema_editor):
    apps.get_model("pipeline", "StageSet").objects.filter(is_default=True, name="Standard sales process").delete()


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0001_initial")]

    operations = [migrations.RunPython(create_default, remove_default)]
