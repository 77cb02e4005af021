"""Letters are routed by the worker after they are accepted (issue 19): ``routed_at`` says the
routing job ran. Letters received before this were routed inside their intake transaction, so
they count as routed (the sweep must not re-route the whole archive)."""

from django.db import migrations, models
from django.db.models import F


def mark_existing_routed(apps, schema_editor):
    Letter = apps.get_model("letters", "Letter")
    Letter.objects.update(routed_at=F("received_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("letters", "0006_satisfaction_into_ratings"),
    ]

    operations = [
        migrations.AddField(
            model_name="letter",
            name="routed_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(mark_existing_routed, migrations.RunPython.noop),
    ]
