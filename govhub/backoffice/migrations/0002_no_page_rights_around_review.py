"""Wagtail's first migrations make two groups, Editors (may edit every page) and Moderators (may
publish and unpublish every page), and a "Moderators approval" workflow on the whole tree. Staff
were put in them, so a reviewer of one bureau could unpublish another's article past every review
step and check. Portal pages change through 内容发布's review instead: the groups and the workflow
go (roles get their own Chinese-named groups, without page rights: core.actions.ROLE_GROUPS)."""

from django.db import migrations

WAGTAIL_GROUPS = ["Editors", "Moderators"]
WAGTAIL_WORKFLOW = "Moderators approval"


def remove(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    Task = apps.get_model("wagtailcore", "Task")
    WorkflowState = apps.get_model("wagtailcore", "WorkflowState")
    Group.objects.filter(name__in=WAGTAIL_GROUPS).delete()
    for workflow in Workflow.objects.filter(name=WAGTAIL_WORKFLOW):
        WorkflowPage.objects.filter(workflow=workflow).delete()
        if WorkflowState.objects.filter(workflow=workflow).exists():
            workflow.active = False  # its history stays readable
            workflow.name = "管理员审批（已停用）"
            workflow.save(update_fields=["active", "name"])
        else:
            workflow.delete()
    for task in Task.objects.filter(name=WAGTAIL_WORKFLOW):
        task.active = False
        task.name = "管理员审批（已停用）"
        task.save(update_fields=["active", "name"])


class Migration(migrations.Migration):
    dependencies = [
        ("backoffice", "0001_wagtail_default_names"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailadmin", "0006_formstate"),
    ]
    operations = [migrations.RunPython(remove, migrations.RunPython.noop)]
