"""The ``govhub`` command: Django's management commands with one-line errors for operators."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhub.settings")
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "govhub"
    from django.core.management import execute_from_command_line
    from django.db.utils import OperationalError

    try:
        execute_from_command_line(argv)
    except OperationalError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        sys.stderr.write(f"govhub: 无法连接数据库 / database unreachable: {first}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
