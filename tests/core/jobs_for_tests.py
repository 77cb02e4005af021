"""Jobs used by the job tests (django-tasks needs them importable by module path)."""

import os

import redis
from django.core.cache import cache

from govhub.core.jobs import Feed, job

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


# a feed of ids drained in batches (core.jobs.Feed); item 13 fails once, then works alone.
# What ran is kept in Redis: RQ's test worker runs jobs in a forked process.
FEED = Feed("test-feed", batch=7)
FED_KEY = "govhub-test:fed"
# a database of its own: the other Redis tests flush theirs (14) and may run beside these
FED_URL = os.environ.get("GOVHUB_TEST_FEED_REDIS_URL", "redis://127.0.0.1:6379/13")


def fed() -> list[int]:
    return [int(x) for x in redis.Redis.from_url(FED_URL).lrange(FED_KEY, 0, -1)]


def feed_work(item: int) -> None:
    redis.Redis.from_url(FED_URL).rpush(FED_KEY, item)
    if item == 13 and fed().count(13) == 1:
        raise ConnectionError("remote unavailable")


@job(retries=2)
def feed_each(item: int) -> None:
    feed_work(item)


@job(retries=2)
def feed_drain() -> int:
    return FEED.drain(feed_work)


FEED.bind(feed_each, feed_drain)
