"""One record per real account: the WeChat account that answers citizens, the publishing
target and the supervision registry's entry are one account (data migration and link)."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from govhub.channels.models import ChannelAccount
from govhub.core.models import Role
from govhub.matrix import actions
from govhub.matrix.models import Account
from govhub.wechat.models import AccountSettings, Subscriber
from tests.factories import make_department, make_user
from tests.matrix.helpers import make_account

migration = importlib.import_module("govhub.matrix.migrations.0003_one_account_record")


@pytest.fixture
def rmt(db):
    root = make_department(name="示范县", code="sfx")
    return make_department(root, name="县融媒体中心", code="rmt")


def test_the_callback_account_and_the_publishing_target_become_one(rmt):
    target = ChannelAccount.objects.create(
        platform="wechat", name="示范县发布", slug="shifan-wechat", remote_id="gh_1", department=rmt
    )
    callback = ChannelAccount.objects.create(
        platform="wechat",
        name="示范县发布",
        slug="shifan-fabu",
        remote_id="gh_2",
        department=rmt,
        callback_token="tok",
        encoding_aes_key="k" * 43,
        callback_mode="safe",
    )
    Subscriber.objects.create(account=callback, openid="o1")
    AccountSettings.objects.create(account=callback, welcome_text="欢迎")
    entry = make_account(rmt, name="示范县融媒体中心", remote_id="demo-wechat-rmt")

    migration.forwards(apps, None)

    assert list(ChannelAccount.objects.values_list("slug", flat=True)) == ["shifan-wechat"]
    target.refresh_from_db()
    assert target.callback_token == "tok" and target.callback_mode == "safe"
    assert Subscriber.objects.get(openid="o1").account == target
    assert AccountSettings.objects.get().account == target
    entry.refresh_from_db()
    assert entry.channel == target and entry.name == "示范县发布" and entry.remote_id == "gh_1"


def test_linking_takes_name_and_id_from_the_channel_account_and_sync_follows_renames(rmt):
    sup = make_user("sup", department=rmt, role=Role.ADMINISTRATOR)
    ch = ChannelAccount.objects.create(
        platform="weibo", name="示范县发布", slug="wb", remote_id="555", department=rmt
    )
    entry = make_account(rmt, platform="weibo", name="旧名称")
    actions.link_channel_account(sup, entry, ch)
    entry.refresh_from_db()
    assert (entry.name, entry.remote_id, entry.channel_id) == ("示范县发布", "555", ch.pk)
    ChannelAccount.objects.filter(pk=ch.pk).update(name="示范县融媒")
    assert actions.sync_channel_accounts() == 1
    assert Account.objects.get(pk=entry.pk).name == "示范县融媒"
    rss = ChannelAccount.objects.create(platform="rss", name="订阅", slug="rss", department=rmt)
    with pytest.raises(actions.RegistryError):
        actions.link_channel_account(sup, make_account(rmt), rss)
