"""The models that lived in services (tables renamed by services 0005), now the ratings app's."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import govhub.core.pii


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("core", "__first__"),
        ("services", "0005_ratings_move_to_ratings_app"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Rating",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("target_type", models.CharField(choices=[("guide", "办事指南"), ("query", "微查询")], max_length=10, verbose_name="评价对象")),
                        ("target_id", models.PositiveIntegerField(verbose_name="对象编号")),
                        ("target_name", models.CharField(max_length=120, verbose_name="服务名称")),
                        ("event_key", models.CharField(editable=False, max_length=64)),
                        ("level", models.PositiveSmallIntegerField(choices=[(5, "非常满意"), (4, "满意"), (3, "基本满意"), (2, "不满意"), (1, "非常不满意")], verbose_name="评价等级")),
                        ("comment", models.TextField(blank=True, verbose_name="评价内容")),
                        ("contact", govhub.core.pii.EncryptedTextField(blank=True, grade="sensitive", verbose_name="联系电话")),
                        ("channel", models.CharField(default="web", max_length=10, verbose_name="渠道")),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="评价时间")),
                        ("department", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="core.department", verbose_name="责任部门")),
                    ],
                    options={
                        "verbose_name": "好差评",
                        "verbose_name_plural": "好差评",
                        "ordering": ["-created_at"],
                        "constraints": [models.UniqueConstraint(fields=("event_key",), name="rating_one_per_event")],
                    },
                ),
                migrations.CreateModel(
                    name="CallbackTask",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("due_date", models.DateField(verbose_name="整改期限")),
                        ("status", models.CharField(choices=[("open", "待回访"), ("done", "已整改")], default="open", max_length=8, verbose_name="状态")),
                        ("result", models.TextField(blank=True, verbose_name="回访及整改情况")),
                        ("done_at", models.DateTimeField(blank=True, null=True, verbose_name="办结时间")),
                        ("department", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="core.department", verbose_name="责任部门")),
                        ("done_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="办理人")),
                        ("rating", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name="callback", to="ratings.rating", verbose_name="差评")),
                    ],
                    options={
                        "verbose_name": "差评回访",
                        "verbose_name_plural": "差评回访",
                        "ordering": ["status", "due_date"],
                    },
                ),
            ],
        ),
    ]
