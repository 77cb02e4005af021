"""Jobs used by the job tests (django-tasks needs them importable by module path)."""

import redis
from django.core.cache import cache

from govhub.core.jobs import job

CALLS: list[str] = []


@job(retries=3)
def flaky(key: str, fail_times: int) -> str:
    CALLS.append(key)
    if CALLS.count(key) <= fail_times:
        raise ConnectionError(f"remote unavailable ({CALLS.count(key)})")
    cache.set(f"flaky:{key}", "done")
    return "done"


@job
def count_in_redis(url: str, key: str) -> int:
    return redis.Redis.from_url(url).incr(key)
