from django.apps import AppConfig


class LettersConfig(AppConfig):
    name = "govhub.letters"
    label = "letters"
    verbose_name = "领导信箱"

    def ready(self) -> None:
        from govhub.ratings import targets

        targets.register("letter", _letter_target)


def _letter_target(pk: int):
    """A letter's reply is rated; the lead department that answered calls a 差评 back."""
    from govhub.letters.models import Letter
    from govhub.ratings.targets import Target

    letter = Letter.objects.filter(pk=pk).select_related("department").first()
    if letter is None:
        return None
    return Target(f"查询码 {letter.tracking_code}", letter.department)
