
from django.db import migrations, models


def copy_template_sections(apps, schema_editor):
    """Give every plan the sections of the template version it was written against: the template's
    change history at that version, else (no such record) the template's current sections."""
    AccountPlan = apps.get_model("planning", "AccountPlan")
    PlanTemplate = apps.get_model("planning", "PlanTemplate")
    History = apps.get_model("planning", "HistoricalPlanTemplate")
    current = dict(PlanTemplate.objects.values_list("pk", "sections"))
    recorded = {}
    for row in History.objects.order_by("history_date").values("id", "version", "sections"):
        recorded[(row["id"], row["version"])] = row["sections"]  # the newest record of each version wins
    plans = list(AccountPlan.objects.only("pk", "template_id", "template_version"))
    for plan in plans:
        plan.template_sections = recorded.get((plan.template_id, plan.template_version), current.get(plan.template_id, []))
    AccountPlan.objects.bulk_update(plans, ["template_sections"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ('planning', '0005_plan_submitted_by'),
    ]

    operations = [
        migrations.AddField(
            model_name='accountplan',
            name='template_sections',
            field=models.JSONField(blank=True, default=list, verbose_name='template sections'),
        ),
        migrations.AddField(
            model_name='historicalaccountplan',
            name='template_sections',
            field=models.JSONField(blank=True, default=list, verbose_name='template sections'),
        ),
        migrations.RunPython(copy_template_sections, migrations.RunPython.noop),
    ]
