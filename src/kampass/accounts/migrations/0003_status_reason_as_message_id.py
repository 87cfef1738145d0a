"""The reason kampass writes when it creates an account is stored as its message id ("Account created") and
translated when shown; rows written before in German ("Konto angelegt", "Account angelegt") get the id."""

from django.db import migrations

GERMAN = ("Konto angelegt", "Account angelegt")


def to_message_id(apps, schema_editor):
    change_model = apps.get_model("accounts", "AccountStatusChange")
    change_model.objects.filter(reason__in=GERMAN, from_status="").update(reason="Account created")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_initial"),
    ]

    # backwards: the message id is shown translated, so the rows can stay as they are
    operations = [
        migrations.RunPython(to_message_id, migrations.RunPython.noop),
    ]
