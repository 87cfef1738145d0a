"""German names of two built-in function roles follow the glossary (docs/glossary.md): "KAM-Leitung" and
"Key-Account-Manager/in". Only rows that still carry the old seeded name change; a name an admin edited stays."""

from django.db import migrations

RENAMED = {
    "head-of-kam": ("Leiter/in KAM", "KAM-Leitung"),
    "kam": ("Key Account Manager/in", "Key-Account-Manager/in"),
}


def rename(apps, schema_editor, *, forward=True):
    role_model = apps.get_model("organisation", "FunctionRole")
    for key, (old, new) in RENAMED.items():
        before, after = (old, new) if forward else (new, old)
        role_model.objects.filter(key=key, name_de=before).update(name_de=after)


def rename_back(apps, schema_editor):
    rename(apps, schema_editor, forward=False)


class Migration(migrations.Migration):
    dependencies = [
        ("organisation", "0002_seed_catalogues"),
    ]

    operations = [
        migrations.RunPython(rename, rename_back),
    ]
