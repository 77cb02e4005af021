"""Keyword rules, knowledge-base answers, unanswered questions, import/export, evaluation."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from govhub.qa import actions, engine
from govhub.qa.models import KeywordRule, KnowledgeEntry, UnansweredQuestion

pytestmark = pytest.mark.django_db


def rule(**kw) -> KeywordRule:
    r = KeywordRule.objects.create(**{"name": "r", "reply_text": "x", **kw})
    engine.bump_version()
    return r


def test_exact_contains_and_regex_rules_by_priority():
    rule(name="exact", keywords="你好", match_type="exact", reply_text="您好！", priority=1)
    rule(
        name="contains",
        keywords="地址",
        match_type="contains",
        reply_text="人民路 1 号",
        priority=1,
    )
    rule(
        name="regex",
        keywords=r"\d{4}年.*放假",
        match_type="regex",
        reply_text="放假安排见通知",
        priority=1,
    )
    rule(
        name="high",
        keywords="中心地址",
        match_type="contains",
        reply_text="政务服务中心在人民路",
        priority=9,
    )
    assert engine.answer("你好").text == "您好！"
    assert engine.answer("你好，请问").kind != "rule"  # exact means exact
    assert engine.answer("服务中心地址在哪").text == "政务服务中心在人民路"
    assert engine.answer("银行地址").text == "人民路 1 号"
    assert engine.answer("2026年春节放假吗").text == "放假安排见通知"


def test_rules_outside_their_dates_or_for_another_account_do_not_fire(county):
    from tests.wechat.helpers import make_account

    a1, a2 = make_account(county.dept("rmt")), make_account(county.dept("rmt"))
    now = timezone.now()
    rule(
        name="old", keywords="防汛", reply_text="去年的防汛通知", ends_at=now - dt.timedelta(days=1)
    )
    rule(
        name="future", keywords="招聘", reply_text="下月招聘", starts_at=now + dt.timedelta(days=1)
    )
    rule(name="mine", keywords="投票", reply_text="投票活动", account=a1)
    assert engine.answer("防汛").kind == "none"
    assert engine.answer("招聘").kind == "none"
    assert engine.answer("投票", account_id=a1.pk).text == "投票活动"
    assert engine.answer("投票", account_id=a2.pk).kind == "none"


def test_the_knowledge_base_answers_paraphrases_and_counts_what_it_cannot_answer():
    from tests.wechat.helpers import make_entries

    make_entries()
    ans = engine.answer("宝宝出生了医保怎么参保")
    assert ans.kind == "kb" and "出生医学证明" in ans.text
    for _ in range(3):
        assert engine.answer("县城什么时候通高铁").kind == "none"
    assert UnansweredQuestion.objects.get().count == 3
    assert engine.top_unanswered()[0].text == "县城什么时候通高铁"


def test_a_question_worded_as_an_entry_is_that_entry_among_close_siblings(county):
    """Entries come in families (…怎么办理 / …需要什么材料 / …在哪里办): a citizen typing one of
    them word for word (or a variant, in 繁体, with punctuation) gets exactly that entry."""
    from govhub.qa import demo

    demo.build(county)
    entry = KnowledgeEntry.objects.get(question="结婚登记需要什么材料")
    for asked in ["结婚登记需要什么材料", "结婚登记需要什么材料？", " 結婚登記需要什麼材料 "]:
        ans = engine.answer(asked)
        assert ans.kind == "kb" and ans.entry_id == entry.pk and ans.confidence == 1.0, asked
        assert entry.pk not in [x["entry_id"] for x in ans.suggestions]
    entry.variants = "办结婚证要带什么"
    entry.save()
    engine.bump_version()  # as actions.save_entry does on commit
    ans = engine.answer("办结婚证要带什么")
    assert ans.entry_id == entry.pk and ans.confidence == 1.0


def test_the_demo_knowledge_base_answers_its_question_set(county):
    from govhub.qa import demo
    from govhub.qa.evaluate import evaluate

    demo.build(county)
    assert KnowledgeEntry.objects.count() >= 200
    pairs = demo.demo_questions()
    assert len([p for p in pairs if p[1]]) >= 300
    ev = evaluate(pairs)
    assert ev.top1 / ev.answerable >= 0.85
    assert ev.top3 / ev.answerable >= 0.95
    assert ev.false_answers / ev.must_not <= 0.05
    demo.build(county)  # idempotent
    assert KnowledgeEntry.objects.count() == 240


def test_import_csv_xlsx_and_jsonl_and_export_round_trip(county, tmp_path):
    csv_data = "标准问题,相似问法,答案,责任部门\n残疾人两项补贴怎么申请,两项补贴|残补申请,到乡镇民政办申请。,县民政局\n".encode()
    rep = actions.import_entries(None, "kb.csv", csv_data)
    assert (rep.created, rep.errors) == (1, [])
    e = KnowledgeEntry.objects.get(question="残疾人两项补贴怎么申请")
    assert e.variant_list() == ["两项补贴", "残补申请"] and e.department.code == "mzj"
    jsonl = json.dumps(
        {
            "question": "残疾人两项补贴怎么申请",
            "answer": "新答案：到乡镇民政办。",
            "variants": ["残补"],
        },
        ensure_ascii=False,
    ).encode()
    rep = actions.import_entries(None, "kb.jsonl", jsonl)
    assert rep.updated == 1 and KnowledgeEntry.objects.get().answer.startswith("新答案")
    xlsx = actions.export_entries("xlsx")
    KnowledgeEntry.objects.all().delete()
    assert actions.import_entries(None, "kb.xlsx", xlsx).created == 1
    assert "残疾人两项补贴" in actions.export_entries("csv").decode("utf-8-sig")


def test_a_bad_file_imports_nothing_and_says_which_row():
    data = "标准问题,答案,责任部门\n有答案的问题,答案,\n,缺问题,\n部门不对的问题,答案,不存在局\n".encode()
    rep = actions.import_entries(None, "kb.csv", data)
    assert any("第 3 行" in e for e in rep.errors) and any("不存在局" in e for e in rep.errors)
    assert not KnowledgeEntry.objects.exists()
    with pytest.raises(actions.ImportError_):
        actions.import_entries(None, "kb.pdf", b"%PDF")


def test_the_commands_import_and_evaluate(county, tmp_path):
    kb = tmp_path / "kb.jsonl"
    kb.write_text(
        "\n".join(
            json.dumps(r, ensure_ascii=False)
            for r in [
                {
                    "question": "怎么办理居住证",
                    "answer": "到派出所申领。",
                    "variants": ["居住证在哪办"],
                },
                {"question": "公积金怎么提取", "answer": "到公积金中心。", "external_id": "gjj-1"},
            ]
        ),
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("qa", "import", str(kb), stdout=out)
    assert "新增 2 条" in out.getvalue()
    qs = tmp_path / "q.jsonl"
    qs.write_text(
        "\n".join(
            json.dumps(r, ensure_ascii=False)
            for r in [
                {"question": "居住证去哪里办理", "expected": "怎么办理居住证"},
                {"question": "住房公积金提取流程", "expected": "gjj-1"},
                {"question": "今天天气怎么样", "expected": None},
            ]
        ),
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("qa", "evaluate", str(qs), stdout=out)
    assert "top-1 100.0%" in out.getvalue() and "误答率 0.0%" in out.getvalue()


def test_an_edit_in_another_worker_shows_here_within_a_second(monkeypatch):
    """The version is read from the shared cache at most once a VERSION_READ_EVERY (the WeChat
    callback asks for it with every message); this worker's own edits show at once."""
    from django.core.cache import cache

    clock = [1000.0]
    monkeypatch.setattr(engine.time, "monotonic", lambda: clock[0])
    first = engine.current_version()
    cache.set(engine.VERSION_KEY, "edited elsewhere", None)  # another worker's bump_version
    assert engine.current_version() == first
    clock[0] += engine.VERSION_READ_EVERY
    assert engine.current_version() == "edited elsewhere"
    engine.bump_version()
    assert engine.current_version() == cache.get(engine.VERSION_KEY) != "edited elsewhere"
