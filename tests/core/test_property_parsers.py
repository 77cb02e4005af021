"""Property tests for everything that parses what strangers send: WeChat's XML pushes, Open311
requests, the CSV/xlsx/JSON imports (synonyms, dictionaries, leaders, answers, account
registry, collected records, counterfeit lists), the content checker and the personal-data
finder. Whatever arrives — arbitrary unicode with NUL, broken encodings, random bytes named
.xlsx, megabyte texts — the only exception is the domain error type (or the WeChat protocol's
own refusal), and nothing answers 500.

Kept fast for the normal suite: few examples each, no deadline, no example database."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govhub.core.errors import DomainError

pytestmark = pytest.mark.django_db

FAST = settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# any unicode a string can hold (surrogates cannot be encoded at all), NUL and controls included
ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=200)
# text shaped like what citizens write: Chinese, digits, separators, phone/ID-like runs
CHINESE = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
PIECES = st.one_of(
    st.text(alphabet=CHINESE, min_size=1, max_size=8),
    st.from_regex(r"1[3-9]\d{9}", fullmatch=True),
    st.from_regex(r"\d{6}(19|20)\d{2}[01]\d[0-3]\d\d{3}[\dXx]", fullmatch=True),
    st.from_regex(r"[+]?86[ -]?1\d{2}[ -]?\d{4}[ -]?\d{4}", fullmatch=True),
    st.from_regex(r"\d{4}( ?\d{4}){3,4}", fullmatch=True),
    st.sampled_from(["号", "室", "栋", "单元", "路", "街", "〔2026〕", "http://x.cn/", "身份证号"]),
    st.sampled_from(["，", "。", " ", "\n", "\x00", "\u200b", "\ufeff", "<", ">", "&", '"']),
    ANY_TEXT,
)
TEXTS = st.one_of(ANY_TEXT, st.lists(PIECES, max_size=25).map("".join))


def _within(text: str, start: int, end: int) -> bool:
    return 0 <= start <= end <= len(text)


# --- personal data ------------------------------------------------------------------------


@FAST
@given(text=TEXTS)
def test_find_personal_never_crashes_and_its_spans_are_its_values(text):
    from govhub.core.pii import find_personal, redact_text

    for p in find_personal(text):
        assert _within(text, p.start, p.end)
        assert text[p.start : p.end] == p.value
    redacted = redact_text(text)
    assert isinstance(redacted, str)
    if any(p.kind in ("mobile", "id_number") for p in find_personal(text)):
        assert redacted != text


def test_find_personal_on_a_megabyte():
    from govhub.core.pii import find_personal

    text = (
        "市民王小明，身份证号110101199003071234，电话 138 0013 8000，住东街12号3单元。" * 3
    ) * 6000
    text = text[: 1024 * 1024]
    found = find_personal(text)
    assert found and all(text[p.start : p.end] == p.value for p in found)


# --- the content checker ------------------------------------------------------------------


@FAST
@given(text=TEXTS, html=st.booleans())
def test_the_content_checker_never_crashes_and_points_inside_the_text(text, html):
    from govhub.safety.checker import check_text
    from govhub.safety.text import html_to_text

    checked = html_to_text(text) if html else text
    for f in check_text(text, html=html):
        assert _within(checked, f.start, f.end), (f, len(checked))
        assert f.code and f.message


def test_the_content_checker_on_a_megabyte_with_nul():
    from govhub.safety.checker import check_text

    text = ("关于做好冬季供暖工作的通知\x00各乡镇：联系电话13800138000。" * 40000)[: 1024 * 1024]
    found = check_text(text)
    assert all(_within(text, f.start, f.end) for f in found)
    assert any(f.code == "mobile" for f in found)


# --- tables: CSV, xlsx, JSON --------------------------------------------------------------

HEADERS = [
    # synonyms, dictionaries, leaders, answers, accounts, collected posts, counterfeits
    "同义词", "备注", "类别", "词语", "正确写法/新名称", "处理方式", "停用日期", "说明", "来源",
    "启用", "kind", "term", "severity", "since", "姓名", "职务", "层级", "任职日期", "离任日期",
    "标准问题", "相似问法", "答案", "责任部门", "相关链接", "外部编号", "question", "answer",
    "平台", "账号名称", "平台账号ID", "主办部门", "行政层级", "开设日期", "关停日期", "互动功能",
    "联系人", "联系电话", "名称", "account_id", "post_id", "published_at", "date",
]  # fmt: skip
CELL = st.one_of(
    ANY_TEXT.map(lambda s: s[:40]),
    st.sampled_from(
        ["wechat", "weibo", "微信", "县人社局", "rsj", "2026-01-01", "2026-13-45", "是", "否",
         "阻断", "提示", "typo", "banned", "县长", "1e400", "-1", "=1+1", "", "0"]
    ),
)  # fmt: skip
TABLE = st.tuples(
    st.lists(st.one_of(st.sampled_from(HEADERS), ANY_TEXT.map(lambda s: s[:10])), max_size=8),
    st.lists(st.lists(CELL, max_size=9), max_size=6),
)


def _csv(header, rows) -> str:
    out = io.StringIO()
    w = csv.writer(out)
    for r in [header, *rows]:
        w.writerow(r)
    return out.getvalue()


def _xlsx(header, rows) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    wb = Workbook()
    ws = wb.active
    for r in [header, *rows]:
        ws.append([ILLEGAL_CHARACTERS_RE.sub("", c) for c in r])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@st.composite
def uploads(draw) -> tuple[bytes, str]:
    """(bytes, file name): a table in one of the ways offices save them, or garbage."""
    header, rows = draw(TABLE)
    how = draw(
        st.sampled_from(["utf8", "utf8-bom", "gbk", "xlsx", "json", "jsonl", "bytes", "zip"])
    )
    text = _csv(header, rows)
    if how == "utf8":
        return text.encode("utf-8"), "t.csv"
    if how == "utf8-bom":
        return b"\xef\xbb\xbf" + text.encode("utf-8"), "t.csv"
    if how == "gbk":
        return text.encode("gb18030", "replace"), "t.csv"
    if how == "xlsx":
        return _xlsx(header, rows), "t.xlsx"
    if how in ("json", "jsonl"):
        items = [dict(zip(header, r, strict=False)) for r in rows]
        if how == "json":
            return json.dumps(items, ensure_ascii=False).encode(), "t.json"
        return "\n".join(json.dumps(i, ensure_ascii=False) for i in items).encode(), "t.jsonl"
    if how == "zip":  # a zip that is not a workbook
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("x.txt", text)
        return buf.getvalue(), draw(st.sampled_from(["t.xlsx", "t.csv"]))
    return draw(st.binary(max_size=300)), draw(
        st.sampled_from(["t.csv", "t.xlsx", "t.json", "t.jsonl", "t.txt", "t"])
    )


@pytest.fixture
def admin(county):
    return county.user("admin")


@settings(FAST, max_examples=15)
@given(upload=uploads())
def test_every_import_refuses_only_with_the_domain_error(admin, upload):
    from govhub.matrix import actions as matrix_actions
    from govhub.matrix import collect, counterfeit
    from govhub.matrix.tabular import read_table
    from govhub.portal.actions import import_synonyms
    from govhub.qa.actions import import_entries
    from govhub.safety.actions import import_leaders, import_terms

    data, name = upload
    calls = [
        lambda: read_table(data, name),
        lambda: import_synonyms(admin, data),
        lambda: import_terms(admin, data, name),
        lambda: import_leaders(admin, data, name),
        lambda: import_entries(admin, name, data),
        lambda: matrix_actions.validate_accounts(admin, data, name),
        lambda: matrix_actions.import_accounts(admin, data, name, import_valid_rows=True),
        lambda: counterfeit.import_seen(admin, data, name),
        *[
            (
                lambda kind=kind: collect.import_records(
                    admin, kind, data, name, import_valid_rows=True
                )
            )
            for kind in collect.SPECS
        ],
    ]
    for call in calls:
        try:
            call()
        except DomainError as exc:
            assert exc.message


def test_an_import_with_a_megabyte_cell_is_refused_or_read(admin):
    """csv's default field limit is 128 KiB: a bigger cell must not become a 500."""
    from govhub.matrix.tabular import read_table
    from govhub.portal.actions import import_synonyms
    from govhub.qa.actions import import_entries
    from govhub.safety.actions import import_terms

    data = ("词语,类别\n" + "供暖" * 300_000 + ",typo\n").encode()
    for call in (
        lambda: read_table(data, "big.csv"),
        lambda: import_synonyms(admin, data),
        lambda: import_terms(admin, data, "big.csv"),
        lambda: import_entries(admin, "big.csv", data),
    ):
        try:
            call()
        except DomainError as exc:
            assert exc.message


# --- WeChat pushes ------------------------------------------------------------------------

TAGS = st.sampled_from(
    ["ToUserName", "FromUserName", "CreateTime", "MsgType", "Content", "MsgId", "Event",
     "EventKey", "PicUrl", "MediaId", "Location_X", "Location_Y", "Scale", "Label", "Url",
     "Recognition", "Format", "Ticket", "Latitude", "Title"]
)  # fmt: skip
XML_SAFE = st.text(
    alphabet=st.characters(exclude_categories=("Cs", "Cc"), exclude_characters="]"), max_size=60
)
MSG_TYPES = st.sampled_from(
    ["text", "event", "image", "voice", "video", "location", "link", "shortvideo", "TEXT", "", "x"]
)


@st.composite
def pushes(draw) -> str:
    """A push as WeChat would send it, with some fields missing, repeated, nested or odd."""
    fields = [("ToUserName", draw(XML_SAFE)), ("FromUserName", draw(XML_SAFE))]
    fields.append(("MsgType", draw(MSG_TYPES)))
    fields += draw(st.lists(st.tuples(TAGS, XML_SAFE), max_size=6))
    if draw(st.booleans()):
        fields.append(("CreateTime", str(draw(st.integers(-(2**63), 2**63)))))
    body = "".join(f"<{k}><![CDATA[{v}]]></{k}>" for k, v in fields)
    if draw(st.booleans()):
        body += "<Nested><A>1</A></Nested>"
    return f"<xml>{body}</xml>"


@pytest.fixture
def wechat_account(county):
    from tests.wechat.helpers import make_account

    return make_account(county.departments["rmt"], "compatible")


@FAST
@given(xml=st.one_of(pushes(), ANY_TEXT), encrypt=st.booleans())
def test_a_signed_push_of_any_shape_never_answers_500(client, wechat_account, xml, encrypt):
    from tests.wechat.helpers import post

    res, _ = post(client, wechat_account, xml, encrypt=encrypt)
    assert res.status_code < 500, res.content[:300]


@FAST
@given(body=st.binary(max_size=400), params=st.dictionaries(
    st.sampled_from(["signature", "timestamp", "nonce", "encrypt_type", "msg_signature", "echostr"]),
    ANY_TEXT.map(lambda s: s[:30]),
))  # fmt: skip
def test_the_protocol_refuses_garbage_with_its_own_error(wechat_account, body, params):
    from govhub.wechat.protocol import CallbackError, open_message, safe_parse

    try:
        open_message(wechat_account, params, body)
    except CallbackError as exc:
        assert exc.status in (400, 403)
    with contextlib.suppress(CallbackError):
        safe_parse(body)


def test_xml_bombs_and_external_entities_are_refused(wechat_account):
    from govhub.wechat.protocol import CallbackError, safe_parse

    bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><xml>&b;</xml>'
    xxe = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml>&e;</xml>'
    )
    for xml in (bomb, xxe):
        with pytest.raises(CallbackError):
            safe_parse(xml)


# --- Open311 ------------------------------------------------------------------------------

OPEN311_FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "service_code": st.sampled_from(["construction", "labour", "other", "", "nope"]) | ANY_TEXT,
        "description": TEXTS,
        "lat": st.sampled_from(["nan", "inf", "-inf", "1e400", "91", "-90", "30.1", "", "北纬"])
        | st.floats(allow_nan=True).map(str)
        | ANY_TEXT,
        "long": st.sampled_from(["nan", "inf", "1e400", "181", "109.7", ""]) | st.floats().map(str),
        "address_string": TEXTS,
        "phone": st.sampled_from(["13800138000", "", "+86 138 0013 8000", "abc"]) | ANY_TEXT,
        "email": st.sampled_from(["a@b.cn", "", "@", "a@@b"]) | ANY_TEXT,
        "first_name": ANY_TEXT,
        "last_name": ANY_TEXT,
        "media_url": st.sampled_from(["http://x.cn/a.jpg", "javascript:alert(1)", "ftp://x", ""])
        | ANY_TEXT,
    },
)


@pytest.fixture
def open311_key(county):
    from govhub.api.auth import issue_token
    from tests.letters.helpers import make_categories

    make_categories(county)
    return issue_token(user=None, name="12345热线", scopes=["open311"])[1]


def _no_nul(d: dict) -> dict:
    # Django's test client refuses NUL in form values before the view sees them; a real
    # client's NUL reaches the view through the urlencoded body, tried separately below
    return {k: v.replace("\x00", "") for k, v in d.items()}


@FAST
@given(fields=OPEN311_FIELDS, fmt=st.sampled_from(["json", "xml"]))
def test_open311_requests_of_any_shape_never_answer_500(client, open311_key, fields, fmt):
    from django.core.cache import cache

    cache.clear()  # the rate limit is not under test here
    res = client.post(
        f"/api/open311/v2/requests.{fmt}", {"api_key": open311_key, **_no_nul(fields)}
    )
    assert res.status_code < 500, res.content[:300]
    if res.status_code == 400 and fmt == "json":
        assert all(e["code"] == 400 and e["description"] for e in res.json())
    lst = client.get(f"/api/open311/v2/requests.{fmt}", _no_nul({k: v for k, v in fields.items()}))
    assert lst.status_code < 500, lst.content[:300]


def test_open311_with_nul_and_broken_utf8_in_the_body(client, open311_key):
    for body in (
        b"api_key=" + open311_key.encode() + b"&service_code=other&description=%00%00&lat=1&long=2",
        b"api_key=" + open311_key.encode() + b"&description=%ff%fe%fd&address_string=%c3",
    ):
        res = client.generic(
            "POST",
            "/api/open311/v2/requests.json",
            body,
            content_type="application/x-www-form-urlencoded",
        )
        assert res.status_code < 500, res.content[:300]
