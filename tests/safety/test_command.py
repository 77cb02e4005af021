"""govhub content check FILE…: one JSON line per finding, or a table for people."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("content", *args, stdout=out)
    return out.getvalue()


def test_text_html_and_jsonl_files(tmp_path):
    (tmp_path / "a.txt").write_text(
        "各级人民攻府要加强领导。联系电话138 0013 8000。", encoding="utf-8"
    )
    (tmp_path / "b.jsonl").write_text(
        '{"id": "p1", "text": "台湾总统发表讲话"}\n{"id": "p2", "text": "县政府召开会议"}\n',
        encoding="utf-8",
    )
    (tmp_path / "c.html").write_text(
        '<p>中华人民共合国</p><script>var id="13900000000"</script>', encoding="utf-8"
    )
    lines = [
        json.loads(x)
        for x in run(
            "check", *(str(tmp_path / n) for n in ("a.txt", "b.jsonl", "c.html"))
        ).splitlines()
    ]
    assert [(x["id"], x["kind"], x["text"]) for x in lines] == [
        ("a.txt", "fixed_phrase", "人民攻府"),
        ("a.txt", "mobile", "138****8000"),
        ("p1", "political", "台湾总统"),
        ("c.html", "state_name", "中华人民共合国"),
    ]
    assert set(lines[0]) >= {"id", "start", "end", "text", "kind", "severity", "suggestion"}
    assert (lines[0]["start"], lines[0]["end"], lines[0]["suggestion"]) == (2, 6, "人民政府")
    assert "0013" not in json.dumps(lines, ensure_ascii=False)


def test_table_format_and_bad_input(tmp_path):
    (tmp_path / "a.txt").write_text("国土资源部印发通知。", encoding="utf-8")
    table = run("check", "--format", "table", str(tmp_path / "a.txt"))
    assert "阻断" in table and "过时的机构名称" in table and "共 1 处" in table
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    assert run("check", str(tmp_path / "empty.txt")) == ""
    (tmp_path / "bad.jsonl").write_text("{not json\n", encoding="utf-8")
    with pytest.raises(CommandError, match="第 1 行"):
        run("check", str(tmp_path / "bad.jsonl"))
    with pytest.raises(CommandError, match="找不到文件"):
        run("check", str(tmp_path / "missing.txt"))
