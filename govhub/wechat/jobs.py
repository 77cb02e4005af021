"""Answers that took too long for WeChat's 5 seconds, sent as customer-service messages through
the outbox; the daily purge of dedup records and lapsed conversations."""

from __future__ import annotations

import datetime as dt

from govhub.core.jobs import job, periodic


@periodic(every=dt.timedelta(days=1), at_hour=3, name="wechat.purge")
@job(retries=1)
def purge_wechat_state() -> dict:
    from govhub.wechat.delivered import purge

    return purge()


@job(retries=3)
def deliver_answer(account_id: int, openid: str, text: str, remote_id: str) -> None:
    from govhub.channels import outbox
    from govhub.channels.models import ChannelAccount, MessageKind
    from govhub.inbox.intake import receive_message
    from govhub.qa import engine

    account = ChannelAccount.objects.filter(pk=account_id).first()
    if account is None:
        return
    ans = engine.answer(text, account_id=account_id, channel="wechat")
    if ans.answered:
        body = ans.text if not ans.news else f"{ans.title}\n{ans.text}\n{ans.url}"
    else:
        receive_message(
            channel="wechat", account=account, sender_ref=openid, text=text, remote_id=remote_id
        )
        body = "抱歉，暂时没有找到答案，您的问题已转给工作人员。回复「留言」可给县长信箱写信。"
    # through the outbox: one customer-service message per question, however often this job runs
    outbox.enqueue(
        kind=MessageKind.ANSWER,
        key=f"answer:{account.pk}:{remote_id}",
        account=account,
        recipient=openid,
        payload={"text": body},
        department=account.department,
    )
