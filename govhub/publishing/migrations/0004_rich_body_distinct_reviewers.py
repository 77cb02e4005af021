"""The body becomes Draftail rich text (same column, ``rich_body`` in the model); review policies
say whether each step needs a different person; Chinese names for review steps."""

import django.db.models.deletion
import wagtail.fields
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0003_publication_video"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="publication", name="body"),
                migrations.AddField(
                    model_name="publication",
                    name="rich_body",
                    field=wagtail.fields.RichTextField(
                        blank=True, db_column="body", verbose_name="正文"
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="reviewpolicy",
            name="distinct_reviewers",
            field=models.BooleanField(
                default=True,
                help_text="开启后，同一人不能办理同一稿件的两个审核步骤，撰稿人也不能审核自己的稿件",
                verbose_name="各步由不同人员办理",
            ),
        ),
        migrations.AlterModelOptions(
            name="reviewstepspec",
            options={
                "ordering": ["policy", "order"],
                "verbose_name": "审核步骤",
                "verbose_name_plural": "审核步骤",
            },
        ),
        migrations.AlterField(
            model_name="reviewstepspec",
            name="policy",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="steps",
                to="publishing.reviewpolicy",
                verbose_name="审核流程",
            ),
        ),
    ]
