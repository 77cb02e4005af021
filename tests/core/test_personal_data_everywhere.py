"""What a citizen types stays theirs: a phone, a resident ID number (valid check digit) and a bank
card typed into a letter, an answers-engine question (and its hand-over to the inbox), a 找错
report and a board post are looked for afterwards in every row of every table (raw SQL, both
engines), in everything logged, and in the pages and API answers of staff without the right to
see personal data. None may appear; staff with the right see the letter in full."""

from __future__ import annotations

import io
import logging
import re

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection

from govhub.api.auth import issue_token
from govhub.core.pii import RedactingFilter, id_check_digit_ok, luhn_ok
from govhub.inbox.models import InboxMessage
from govhub.letters import actions
from govhub.letters.models import Letter
from govhub.participation.models import BoardColumn, Post
from govhub.portal.models import SiteErrorReport
from govhub.qa.models import UnansweredQuestion
from tests.letters.helpers import make_categories

pytestmark = pytest.mark.django_db

PHONE = "13987654321"


def _valid_id(stem: str = "11010519800101123") -> str:
    for check in "0123456789X":
        if id_check_digit_ok(stem + check):
            return stem + check
    raise AssertionError("no check digit")  # pragma: no cover


def _valid_card(stem: str = "622202020011223") -> str:
    return next(stem + d for d in "0123456789" if luhn_ok(stem + d))


ID_NUMBER = _valid_id()
CARD = _valid_card()
SECRETS = (PHONE, ID_NUMBER, CARD)
STAFF_NOTE = f"来信人电话{PHONE}，身份证{ID_NUMBER}，请核实后办理"


def _leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


@pytest.fixture
def project_log():
    """The console handler as settings.LOGGING built it (with its personal-data filter), writing
    into a buffer; every logger at DEBUG, SQL included, while the test runs."""
    handlers = [
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RedactingFilter) for f in h.filters)
    ]
    assert handlers, "settings.LOGGING's console handler carries the RedactingFilter"
    buf = io.StringIO()
    old = [(h, h.setStream(buf)) for h in handlers if isinstance(h, logging.StreamHandler)]
    root, sql = logging.getLogger(), logging.getLogger("django.db.backends")
    levels = root.level, sql.level, sql.propagate
    root.setLevel(logging.DEBUG)
    sql.setLevel(logging.DEBUG)
    sql.propagate = True
    connection.force_debug_cursor = True
    try:
        yield buf
    finally:
        connection.force_debug_cursor = False
        root.setLevel(levels[0])
        sql.setLevel(levels[1])
        sql.propagate = levels[2]
        for h, stream in old:
            h.setStream(stream)


def _every_row() -> str:
    """Every value of every table, as stored (raw SQL), plus the decoded session data."""
    out = []
    with connection.cursor() as cur:
        for table in connection.introspection.table_names():
            cur.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            out.extend(repr(row) for row in cur.fetchall())
        cur.execute("SELECT session_data FROM django_session")
        out.extend(repr(SessionStore().decode(data)) for (data,) in cur.fetchall())
    return "\n".join(out)


def _write_letter(client) -> Letter:
    html = client.get("/letters/write/").content.decode()
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    r = client.post(
        "/letters/write/",
        {
            "subject": f"工资被拖欠，请回电{PHONE}",
            "content": f"我叫张三，身份证号{ID_NUMBER}，工资卡{CARD}，手机{PHONE}。"
            "老板拖欠我三个月工资。",
            "name": "张三",
            "phone": PHONE,
            "token": token,
        },
    )
    assert r.status_code in (200, 302), r.content.decode()[:500]
    return Letter.objects.get(channel="portal")


def test_typed_numbers_are_nowhere_in_the_database_logs_or_pages_of_staff_without_the_right(
    client, county, project_log
):
    make_categories(county)
    column = BoardColumn.objects.create(name="社保就业", department=county.dept("rsj"))

    # a citizen: a letter, a question (and its hand-over to staff), an error report, a post
    letter = _write_letter(client)
    question = f"我的社保卡{CARD}怎么挂失？身份证{ID_NUMBER}，电话{PHONE}"
    assert client.post("/qa/", {"q": question}).status_code == 200
    assert client.post("/qa/handover/", {"q": question}).status_code == 302
    report = client.post(
        "/report-error/",
        {
            "kind": "wrong_info",
            "description": f"页面把我的身份证号{ID_NUMBER}和银行卡{CARD}公开了",
            "contact": PHONE,
            "page_url": "/tzgg/",
        },
    )
    assert "感谢您的反馈" in report.content.decode()
    post = client.post(
        "/participation/board/new/",
        {"column": column.pk, "title": "社保卡挂失", "text": f"我的手机{PHONE}，卡号{CARD}"},
    )
    # the board publishes what it keeps: personal data is refused at once, nothing stored
    assert post.status_code == 400 and "请不要在公开内容中填写" in post.content.decode()
    assert not Post.objects.exists()
    # a program error quoting what was typed, logged with its traceback
    try:
        raise ValueError(f"无法处理来信：{letter.content}")
    except ValueError:
        logging.getLogger("govhub.letters").exception("来信 %s 出错", letter.subject)

    # the letter goes to the 人社局, whose reviewer (no right to personal data) sees it; staff
    # write notes of their own on the way that repeat the citizen's numbers
    actions.dispatch_letter(
        county.user("dispatcher"), letter, department=county.dept("rsj"), note=STAFF_NOTE
    )
    handler = county.user("handler")
    actions.accept_letter(handler, letter, note=STAFF_NOTE)
    actions.request_extension(handler, letter, days=5, reason=STAFF_NOTE)
    actions.draft_reply(handler, letter, body=f"已电话联系{PHONE}，核对身份证{ID_NUMBER}后办理。")
    assert SiteErrorReport.objects.count() == 1 and InboxMessage.objects.count() == 1
    assert UnansweredQuestion.objects.count() == 1

    # 1. the database, every row of every table as stored
    assert _leaks(_every_row()) == []
    # ... while the application reads them back in full
    letter.refresh_from_db()
    assert ID_NUMBER in letter.content and CARD in letter.content and PHONE in letter.subject
    assert SiteErrorReport.objects.get().contact == PHONE
    assert ID_NUMBER in InboxMessage.objects.get().text
    assert letter.events.filter(kind="dispatched").get().note == STAFF_NOTE
    assert letter.extensions.get().reason == STAFF_NOTE
    assert PHONE in letter.replies.get().body

    # 2. the logs, SQL included
    logged = project_log.getvalue()
    assert "无法处理来信" in logged and "Traceback" in logged and "INSERT" in logged
    assert _leaks(logged) == []

    # 3. staff without the right: back-office pages and the API
    reviewer = county.user("rsj_reviewer")
    client.force_login(reviewer)
    pages = {
        "queue": client.get("/admin/letters/?tab=all"),
        "search": client.get("/admin/letters/?tab=all&q=工资"),
        "letter": client.get(f"/admin/letters/{letter.pk}/"),
    }
    assert letter.tracking_code in pages["search"].content.decode()
    _, key = issue_token(user=reviewer, name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    listed = client.get("/api/letters/", **auth)
    one = client.get(f"/api/letters/{letter.pk}", **auth)
    assert [r["id"] for r in listed.json()] == [letter.pk]
    masked_id = f"{ID_NUMBER[:3]}{'*' * 11}{ID_NUMBER[-4:]}"
    assert masked_id in one.json()["content"] and "139****4321" in one.json()["subject"]
    editor = county.user("editor")  # handles the inbox and the answers, no right either
    client.force_login(editor)
    msg = InboxMessage.objects.get()
    pages["inbox"] = client.get("/admin/inbox/")
    pages["message"] = client.get(f"/admin/inbox/{msg.pk}/")
    pages["answers"] = client.get("/admin/qa/")
    for name, response in {**pages, "api list": listed, "api letter": one}.items():
        assert response.status_code == 200, name
        assert _leaks(response.content.decode()) == [], name
    assert masked_id in pages["letter"].content.decode()
    # the staff notes shown to them masked, the redacted copy of the event note read
    assert f"来信人电话139****4321，身份证{masked_id}" in pages["letter"].content.decode()
    notes = [e["note"] for e in one.json()["events"] if e["note"]]
    assert f"来信人电话139****4321，身份证{masked_id}，请核实后办理" in notes
    assert "139****4321" in pages["message"].content.decode()

    # 4. the public: Open311 gives no body of an unpublished letter
    client.logout()
    public = client.get(f"/api/open311/v2/requests/{letter.tracking_code}.json")
    assert public.status_code == 200 and _leaks(public.content.decode()) == []

    # staff with the right (the 人社局 handler) read the letter as the citizen wrote it
    client.force_login(county.user("handler"))
    full = client.get(f"/admin/letters/{letter.pk}/").content.decode()
    assert ID_NUMBER in full and CARD in full and PHONE in full
    assert STAFF_NOTE in full  # the staff notes too
    _, key = issue_token(user=county.user("handler"), name="h")
    api = client.get(f"/api/letters/{letter.pk}", HTTP_AUTHORIZATION=f"Bearer {key}").json()
    assert ID_NUMBER in api["content"] and PHONE in api["subject"]


def test_unanswered_questions_are_kept_redacted(county):
    from govhub.qa.engine import record_unanswered

    record_unanswered(f"医保卡丢了怎么办，我电话{PHONE}，身份证{ID_NUMBER}", "web")
    (row,) = UnansweredQuestion.objects.all()
    assert (
        row.text
        == f"医保卡丢了怎么办，我电话139****4321，身份证{ID_NUMBER[:3]}{'*' * 11}{ID_NUMBER[-4:]}"
    )


def test_key_rotation_re_encrypts_letters_inbox_and_error_reports(county, settings):
    import base64

    from django.core.management import call_command

    from govhub.core import pii
    from govhub.inbox.intake import receive_message
    from govhub.portal.reports import submit_error_report
    from tests.letters.helpers import letter

    make_categories(county)
    lt = letter(content=f"身份证{ID_NUMBER}，请回电{PHONE}")
    receive_message(channel="chat", sender_ref="chat-x", text=f"电话{PHONE}", remote_id="r1")
    submit_error_report(page_url="/", kind="typo", description=f"卡号{CARD}被公开", contact=PHONE)
    columns = [
        ("letters_letter", "content"),
        ("letters_letter", "subject"),
        ("inbox_inboxmessage", "text"),
        ("portal_siteerrorreport", "description"),
        ("portal_siteerrorreport", "contact"),
    ]

    def raw() -> list[str]:
        with connection.cursor() as cur:
            values = []
            for table, column in columns:
                cur.execute(f"SELECT {column} FROM {table}")
                values += [v for (v,) in cur.fetchall()]
            return values

    old = pii.newest_key_id()
    assert all(v.startswith(f"pii1:{old}:") for v in raw())
    new_key = base64.b64encode(b"r" * 32).decode()
    settings.PII_KEYS = f"k2027:{new_key},{settings.PII_KEYS}"
    pii.reset_keys()
    try:
        call_command("pii", "rotate", stdout=io.StringIO())
        assert all(v.startswith("pii1:k2027:") for v in raw())
        settings.PII_KEYS = f"k2027:{new_key}"  # the old key gone: everything still reads
        pii.reset_keys()
        lt.refresh_from_db()
        assert ID_NUMBER in lt.content and lt.content_redacted.endswith("请回电139****4321")
        assert SiteErrorReport.objects.get().contact == PHONE
    finally:
        pii.reset_keys()


def test_open311_gives_the_exact_point_only_to_staff_with_the_right(client, county):
    from tests.letters.helpers import letter

    make_categories(county)
    lt = letter(latitude=34.51234, longitude=109.72345, address="幸福小区3号楼2单元501室")
    actions.dispatch_letter(county.user("dispatcher"), lt, department=county.dept("rsj"))
    url = f"/api/open311/v2/requests/{lt.tracking_code}.json"

    def where(user=None) -> tuple:
        key = ""
        if user is not None:
            _, key = issue_token(user=county.user(user), name=user, scopes=["open311"])
        row = client.get(url, {"api_key": key} if key else {}).json()[0]
        return row["lat"], row["long"], row["address"]

    exact = (34.51234, 109.72345)
    assert where("handler")[:2] == exact and "3号楼2单元501室" in where("handler")[2]
    for reader in (None, "rsj_reviewer"):  # anonymous, and staff without the right
        lat, lng, address = where(reader)
        assert (lat, lng) == (34.515, 109.725) and "501" not in address


def test_the_data_migration_encrypts_clear_rows_and_fills_the_copies(county):
    """What letters 0005 (and the other encrypt_* migrations) run, on rows written before them."""
    from types import SimpleNamespace

    from django.apps import apps

    from govhub.core.pii import encrypt_columns
    from tests.letters.helpers import letter

    make_categories(county)
    lt = letter(subject="旧信", content="x" * 10)
    with connection.cursor() as cur:  # as stored before: clear text, no copies
        cur.execute(
            "UPDATE letters_letter SET subject = %s, content = %s, subject_redacted = '', "
            "content_redacted = '' WHERE id = %s",
            [f"请回电{PHONE}", f"身份证{ID_NUMBER}，卡{CARD}", lt.pk],
        )
    operation = encrypt_columns(
        {"letters.Letter": {"subject": "subject_redacted", "content": "content_redacted"}}
    )
    editor = SimpleNamespace(connection=connection)

    def raw() -> tuple:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT subject, content, subject_redacted, content_redacted FROM letters_letter"
                " WHERE id = %s",
                [lt.pk],
            )
            return cur.fetchone()

    operation.code(apps, editor)
    first = raw()
    assert first[0].startswith("pii1:") and first[1].startswith("pii1:")
    assert first[2] == "请回电139****4321" and _leaks(repr(first)) == []
    operation.code(apps, editor)  # a re-run changes nothing
    assert raw() == first
    lt.refresh_from_db()
    assert lt.subject == f"请回电{PHONE}" and CARD in lt.content
    operation.reverse_code(apps, editor)  # the way back
    assert raw()[:2] == (f"请回电{PHONE}", f"身份证{ID_NUMBER}，卡{CARD}")


def test_staff_notes_elsewhere_are_encrypted_at_rest_and_masked(county):
    """The 差评 call-back record and a moderator's reason, written with a phone and an ID."""
    from govhub.core.pii import shown_text
    from govhub.participation import actions as participation
    from govhub.ratings import actions as ratings
    from tests.services.helpers import make_guide

    guide = make_guide(department=county.dept("rsj"))
    bad = ratings.rate(ratings.rating_token("guide", guide.pk), 1, "窗口说材料不全")
    ratings.close_callback(county.user("admin"), bad.callback, STAFF_NOTE)
    column = BoardColumn.objects.create(name="社保就业", department=county.dept("rsj"))
    post = participation.submit_post(column, title="灵活就业怎么参保？", text="想参加养老保险。")
    participation.moderate_post(county.user("reviewer"), post, approve=False, reason=STAFF_NOTE)

    assert _leaks(_every_row()) == []
    bad.callback.refresh_from_db()
    post.refresh_from_db()
    assert bad.callback.result == STAFF_NOTE and post.reject_reason == STAFF_NOTE
    masked = shown_text(county.user("rsj_reviewer"), bad.callback, "result")
    assert "139****4321" in masked and _leaks(masked) == []


def test_a_letter_is_not_published_with_personal_data_left_in_the_reply(county):
    from govhub.core.errors import DomainError
    from tests.letters.helpers import letter

    make_categories(county)
    lt = letter(content="路灯坏了")
    Letter.objects.filter(pk=lt.pk).update(status="replied", publish_consent=True)
    with pytest.raises(DomainError) as exc:
        actions.publish_letter(
            county.user("admin"),
            lt,
            subject="路灯坏了",
            content="幸福路的路灯坏了",
            reply=f"已修复，有问题请联系来信人{PHONE}。",
        )
    assert "个人信息" in exc.value.message and PHONE not in exc.value.message
    lt.refresh_from_db()
    assert not lt.published
    actions.publish_letter(
        county.user("admin"),
        lt,
        subject="路灯坏了",
        content="幸福路的路灯坏了",
        reply="已修复，有问题请拨打12345。",
    )
    lt.refresh_from_db()
    assert lt.published


def test_the_staff_notes_migration_encrypts_clear_rows_and_is_safe_to_re_run(county):
    """What letters 0008 runs, on an event note and a reply draft written before it."""
    import importlib
    from types import SimpleNamespace

    from django.apps import apps

    from govhub.letters.models import LetterEvent, Reply
    from tests.letters.helpers import letter

    migration = importlib.import_module("govhub.letters.migrations.0008_encrypt_staff_notes")
    (operation,) = [op for op in migration.Migration.operations if hasattr(op, "reverse_code")]
    make_categories(county)
    lt = letter(content="路灯坏了")
    event = LetterEvent.objects.create(letter=lt, kind="note", label="备注", at=lt.received_at)
    reply = Reply.objects.create(letter=lt, department=county.dept("rsj"), body="草稿")
    with connection.cursor() as cur:  # as stored before: clear text, no copies
        cur.execute(
            "UPDATE letters_letterevent SET note = %s, note_redacted = '' WHERE id = %s",
            [STAFF_NOTE, event.pk],
        )
        cur.execute(
            "UPDATE letters_reply SET body = %s, body_redacted = '' WHERE id = %s",
            [STAFF_NOTE, reply.pk],
        )
    editor = SimpleNamespace(connection=connection)

    def raw() -> tuple:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT note, note_redacted FROM letters_letterevent WHERE id = %s", [event.pk]
            )
            ev = cur.fetchone()
            cur.execute("SELECT body, body_redacted FROM letters_reply WHERE id = %s", [reply.pk])
            return ev + cur.fetchone()

    operation.code(apps, editor)
    first = raw()
    assert first[0].startswith("pii1:") and first[2].startswith("pii1:")
    assert first[1] == first[3] and "139****4321" in first[1] and _leaks(repr(first)) == []
    operation.code(apps, editor)  # a re-run changes nothing
    assert raw() == first
    event.refresh_from_db()
    reply.refresh_from_db()
    assert event.note == STAFF_NOTE and reply.body == STAFF_NOTE
    operation.reverse_code(apps, editor)  # the way back
    assert raw()[0] == STAFF_NOTE and raw()[2] == STAFF_NOTE
