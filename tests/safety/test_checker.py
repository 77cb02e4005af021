"""The shared content checker on small texts written for these tests."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from govhub.core.pii import find_personal, redact_text
from govhub.safety.checker import Checker
from govhub.safety.lexicon import Entry, Leader, Lexicon, base_lexicon

TODAY = dt.date(2026, 6, 1)


@pytest.fixture(scope="module")
def checker():
    return Checker(lexicon=base_lexicon())


def codes(findings):
    return [f.code for f in findings]


def found(checker, text, as_of=TODAY):
    return [(f.code, text[f.start : f.end], f.suggestion) for f in checker.check(text, as_of=as_of)]


def _id(body17: str) -> str:
    w = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body17 + "10X98765432"[sum(int(c) * x for c, x in zip(body17, w, strict=True)) % 11]


# --- personal data: one pattern set ----------------------------------------------------------


def test_mobile_numbers_written_with_spaces_hyphens_or_country_code():
    for written in ("13800138000", "138 0013 8000", "138-0013-8000", "+86 138 0013 8000"):
        (p,) = find_personal(f"请联系{written}。")
        assert p.kind == "mobile" and p.value == written


def test_id_numbers_valid_wrong_check_digit_and_spaced_with_the_name_beside():
    good = _id("11010519900307451")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    assert [(p.kind, p.detail) for p in find_personal(f"号码{good}")] == [("id_number", "")]
    assert [(p.kind, p.detail) for p in find_personal(f"号码{bad}")] == [
        ("id_number", "check_digit")
    ]
    spaced = f"{good[:6]} {good[6:14]} {good[14:]}"
    assert [p.kind for p in find_personal(f"身份证 {spaced}")] == ["id_number"]
    kinds = [(p.kind, p.value) for p in find_personal(f"王建国，身份证号{good}")]
    assert kinds == [("name", "王建国"), ("id_number", good)]
    # 申请人 is a role, not a name
    assert [p.kind for p in find_personal(f"申请人{good}")] == ["id_number"]


def test_bank_cards_pass_luhn_and_home_addresses_have_house_numbers():
    assert [p.kind for p in find_personal("退款至 6222 0200 0000 0000 008")] == []  # fails Luhn
    assert [p.kind for p in find_personal("退款至 4111 1111 1111 1111")] == ["bank_card"]
    (addr,) = find_personal("家住城关镇幸福小区3栋2单元402室，")
    assert addr.kind == "address" and addr.value.endswith("402室")
    assert find_personal("办公地址：县人民路88号") == []  # an office address is public


def test_public_numbers_document_numbers_dates_amounts_urls_are_not_personal_data():
    text = (
        "根据冀政办〔2026〕12号和县政发[2025]3号文件，2024年1月15日起，"
        "补助12,345.67元，服务热线0311-12345678、12345，办事大厅0000-12345。"
        "详见 https://www.example.gov.cn/art/2024/110105194912310021.html，"
        "统一社会信用代码：111301000000123456。"
    )
    assert find_personal(text) == []
    # a number the county publishes on purpose, registered as a public number
    assert find_personal("值班手机13800138000", public_numbers={"13800138000"}) == []


def test_logs_and_audit_mask_what_the_checker_blocks(county):
    from govhub.core import audit

    assert redact_text("回电 138 0013 8000") == "回电 138****8000"
    assert "8000" in redact_text("回电 138-0013-8000") and "0013" not in redact_text(
        "回电 138-0013-8000"
    )
    rec = audit.record(actor=None, action="test_note", summary={"note": "电话 138 0013 8000"})
    assert "0013" not in str(rec.summary)


# --- wording ------------------------------------------------------------------------------------


def test_the_state_name_and_set_phrases_one_character_off(checker):
    assert found(checker, "中华人民共合国成立七十五周年")[0][:2] == ("state_name", "中华人民共合国")
    assert found(checker, "热烈庆祝中共人民共和国成立")[0][2] == "中华人民共和国"
    hits = found(
        checker, "各级人民攻府要加强领导小姐办公室建设，深入推进扫黑险恶，齐齐哈市秸杆禁烧"
    )
    wrong = ["人民攻府", "领导小姐", "扫黑险恶", "齐齐哈市", "秸杆"]
    assert [h[1][: len(w)] for h, w in zip(hits, wrong, strict=True)] == wrong
    # a different real body one character away is not an error
    assert found(checker, "充分发挥人民政协的作用，营造良好的经营环境。") == []


def test_outdated_names_after_the_reform_date_unless_historical(checker):
    (hit,) = found(checker, "国土资源部印发通知。")
    assert hit == ("outdated_name", "国土资源部", "自然资源部")
    assert found(checker, "国土资源部印发通知。", as_of=dt.date(2016, 5, 1)) == []
    assert found(checker, "原国土资源部印发的通知继续有效。") == []
    assert found(checker, "2015年，国土资源部印发通知。") == []
    assert found(checker, "县人事部门和文化部门负责。") == []
    assert found(checker, "住房和城乡建设部发布。") == []


def test_political_expressions(checker):
    assert found(checker, "台湾总统发表讲话。")[0][2] == "台湾地区领导人"
    assert codes(checker.check("台湾国的选举", as_of=TODAY)) == ["political"]
    assert checker.check("中国国民党和台湾国民党", as_of=TODAY) == []
    assert codes(checker.check("美国、日本、香港等国家的游客", as_of=TODAY)) == ["political"]
    assert checker.check("美国、日本、香港等国家和地区的游客", as_of=TODAY) == []
    assert found(checker, "推动中国和香港的交流")[0][2] == "内地与香港"
    assert codes(checker.check("坚决反对台独分裂行径", as_of=TODAY)) == ["political"]
    assert checker.check("坚决反对“台独”分裂行径，依法打击“法轮功”邪教组织", as_of=TODAY) == []
    assert codes(checker.check("中华民国政府表示", as_of=TODAY)) == ["political"]
    assert checker.check("中华民国成立于1912年。", as_of=TODAY) == []


def test_leaders_names_and_titles_follow_the_list_in_force_on_the_day():
    lex = Lexicon(
        base_lexicon().entries,
        [
            Leader("杜家毫", "省委书记", "provincial", dt.date(2016, 8, 1), dt.date(2020, 10, 1)),
            Leader("李强", "国务院总理", start=dt.date(2023, 3, 11)),
            Leader("李克强", "国务院总理", start=dt.date(2013, 3, 15), end=dt.date(2023, 3, 11)),
            Leader("习近平", "国家主席", start=dt.date(2013, 3, 14)),
        ],
    )
    c = Checker(lexicon=lex)
    when = dt.date(2019, 5, 1)
    assert found(c, "省委书记杜家豪出席会议", when) == [("leader_name", "杜家豪", "杜家毫")]
    assert found(c, "省委书记杜家毫出席会议", when) == []
    assert found(c, "国务院总理李克，", dt.date(2015, 1, 1)) == [("leader_name", "李克", "李克强")]
    (late,) = c.check("国务院总理李克强主持会议", as_of=dt.date(2024, 1, 1))
    assert (
        late.code == "leader_title" and "卸任" in late.message and late.suggestion.endswith("李强")
    )
    assert c.check("时任国务院总理李克强主持会议", as_of=dt.date(2024, 1, 1)) == []
    (wrong,) = c.check("国务院总理习近平", as_of=dt.date(2024, 1, 1))
    assert wrong.code == "leader_title"


def test_typos_and_confusables_found_by_the_language_model(checker):
    hits = checker.check("会议要求，各部门要认真贯彻落实会议精神，切实加强组织令导。", as_of=TODAY)
    (typo,) = [f for f in hits if f.code == "typo"]
    assert (typo.excerpt, typo.suggestion) == ("令", "领")
    assert (
        checker.check("会议要求，各部门要认真贯彻落实会议精神，切实加强组织领导。", as_of=TODAY)
        == []
    )


def test_traditional_characters_get_one_finding_per_run(checker):
    (f,) = checker.check("本县召開會議，研究部署工作。", as_of=TODAY)
    assert f.code == "traditional" and f.suggestion == "开会议"


def test_local_dictionary_entries_and_public_numbers():
    lex = Lexicon(
        base_lexicon().entries
        + [
            Entry("forbidden", "最高级", severity="blocking", origin="local"),
            Entry("public_number", "13800138000", origin="local"),
        ],
        base_lexicon().leaders,
        version="t1",
    )
    c = Checker(lexicon=lex)
    assert codes(c.check("服务达到最高级水平，值班电话13800138000", as_of=TODAY)) == [
        "forbidden_term"
    ]


# --- bad input ------------------------------------------------------------------------------------


def test_empty_html_with_scripts_and_a_megabyte(checker):
    assert checker.check("") == []
    html = (
        '<p>联系电话<b>138 0013 8000</b></p><script>var a="13900000000";</script><style>p{}</style>'
    )
    (f,) = checker.check(html, html=True)
    assert f.code == "mobile" and f.excerpt == "138****8000"
    text = "各级人民政府应当加强对安全生产工作的领导，督促有关部门依法履行职责。" * 30000
    started = time.perf_counter()
    assert checker.check(text + "联系电话13800138000") != []
    assert time.perf_counter() - started < 30


def test_a_local_body_named_after_its_ministry_is_not_a_misspelt_ministry(checker):
    """县科学技术局 is the county's counterpart of 科学技术部 (the demo's bureau posts were all
    flagged as serious wording errors): a level suffix for another level's is not a typo."""
    for text in (
        "县科学技术局开展便民服务活动。",
        "省科学技术厅召开会议。",
        "市生态环境局发布通知。",
    ):
        assert "institution_name" not in codes(checker.check(text, as_of=TODAY)), text
    # a real misspelling of the same name is still caught
    assert ("institution_name", "科学技术布", "科学技术部") in found(
        checker, "国家科学技术布发布通知。"
    )


# --- outdated names: present tense, history, local levels ---------------------------------------


def test_outdated_names_in_present_tense_are_caught_whatever_the_sentence_holds(checker):
    """职责, 原则, 文物, 组建团队 or 申请撤销 elsewhere in the sentence do not make it history."""
    for text in (
        "国土资源部部署相关工作，各部门按职责分工负责。",
        "国家工商总局印发通知，原则上不超过60周岁。",
        "外经贸部印发通知，在保护范围内拆除不可移动文物、历史建筑。",
        "国务院法制办公室部署相关工作，（三）申请撤销仲裁裁决。",
        "新闻出版总署负责组织实施，通过聘用管理技术人才组建创业团队。",
    ):
        assert "outdated_name" in codes(checker.check(text, as_of=TODAY)), text


def test_outdated_names_written_about_the_past_are_not_flagged(checker):
    for text in (
        "原国土资源部、国家测绘地理信息局的职责整合，组建自然资源部。",
        "将国土资源部的职责划入自然资源部。",
        "时任国土资源部部长出席会议。",
        "国土资源部（现自然资源部）发布的标准继续有效。",
        "依据《国土资源部关于加强土地管理的通知》办理。",
        "根据国土资发〔2016〕12号文件执行。国土资源部2016年印发的办法继续执行。",
        "原国家卫生计生委、国家发展改革委联合印发通知。",
    ):
        assert "outdated_name" not in codes(checker.check(text, as_of=TODAY)), text


def test_outdated_names_at_provincial_and_county_level(checker):
    hits = found(checker, "省国土资源厅、市环保局和县安监局联合开展检查。")
    assert [(h[0], h[1]) for h in hits] == [
        ("outdated_name", "国土资源厅"),
        ("outdated_name", "环保局"),
        ("outdated_name", "安监局"),
    ]
    assert hits[0][2] == "自然资源厅"
    # before the local reform was done these were the bodies' names
    assert found(checker, "县农业局部署春耕工作。", as_of=dt.date(2018, 6, 1)) == []
    assert found(checker, "县农业局部署春耕工作。")[0][:2] == ("outdated_name", "农业局")
    # 局 beginning another word is no bureau
    assert found(checker, "造成农业局部受灾，环境卫生局面明显改观。") == []


def test_variant_spellings_are_judged_by_the_date_of_the_text(checker):
    assert codes(checker.check("缴入指定帐户。", as_of=TODAY)) == ["wrong_expression"]
    assert checker.check("缴入指定帐户。", as_of=dt.date(1999, 6, 1)) == []


def test_a_name_one_character_off_that_reads_as_ordinary_text(checker):
    for text in ("这是解决财政问题的基础。", "对在政务服务中不作为、慢作为的，严肃问责。"):
        assert checker.check(text, as_of=TODAY) == [], text
    # but a short name misspelt with a function character is still caught
    assert ("fixed_phrase", "人民政各") in [
        (c, t) for c, t, _ in found(checker, "区县人民政各应当及时划定危险区。")
    ]


def test_real_words_are_not_replaced_on_a_small_margin(checker):
    for text in ("任何人不得阻拦。", "有关部门应当梳理并集中公布"):
        assert [f for f in checker.check(text, as_of=TODAY) if f.code == "typo"] == [], text


# --- bad input: numbers that are not personal data, mixed scripts, markup ----------------------


def test_id_like_numbers_in_urls_and_document_numbers_give_no_finding(checker):
    text = (
        "详见 https://www.example.gov.cn/art/2024/110105194912310021.html 和"
        "http://zwgk.example.gov.cn/doc?id=13800138000&no=6222020000000000008，"
        "依据冀政办字〔2026〕110105194912310021号和县政发[2025]13800138000号文件办理。"
    )
    assert [f.code for f in checker.check(text, as_of=TODAY)] == []
    html = f'<p>{text}</p><a href="/a/110105194912310021/">附件</a><script>x="13900000000"</script>'
    assert [f.code for f in checker.check(html, html=True, as_of=TODAY)] == []


def test_mixed_traditional_text_gets_findings_not_errors(checker):
    text = "本縣人民政府召開會議，國土資源部門、環境保護部門參加。聯繫電話13800138000。"
    found_codes = codes(checker.check(text, as_of=TODAY))
    assert "traditional" in found_codes and "mobile" in found_codes
    assert checker.check("　\n\t ", as_of=TODAY) == []
    assert checker.check("<script>alert(1)</script><style>p{}</style>", html=True) == []
