"""Load the built-in KAM process activities, function roles, competences and role targets."""

from django.db import migrations


def seed(apps, schema_editor):
    from kampass.organisation.seed import seed_catalogues

    seed_catalogues(
        apps.get_model("organisation", "ProcessActivity"),
        apps.get_model("organisation", "FunctionRole"),
        apps.get_model("organisation", "Competence"),
        apps.get_model("organisation", "CompetenceTarget"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("organisation", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
