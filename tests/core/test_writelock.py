"""The SQLite writer lock: writers on a file database wait for each other in the kernel."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest

from govhub.core import writelock
from govhub.core.writelock import sqlite_writer


def _database(monkeypatch, vendor: str, name: str) -> None:
    """The configured database, as the lock sees it (the suite runs on SQLite and PostgreSQL)."""
    conn = SimpleNamespace(vendor=vendor, settings_dict={"NAME": name})
    monkeypatch.setattr(writelock, "connections", {"default": conn})


@pytest.fixture
def file_database(tmp_path, monkeypatch):
    _database(monkeypatch, "sqlite", str(tmp_path / "county.sqlite3"))
    return tmp_path


def test_second_writer_waits_until_the_first_is_done(file_database):
    order: list[str] = []
    holding = threading.Event()

    def first():
        with sqlite_writer():
            order.append("first in")
            holding.set()
            time.sleep(0.2)
            order.append("first out")

    def second():
        holding.wait()
        with sqlite_writer():
            order.append("second in")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert order == ["first in", "first out", "second in"]
    assert (file_database / "county.sqlite3-writer.lock").exists()


def test_lock_is_released_when_the_block_fails(file_database):
    with pytest.raises(RuntimeError), sqlite_writer():
        raise RuntimeError("boom")
    done = []

    def other():
        with sqlite_writer():
            done.append(True)

    t = threading.Thread(target=other)
    t.start()
    t.join(2)
    assert done == [True]


@pytest.mark.parametrize(
    ("vendor", "name"),
    [("postgresql", "govhub"), ("sqlite", "file:memorydb_default?mode=memory&cache=shared")],
)
def test_no_lock_file_where_the_database_locks_rows_or_lives_in_memory(
    tmp_path, monkeypatch, vendor, name
):
    _database(monkeypatch, vendor, name)
    monkeypatch.chdir(tmp_path)
    with sqlite_writer():
        pass
    assert list(tmp_path.iterdir()) == []


def test_a_relative_database_name_gets_its_lock_beside_the_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _database(monkeypatch, "sqlite", "county.sqlite3")
    with sqlite_writer():
        pass
    assert (tmp_path / "county.sqlite3-writer.lock").exists()


def test_a_block_inside_another_keeps_the_outer_lock(file_database):
    entered = threading.Event()

    def other():
        with sqlite_writer():
            entered.set()

    with sqlite_writer():
        with sqlite_writer():
            pass
        t = threading.Thread(target=other)
        t.start()
        # the inner block ended, but the outer one still holds the lock
        assert not entered.wait(0.3)
    assert entered.wait(5)
    t.join(5)
