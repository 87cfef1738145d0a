from django.db import migrations


class Migration(migrations.Migration):
    """The screening context's starting point; its parts add their tables in the migrations after it."""

    initial = True

    dependencies: list[tuple[str, str]] = []

    operations: list[migrations.operations.base.Operation] = []
