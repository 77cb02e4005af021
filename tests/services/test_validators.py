"""What a citizen types is checked before any backend is asked; configuration lines too."""

import pytest

from govhub.services import config
from govhub.services.validators import check_id_number, check_phone, check_plate
from tests.services.helpers import VALID_ID


def test_an_id_number_with_the_right_check_digit_passes_and_x_is_upper_cased():
    assert check_id_number(VALID_ID) == VALID_ID
    assert check_id_number("11010519491231002x") == "11010519491231002X"


@pytest.mark.parametrize(
    "raw, message",
    [
        (VALID_ID[:-1] + ("0" if VALID_ID[-1] != "0" else "1"), "校验位不正确"),
        ("11010519491331002X", "出生日期不正确"),
        ("1101051949123100", "应为 18 位"),
    ],
)
def test_a_wrong_id_number_is_refused_with_the_reason(raw, message):
    with pytest.raises(ValueError, match=message):
        check_id_number(raw)


def test_plates_and_phones():
    assert check_plate("粤a 12345") == "粤A12345"
    assert check_plate("粤AD12345") == "粤AD12345"
    with pytest.raises(ValueError, match="车牌号格式不正确"):
        check_plate("AB12345")
    assert check_phone("+86 138 0013 8000") == "13800138000"
    with pytest.raises(ValueError, match="11 位"):
        check_phone("12345")


def test_configuration_lines_are_parsed_and_bad_ones_named_by_line():
    fields = config.parse_input_fields("idcard｜身份证号｜身份证号\nplate|车牌|车牌号")
    assert [(f.name, f.kind) for f in fields] == [("idcard", "id_number"), ("plate", "plate")]
    with pytest.raises(ValueError, match="第 2 行的类型“生日”不认识"):
        config.parse_input_fields("idcard｜身份证号｜身份证号\nbirthday｜生日｜生日")
    with pytest.raises(ValueError, match="第 1 行的 JSON 路径"):
        config.parse_result_mapping("data..balance｜余额")
    assert config.parse_materials("身份证｜2｜原件")[0].quantity == "2份"
    with pytest.raises(ValueError, match="份数应为数字"):
        config.parse_materials("身份证｜两份｜原件")


def test_json_paths_resolve_into_nested_answers():
    data = {"data": {"items": [{"name": "甲"}], "balance": 0}}
    assert config.resolve_path(data, "data.items[0].name") == "甲"
    assert config.resolve_path(data, "data.balance") == 0
    assert config.resolve_path(data, "data.items[3].name") is None
    assert config.resolve_path(data, "result.x") is None
