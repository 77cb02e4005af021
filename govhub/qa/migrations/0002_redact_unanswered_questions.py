"""Unanswered questions keep only their redacted text: numbers already stored are masked."""

from django.db import migrations

from govhub.core.pii import redact_text


def redact(apps, schema_editor):
    question = apps.get_model("qa", "UnansweredQuestion")
    for pk, text in question.objects.values_list("pk", "text").iterator():
        masked = redact_text(text)
        if masked != text:
            question.objects.filter(pk=pk).update(text=masked)


class Migration(migrations.Migration):
    dependencies = [("qa", "0001_initial")]

    operations = [migrations.RunPython(redact, migrations.RunPython.noop)]
