"""Operators get one clear line and a non-zero exit, not a traceback wall."""

import os
import subprocess
import sys

import pytest

GOOD_KEY = "k7Qm2xVb9sLp4TzR8wNc3YhF6jDg1KaE5uWo0iXeZrBnMqHtSvCy"
DEMO_SECRET = "demo-only-not-secret-0b7f5c1e9a2d4c6b8e1f3a5c7e9b2d4f"
DEMO_PII = "demo1:ZGVtby1vbmx5LWtleS1ub3Qtc2VjcmV0LTAxMjM0NTY="
PROD = {
    "GOVHUB_SECRET_KEY": GOOD_KEY,
    "GOVHUB_PII_KEYS": "k1:c2VjcmV0LWtleS1mb3ItdGhlLXRlc3Qtb25seS0wMTI=",
    "GOVHUB_PII_INDEX_KEY": "an-index-key-of-the-test-only-0123456789",
    "GOVHUB_AUDIT_KEYS": "a1:dGhlLWF1ZGl0LWtleS1vZi10aGUtdGVzdC1vbmx5LTAx",
}


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
        ({"GOVHUB_MODE": "production", "GOVHUB_SECRET_KEY": GOOD_KEY}, "GOVHUB_PII_KEYS"),
        # production refuses DEBUG, a short or repetitive key, and the public demo keys
        ({"GOVHUB_MODE": "production", "GOVHUB_DEBUG": "true", **PROD}, "GOVHUB_DEBUG"),
        ({"GOVHUB_MODE": "production", **PROD, "GOVHUB_SECRET_KEY": "x"}, "太短"),
        ({"GOVHUB_MODE": "production", **PROD, "GOVHUB_SECRET_KEY": "x" * 60}, "太短"),
        (
            {"GOVHUB_MODE": "production", **PROD, "GOVHUB_SECRET_KEY": DEMO_SECRET},
            "演示密钥",
        ),
        ({"GOVHUB_MODE": "production", **PROD, "GOVHUB_PII_KEYS": DEMO_PII}, "演示密钥"),
        ({"GOVHUB_MODE": "production", **PROD, "GOVHUB_PII_INDEX_KEY": "short"}, "太短"),
        ({"GOVHUB_MODE": "production", **PROD, "GOVHUB_AUDIT_KEYS": ""}, "GOVHUB_AUDIT_KEYS"),
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
        "--deploy",
        GOVHUB_MODE="production",
        GOVHUB_VAR_DIR="/tmp/govhub-config-test",
        **PROD,
    )
    assert result.returncode == 0, result.stderr
    # Django's own deployment checks (HSTS, secure cookies, SSL redirect, key strength) pass
    assert "security.W" not in result.stderr, result.stderr
