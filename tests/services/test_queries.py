"""微查询 against fake backends that answer, answer slowly, wrongly or not at all."""

import logging
import socket

import pytest

from govhub.core.errors import FieldErrors
from govhub.services import actions
from govhub.services.models import QueryRun
from tests.services.helpers import VALID_ID, FakeBackend, make_connector

pytestmark = pytest.mark.django_db


def test_a_valid_id_number_gets_the_mapped_answer_and_only_the_outcome_is_recorded(caplog):
    caplog.set_level(logging.DEBUG)
    with FakeBackend(api_key="k-1") as fake:
        c = make_connector(fake.url, auth_type="api_key", auth_header="X-Api-Key", secret="k-1")
        result = actions.run_query(c, {"idcard": VALID_ID})
    assert result.rows == [("账户状态", "正常缴存"), ("账户余额（元）", "12,345.60")]
    assert fake.received[0]["headers"]["X-Api-Key"] == "k-1"
    assert VALID_ID.encode() in fake.received[0]["body"]
    run = QueryRun.objects.get()
    assert run.outcome == "ok"
    # what the citizen typed is in no table and no log line
    assert VALID_ID not in caplog.text
    assert VALID_ID not in str(list(QueryRun.objects.values()))


def test_an_invalid_id_number_never_reaches_the_backend():
    with FakeBackend() as fake:
        c = make_connector(fake.url)
        with pytest.raises(FieldErrors) as exc:
            actions.run_query(c, {"idcard": VALID_ID[:-1] + "5" if VALID_ID[-1] != "5" else "6"})
    assert "校验位不正确" in exc.value.errors["idcard"]
    assert fake.received == []
    assert QueryRun.objects.count() == 0


@pytest.mark.parametrize(
    "mode, outcome", [("slow", "timeout"), ("error", "error"), ("bad_json", "bad_answer")]
)
def test_a_failing_backend_is_service_busy(mode, outcome):
    with FakeBackend(mode) as fake:
        c = make_connector(fake.url, timeout_seconds=0.5)
        with pytest.raises(actions.ServiceBusy, match="服务繁忙"):
            actions.run_query(c, {"idcard": VALID_ID})
    assert QueryRun.objects.get().outcome == outcome


def test_a_backend_that_is_down_is_service_busy():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once we leave: nothing listens there
    c = make_connector(f"http://127.0.0.1:{port}/x")
    with pytest.raises(actions.ServiceBusy):
        actions.run_query(c, {"idcard": VALID_ID})
    assert QueryRun.objects.get().outcome == "error"


def test_a_wrong_api_key_is_service_busy_not_a_stack_trace():
    with FakeBackend(api_key="right") as fake:
        c = make_connector(fake.url, auth_type="api_key", secret="wrong")
        with pytest.raises(actions.ServiceBusy):
            actions.run_query(c, {"idcard": VALID_ID})


def test_hmac_signed_requests_are_accepted_by_a_backend_checking_them():
    with FakeBackend(hmac_secret="s3cret") as fake:
        c = make_connector(fake.url, auth_type="hmac", app_id="govhub", secret="s3cret")
        assert actions.run_query(c, {"idcard": VALID_ID}).rows
        c.secret = "other"
        c.save()
        with pytest.raises(actions.ServiceBusy):
            actions.run_query(c, {"idcard": VALID_ID})


def test_no_record_is_an_empty_result():
    with FakeBackend("empty") as fake:
        result = actions.run_query(make_connector(fake.url), {"idcard": VALID_ID})
    assert result.empty and result.rows == []
    assert QueryRun.objects.get().outcome == "empty"


def test_the_cache_answers_the_same_question_without_asking_again():
    with FakeBackend() as fake:
        c = make_connector(fake.url, cache_seconds=60)
        actions.run_query(c, {"idcard": VALID_ID})
        second = actions.run_query(c, {"idcard": VALID_ID.lower()})
    assert second.cached and len(fake.received) == 1
    assert list(QueryRun.objects.order_by("pk").values_list("outcome", flat=True)) == [
        "ok",
        "cached",
    ]


def test_connector_configuration_is_validated():
    from django.core.exceptions import ValidationError

    from govhub.services.models import QueryConnector
    from tests.factories import make_department

    c = QueryConnector(
        name="x",
        slug="x",
        department=make_department(),
        endpoint="ftp://backend/x",
        method="POST",
        auth_type="hmac",
        input_fields="id｜身份证号｜生日",
        result_mapping="data.x",
        timeout_seconds=60,
    )
    with pytest.raises(ValidationError) as exc:
        c.full_clean()
    errors = exc.value.message_dict
    assert set(errors) >= {"input_fields", "result_mapping", "timeout_seconds", "secret"}
    assert "类型“生日”不认识" in errors["input_fields"][0]


def test_a_connector_keyword_answers_in_wechat_and_the_chat_with_a_link_to_the_query():
    from govhub.qa import engine
    from govhub.qa.models import KeywordRule
    from tests.factories import make_user

    admin = make_user(superuser=True)
    c = make_connector("http://127.0.0.1:9/x", keyword="公积金余额")
    actions.save_connector(admin, c)
    answer = engine.answer("我想查一下公积金余额", channel="wechat")
    assert answer.url.endswith("/services/queries/" + c.slug + "/")
    c.keyword = ""
    actions.save_connector(admin, c)
    assert not KeywordRule.objects.exists()
