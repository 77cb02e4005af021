from django.apps import AppConfig


class LettersConfig(AppConfig):
    name = "govhub.letters"
    label = "letters"
    verbose_name = "领导信箱"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from govhub.core.models import Department
        from govhub.letters.intake import policy_changed
        from govhub.letters.models import LetterPolicy
        from govhub.ratings import targets

        targets.register("letter", _letter_target)
        # the intake policy is cached (intake.intake_policy): any change drops it
        for model in (LetterPolicy, Department):
            post_save.connect(policy_changed, sender=model, dispatch_uid=f"policy-{model.__name__}")
            post_delete.connect(
                policy_changed, sender=model, dispatch_uid=f"policy-del-{model.__name__}"
            )


def _letter_target(pk: int):
    """A letter's reply is rated; the lead department that answered calls a 差评 back."""
    from govhub.letters.models import Letter
    from govhub.ratings.targets import Target

    letter = Letter.objects.filter(pk=pk).select_related("department").first()
    if letter is None:
        return None
    return Target(f"查询码 {letter.tracking_code}", letter.department)
