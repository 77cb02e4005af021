# Publishing's deliveries move into channels' one outbox (issue 15): every Delivery row becomes
# an OutboundMessage of kind "publication" (same state, attempts, lease, remote ids; its
# idempotency key becomes the message's uid, so the mark it left on WeChat/Weibo still finds
# it), with its events, statistics, e-mail subscribers and receipts. Then the old tables go and
# ``Delivery`` stays as a proxy of the outbox row.

from django.db import migrations


def copy_into_outbox(apps, schema_editor):
    Delivery = apps.get_model("publishing", "Delivery")
    Message = apps.get_model("channels", "OutboundMessage")
    ContentType = apps.get_model("contenttypes", "ContentType")
    if (
        not Delivery.objects.exists()
        and not apps.get_model("publishing", "EmailSubscriber").objects.exists()
    ):
        return
    ct, _ = ContentType.objects.get_or_create(app_label="publishing", model="publication")
    for d in Delivery.objects.select_related("account", "publication").iterator():
        progress = {}
        if d.remote_draft_id:
            progress["draft_id"] = d.remote_draft_id
        if d.remote_publish_id:
            progress["publish_id"] = d.remote_publish_id
        m = Message.objects.create(
            uid=d.idempotency_key,
            key=f"publication:{d.publication_id}:{d.account_id}",
            kind="publication",
            platform=d.account.platform,
            account_id=d.account_id,
            department_id=d.publication.department_id,
            source_type=ct,
            source_id=d.publication_id,
            state=d.state,
            attempts=d.attempts,
            claim_seq=d.claim_seq,
            next_attempt_at=d.next_attempt_at,
            lease_until=d.lease_until,
            needs_lookup=d.needs_lookup,
            last_error=d.last_error,
            progress=progress,
            remote_id=d.remote_id,
            remote_url=d.remote_url if d.account.platform != "email" else "",
            detail=d.remote_url if d.account.platform == "email" else "",
            sent_at=d.sent_at,
            gave_up_at=d.gave_up_at,
            withdrawn_at=d.withdrawn_at,
        )
        # auto_now(_add) stamped them now: keep the delivery's own times
        Message.objects.filter(pk=m.pk).update(created_at=d.created_at, updated_at=d.updated_at)
    def via(alias: str) -> str:  # a row of an old table → its delivery → its new message
        return (
            f"JOIN publishing_delivery d ON d.id = {alias}.delivery_id "
            "JOIN channels_outboundmessage m ON m.uid = d.idempotency_key"
        )

    for sql in (
        "INSERT INTO channels_outboundevent (outbound_id, at, kind, message) "  # nosec B608 - constant statements, no input
        f"SELECT m.id, e.at, e.kind, e.message FROM publishing_deliveryevent e {via('e')}",
        "INSERT INTO channels_outboundstat (outbound_id, date, reads, plays, likes, shares, "  # nosec B608 - constant statements, no input
        "comments, favourites, is_total, fetched_at) SELECT m.id, s.date, s.reads, 0, s.likes, "
        "s.shares, s.comments, s.favourites, s.is_total, s.fetched_at "
        f"FROM publishing_deliverystat s {via('s')}",
        "INSERT INTO channels_emailsubscriber (id, email, email_index, active, created_at) "
        "SELECT id, email, email_index, active, created_at FROM publishing_emailsubscriber",
        "INSERT INTO channels_emailreceipt (outbound_id, subscriber_id, at) "  # nosec B608 - constant statements, no input
        f"SELECT m.id, r.subscriber_id, r.at FROM publishing_emailreceipt r {via('r')}",
    ):
        schema_editor.execute(sql)
    # PostgreSQL: the copied subscriber ids must not be handed out again
    Subscriber = apps.get_model("channels", "EmailSubscriber")
    from django.core.management.color import no_style

    for sql in schema_editor.connection.ops.sequence_reset_sql(no_style(), [Subscriber]):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("channels", "0002_outbox"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("publishing", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(copy_into_outbox, migrations.RunPython.noop, elidable=False),
        migrations.DeleteModel(name='EmailReceipt'),
        migrations.DeleteModel(name='DeliveryEvent'),
        migrations.DeleteModel(name='DeliveryStat'),
        migrations.DeleteModel(name='Delivery'),
        migrations.DeleteModel(name='EmailSubscriber'),
        migrations.CreateModel(
            name="Delivery",
            fields=[],
            options={
                "verbose_name": "投递",
                "verbose_name_plural": "投递",
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("channels.outboundmessage",),
        ),
    ]
