"""The authorization matrix over the whole demo county: every role (editor, reviewer, signer,
dispatcher, handler, a bureau's reviewer, supervisor, administrator, and anonymous for the API)
× every staff URL pattern (admin/ with every app's pages and Wagtail's page actions, with the
forms the administrator's pages carry replayed; django-admin/), every public URL, and every API
operation, read and write, with a bearer token and with the back office's session (CSRF
enforced), with an id of an object the role may see and one it may not for each (``--wide``:
three of each). Expected
outcomes come from the policy (see tests/authz_matrix.py). Prints "pairs checked N, leaks L";
exits 1 on a leak or a 5xx.

The demo county is the one bench/fuzz.py builds (``--source``, default var/bench-demo), copied
to a scratch directory first: the walk's POSTs never touch the source.

    .venv/bin/python bench/authz.py [--source var/bench-demo] [--wide] [--sample N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", default=str(ROOT / "var" / "bench-demo"))
    ap.add_argument("--sample", type=int, default=0, help="roles per pattern (0: all)")
    ap.add_argument(
        "--wide", action="store_true", help="three own and three other ids (default: one each)"
    )
    ap.add_argument("--show", type=int, default=200, help="leaks and 5xx printed at most")
    args = ap.parse_args()
    import fuzz  # the same demo county as the fuzzing bench

    source = Path(args.source)
    fuzz.build_source(source)
    scratch = Path(tempfile.mkdtemp(prefix="govhub-authz-"))
    fuzz.copy_source(source, scratch)
    os.environ.update(fuzz._env(scratch, 8000))
    os.environ["GOVHUB_MODE"] = "test"  # the test client, no 2FA prompt, fast password hashes
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhub.settings")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    import logging

    import django

    django.setup()
    logging.disable(logging.WARNING)
    from django.test import Client
    from django.test.utils import setup_test_environment

    from tests import authz_matrix as m

    setup_test_environment()
    users = m.users_by_role()
    world = m.mark_and_derive(users)
    clients: dict[int, Client] = {}

    def client_for(user):
        if user.pk not in clients:
            clients[user.pk] = Client()
            clients[user.pk].force_login(user)
        return clients[user.pk]

    t0 = time.time()
    result = m.walk(client_for, world, users, everything=args.wide, sample=args.sample)
    marked = ", ".join(f"{k} {len(v)}" for k, v in sorted(world.ids.items()))
    print(
        f"{len(users)} roles (and anonymous) × {len(m.staff_patterns())} staff URL patterns"
        f" (admin/ and django-admin/), {len(m.public_patterns())} public ones and"
        f" {len(m.api_operations(Client().get('/api/openapi.json').json()))} API operations;"
        f" marked objects per kind: {marked}"
    )
    print(result.kinds_line())
    print(result.line() + f" in {time.time() - t0:.0f} s")
    seen = {role: len(v) for role, v in sorted(result.seen.items())}
    print(f"marked objects each role was shown (all allowed to it): {seen}")
    print("redirects: " + ", ".join(f"{k} ×{v}" for k, v in result.redirects.most_common(6)))
    for line in (result.leaks + result.errors)[: args.show]:
        print("  " + line)
    shutil.rmtree(scratch, ignore_errors=True)
    print("command: python bench/authz.py " + " ".join(sys.argv[1:]))
    return 1 if result.leaks or result.errors else 0


if __name__ == "__main__":
    sys.exit(main())
