"""Operators get one clear line and a non-zero exit, not a traceback wall."""

import os
import subprocess
import sys

import pytest


def govhub(*args, **env):
    full = {k: v for k, v in os.environ.items() if not k.startswith("GOVHUB_")}
    full.update(env)
    return subprocess.run(
        [sys.executable, "-m", "govhub", *args],
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"GOVHUB_DATABASE_URL": "mysql//nonsense"}, "GOVHUB_DATABASE_URL"),
        ({"GOVHUB_DATABASE_URL": "postgres://127.0.0.1:5432/"}, "数据库名"),
        ({"GOVHUB_MODE": "production"}, "GOVHUB_SECRET_KEY"),
        ({"GOVHUB_MODE": "production", "GOVHUB_SECRET_KEY": "x" * 50}, "GOVHUB_PII_KEYS"),
        ({"GOVHUB_MODE": "staging"}, "GOVHUB_MODE"),
    ],
)
def test_bad_configuration_is_one_line_and_exit_2(env, expected):
    result = govhub("check", **env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert expected in lines[0]
    assert "Traceback" not in result.stderr


def test_unreachable_database_is_one_line():
    result = govhub(
        "migrate", GOVHUB_DATABASE_URL="postgres://postgres@127.0.0.1:1/govhub", GOVHUB_MODE="test"
    )
    assert result.returncode == 2
    assert result.stderr.strip().startswith("govhub: 无法连接数据库")
    assert "Traceback" not in result.stderr


def test_production_with_its_secrets_starts():
    result = govhub(
        "check",
        GOVHUB_MODE="production",
        GOVHUB_SECRET_KEY="s" * 50,
        GOVHUB_PII_KEYS="k1:" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=",
        GOVHUB_PII_INDEX_KEY="i" * 32,
        GOVHUB_VAR_DIR="/tmp/govhub-config-test",
    )
    assert result.returncode == 0, result.stderr
