"""Reading settings from the environment, failing with one clear line instead of a traceback."""

from __future__ import annotations

import os
import sys
from urllib.parse import urlparse

import dj_database_url


class ConfigError(Exception):
    """A setting is missing or malformed; the message names it."""


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value in (None, "") else value


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


def parse_database_url(url: str) -> dict:
    """Turn GOVHUB_DATABASE_URL into Django's DATABASES entry, refusing anything malformed."""
    scheme = urlparse(url).scheme
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ConfigError(
            f"GOVHUB_DATABASE_URL 格式错误 / malformed database URL (scheme {scheme!r}); "
            "expected sqlite:///path or postgres://user@host:port/name"
        )
    try:
        config = dj_database_url.parse(url, conn_max_age=60)
    except Exception as exc:  # dj_database_url raises several kinds
        raise ConfigError(f"GOVHUB_DATABASE_URL 格式错误 / malformed database URL: {exc}") from None
    if config["ENGINE"].endswith("sqlite3"):
        config["OPTIONS"] = {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=15000;"
            ),
            "transaction_mode": "IMMEDIATE",
        }
        config["CONN_MAX_AGE"] = 0
    elif not config.get("NAME"):
        raise ConfigError("GOVHUB_DATABASE_URL 缺少数据库名 / database name missing")
    return config


def fail(message: str) -> None:
    """Print one line and exit non-zero: what operators see instead of a traceback."""
    sys.stderr.write(f"govhub: {message}\n")
    sys.exit(2)
