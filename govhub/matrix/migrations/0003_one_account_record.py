"""One record per real account.

1. Two channel accounts for the same real account (same platform and platform id, or the
   demo's separate WeChat callback account ``shifan-fabu`` beside the publishing target
   ``shifan-wechat``) become one: everything that referred to the duplicate (subscribers,
   menus, reply settings, inbox messages, deliveries, publications' targets …) now refers to
   the record kept, which takes the duplicate's credentials where it had none.
2. Each registry entry (matrix.Account) of an account the county operates refers to its
   channel account (same platform and platform id).
"""

from django.db import IntegrityError, migrations, transaction

CREDENTIALS = (
    "remote_id",
    "app_id",
    "app_secret",
    "access_token",
    "refresh_token",
    "callback_token",
    "encoding_aes_key",
    "api_base",
)
PLATFORMS = ("wechat", "weibo", "douyin", "wechat_channels", "portal")
DEMO_PAIRS = [("shifan-wechat", "shifan-fabu")]  # (kept, duplicate)


def _merge(ChannelAccount, keep, dup) -> None:
    for field in CREDENTIALS:
        if not getattr(keep, field) and getattr(dup, field):
            setattr(keep, field, getattr(dup, field))
    if dup.callback_token and keep.callback_token == dup.callback_token:
        keep.callback_mode = dup.callback_mode
    keep.save()
    for rel in ChannelAccount._meta.related_objects:
        model, name = rel.related_model, rel.field.name
        if rel.many_to_many:
            through = getattr(model, name).through
            src, tgt = f"{model._meta.model_name}_id", "channelaccount_id"
            for row in through.objects.filter(**{tgt: dup.pk}):
                if through.objects.filter(**{src: getattr(row, src), tgt: keep.pk}).exists():
                    row.delete()
                else:
                    setattr(row, tgt, keep.pk)
                    row.save()
            continue
        if rel.one_to_one and model.objects.filter(**{name: keep}).exists():
            model.objects.filter(**{name: dup}).delete()  # the kept account's own settings stay
            continue
        for obj in model.objects.filter(**{name: dup}):
            setattr(obj, name, keep)
            try:
                with transaction.atomic():
                    obj.save()
            except IntegrityError:  # a row unique per account already on the kept one
                obj.delete()
    dup.delete()


def forwards(apps, schema_editor):
    ChannelAccount = apps.get_model("channels", "ChannelAccount")
    Account = apps.get_model("matrix", "Account")
    pairs = []
    for keep_slug, dup_slug in DEMO_PAIRS:
        keep = ChannelAccount.objects.filter(slug=keep_slug).first()
        dup = ChannelAccount.objects.filter(slug=dup_slug).first()
        if keep and dup and keep.platform == dup.platform:
            pairs.append((keep, dup))
    seen: dict[tuple[str, str], object] = {}
    for ch in ChannelAccount.objects.exclude(remote_id="").order_by("pk"):
        key = (ch.platform, ch.remote_id)
        if key in seen:
            pairs.append((seen[key], ch))
        else:
            seen[key] = ch
    for keep, dup in pairs:
        _merge(ChannelAccount, keep, dup)
    for ch in ChannelAccount.objects.filter(platform__in=PLATFORMS):
        acc = Account.objects.filter(
            platform=ch.platform, remote_id=ch.remote_id or None, channel__isnull=True
        ).first()
        if acc is None:  # the one entry of that platform for that department (the demo's)
            same = Account.objects.filter(
                platform=ch.platform, department_id=ch.department_id, channel__isnull=True
            )
            acc = same.first() if same.count() == 1 else None
        if acc and not Account.objects.filter(channel=ch).exists():
            acc.channel = ch
            acc.name = ch.name
            if (
                ch.remote_id
                and not Account.objects.filter(
                    platform=ch.platform, remote_id=ch.remote_id
                ).exists()
            ):
                acc.remote_id = ch.remote_id
            acc.department_id = ch.department_id
            acc.save()


class Migration(migrations.Migration):
    dependencies = [
        ("matrix", "0002_account_channel_alter_account_platform_and_more"),
        ("channels", "0003_pageview"),
        ("wechat", "0003_delivered_at_given_time"),
        ("inbox", "0002_replies_into_outbox"),
        ("qa", "0001_initial"),
        ("letters", "0003_notices_into_outbox"),
        ("publishing", "0003_publication_video"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
