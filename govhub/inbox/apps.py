from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "govhub.inbox"
    label = "inbox"
    verbose_name = "统一留言箱"

    def ready(self) -> None:
        from govhub.ratings import targets

        targets.register("inbox", _reply_target)


def _reply_target(pk: int):
    """A staff reply to a message is rated; the message's department calls a 差评 back."""
    from govhub.inbox.models import InboxReply
    from govhub.ratings.targets import Target

    reply = InboxReply.objects.filter(pk=pk).select_related("message__department").first()
    if reply is None:
        return None
    msg = reply.message
    return Target(f"{msg.get_channel_display()}留言", msg.department)
