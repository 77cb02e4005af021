"""The letters' own three-level satisfaction is replaced by 好差评 (``govhub.ratings``): every
rated letter gets a Rating on the five levels (满意 → 满意, 基本满意 → 基本满意, 不满意 → 不满意,
dated when the letter was closed or replied), then the two columns go.

No call-back task is created for a past 不满意: those letters already went to the supervisor
(督办) through the letter's own flow; call-backs start with ratings given from now on."""

import hashlib

from django.db import migrations
from django.utils import timezone

LEVELS = {"satisfied": 4, "basically": 3, "unsatisfied": 2}


def forwards(apps, schema_editor):
    Letter = apps.get_model("letters", "Letter")
    Rating = apps.get_model("ratings", "Rating")
    Department = apps.get_model("core", "Department")
    root = Department.objects.filter(depth=1).order_by("path").first()
    rated = Letter.objects.exclude(satisfaction="").order_by("pk")
    for letter in rated.iterator(chunk_size=500):
        department_id = letter.department_id or (root.pk if root else None)
        level = LEVELS.get(letter.satisfaction)
        if department_id is None or level is None:
            continue
        key = hashlib.sha256(f"letter:{letter.pk}:migrated".encode()).hexdigest()
        if Rating.objects.filter(event_key=key).exists():
            continue
        rating = Rating.objects.create(
            target_type="letter",
            target_id=letter.pk,
            target_name=f"查询码 {letter.tracking_code}"[:120],
            department_id=department_id,
            event_key=key,
            level=level,
            comment=(letter.satisfaction_comment or "")[:500],
            contact="",
            channel=(letter.channel or "web")[:10],
        )
        when = letter.closed_at or letter.replied_at or timezone.now()
        Rating.objects.filter(pk=rating.pk).update(created_at=when)


def backwards(apps, schema_editor):
    Letter = apps.get_model("letters", "Letter")
    Rating = apps.get_model("ratings", "Rating")
    names = {v: k for k, v in LEVELS.items()}
    for r in Rating.objects.filter(target_type="letter").order_by("created_at"):
        sat = names.get(r.level) or ("satisfied" if r.level > 3 else "unsatisfied")
        Letter.objects.filter(pk=r.target_id).update(
            satisfaction=sat, satisfaction_comment=r.comment
        )
    Rating.objects.filter(target_type="letter").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("letters", "0005_encrypt_subject_and_content"),
        ("ratings", "0002_reminders_and_targets"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(model_name="letter", name="satisfaction"),
        migrations.RemoveField(model_name="letter", name="satisfaction_comment"),
    ]
