from django.apps import AppConfig


class QaConfig(AppConfig):
    name = "govhub.qa"
    label = "qa"
    verbose_name = "智能问答"

    def ready(self) -> None:
        from govhub.ratings import targets

        targets.register("answer", _answer_target)


def _answer_target(pk: int):
    """An answer of the knowledge base is rated; its 责任部门 calls a 差评 back (the county's top
    department when the entry names none)."""
    from govhub.qa.models import KnowledgeEntry
    from govhub.ratings.targets import Target

    entry = KnowledgeEntry.objects.filter(pk=pk).select_related("department").first()
    return Target(entry.question, entry.department) if entry else None
