"""Demo channel accounts of 示范县 (and the short-video accounts 抖音, 视频号).

The WeChat and Weibo accounts point at no real server and carry no credentials: in the demo
their deliveries show the clear state "渠道未配置" (nothing is sent anywhere). To see them go
out, run a fake API (tests/fakes) and fill in AppID/AppSecret or the Weibo token and 接口地址
under 渠道账号 — then press 重试 on the delivery. Portal, RSS and e-mail work as they are.
"""

from __future__ import annotations

from govhub.channels.models import ChannelAccount

ACCOUNTS = [
    # slug, platform, name, remote id, department code
    ("shifan-portal", "portal", "示范县人民政府门户网站", "", "gov-office"),
    ("shifan-wechat", "wechat", "示范县发布", "gh_shifan0001", "rmt"),
    ("shifan-weibo", "weibo", "示范县发布（微博）", "5550001", "rmt"),
    ("shifan-rss", "rss", "示范县政务发布 RSS", "", "rmt"),
    ("shifan-email", "email", "示范县政务发布邮件订阅", "", "rmt"),
    # short video: not among the demo pieces' targets (they carry no video); an editor picks
    # them for a piece with a video. 抖音 without authorisation shows 渠道未配置; 视频号 waits
    # for the editor (待人工发表) as it does in production.
    ("video-douyin", "douyin", "示范县发布（抖音）", "", "rmt"),
    ("video-sph", "wechat_channels", "示范县发布（视频号）", "", "rmt"),
]


# the county's one WeChat account: it publishes, it answers citizens (callback in safe mode),
# and supervision's registry entry refers to it (matrix.Account.channel). Receiving needs only
# the callback token and key; sending needs AppID/AppSecret, which the demo leaves empty.
CALLBACK = {
    "shifan-wechat": {
        "app_id": "wx-shifan-demo",  # AppID is public; the AppSecret stays empty in the demo
        "callback_token": "shifan-demo-token",
        "encoding_aes_key": "ShifanDemoEncodingAesKey0123456789abcdefghi",
        "callback_mode": "safe",
    }
}
WECHAT_SLUG = "shifan-wechat"


def build(county, only: set[str] | None = None) -> None:
    """The county's channel accounts, one record each (built once; other apps' demos use them:
    ``only`` builds just those slugs, e.g. the WeChat account the wechat demo configures)."""
    for slug, platform, name, remote_id, dept in ACCOUNTS:
        if only is not None and slug not in only:
            continue
        ChannelAccount.objects.get_or_create(
            slug=slug,
            defaults={
                "platform": platform,
                "name": name,
                "remote_id": remote_id,
                "department": county.dept(dept).__class__.objects.get(code=dept),
                **CALLBACK.get(slug, {}),
            },
        )
