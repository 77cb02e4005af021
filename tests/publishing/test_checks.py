"""check_text: personal data with real validity rules, the wording dictionary in one pass."""

from __future__ import annotations

import pytest

from govhub.publishing.checks import check_text, id_check_digit_ok, luhn_ok
from govhub.publishing.models import CheckSetting, WordingTerm

pytestmark = pytest.mark.django_db


def test_id_numbers_need_a_valid_check_digit():
    assert id_check_digit_ok("11010519491231002X")
    assert not id_check_digit_ok("110105194912310021")
    (f,) = check_text("申请人 11010519491231002X 已受理")
    assert (f.code, f.severity, f.excerpt) == ("id_number", "blocking", "110***********002X")
    assert "11010519491231002X" not in f.message + f.excerpt + f.suggestion
    assert check_text("编号 110105194912310021 不是身份证") == []


def test_mobile_and_bank_card_numbers():
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")
    text = "联系人电话 138-1234-5678，退款账户 4111 1111 1111 1111，办公电话 0371-12345678"
    codes = [f.code for f in check_text(text)]
    assert codes == ["mobile", "bank_card"]
    assert check_text("订单号 4111111111111112") == []  # fails Luhn


def test_html_is_checked_as_visible_text():
    findings = check_text(
        '<p>电话<span>13812345678</span></p><script>var x="13900000000"</script>', html=True
    )
    assert [f.excerpt for f in findings] == ["138****5678"]


def test_dictionary_terms_found_in_one_pass_longest_match_first():
    WordingTerm.objects.create(term="副县长", kind="sensitive", severity="warning")
    WordingTerm.objects.create(
        term="常务副县长", kind="wrong_expression", correction="县委常委、常务副县长"
    )
    WordingTerm.objects.create(term="绝对安全", kind="forbidden", severity="blocking")
    found = check_text("常务副县长表示，食品绝对安全。")
    assert [(f.code, f.excerpt, f.severity) for f in found] == [
        ("wrong_expression", "常务副县长", "warning"),
        ("forbidden_term", "绝对安全", "blocking"),
    ]
    assert (
        found[0].suggestion == "县委常委、常务副县长" and found[0].start == 0 and found[0].end == 5
    )


def test_dictionary_edits_take_effect_and_checks_can_be_switched(county):
    assert check_text("这是最佳选择") == []
    t = WordingTerm.objects.create(term="最佳", kind="forbidden", severity="blocking")
    assert [f.code for f in check_text("这是最佳选择")] == ["forbidden_term"]
    t.enabled = False
    t.save()
    assert check_text("这是最佳选择") == []
    CheckSetting.objects.create(code="mobile", severity="warning")
    assert check_text("电话13812345678")[0].severity == "warning"
    CheckSetting.objects.filter(code="mobile").update(enabled=False)
    assert check_text("电话13812345678") == []


def test_a_thousand_terms_cost_one_pass():
    import time

    WordingTerm.objects.bulk_create(
        [WordingTerm(term=f"测试词{i:04d}", kind="sensitive") for i in range(3000)]
    )
    text = "正文" * 20000 + "测试词2999"
    check_text(text)  # build
    started = time.process_time()  # CPU time: the test machine is shared
    found = check_text(text)
    assert [f.excerpt for f in found] == ["测试词2999"]
    assert time.process_time() - started < 0.5
