"""What encrypting free text costs: per letter body (about 300 characters with a phone, an ID and
a card number typed in), the time to encrypt, decrypt and build the redacted copy, and what the
staff API's list of 50 letters adds (50 subjects and bodies decrypted).

    PYTHONPATH=. GOVHUB_MODE=test python bench/pii_free_text.py

No data files needed: the text is generated."""

from __future__ import annotations

import os
import time

os.environ.setdefault("GOVHUB_MODE", "test")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhub.settings")

import django

django.setup()

from govhub.core.pii import decrypt, encrypt, redact_text  # noqa: E402

BODY = (
    "我在县城东街的工地干了三个月，老板一直拖欠工资不发，找了几次都说下个月。"
    "我的身份证号是110105198001011239，工资卡号6222020200112230，手机13987654321，"
    "请领导帮忙协调，尽快把工资发下来。家里老人生病需要用钱，孩子上学也要交学费。" * 2
)
N = 5000


def per_call(fn, arg) -> float:
    start = time.perf_counter()
    for _ in range(N):
        fn(arg)
    return (time.perf_counter() - start) / N * 1e6


def main() -> None:
    stored = encrypt(BODY)
    enc, dec, red = per_call(encrypt, BODY), per_call(decrypt, stored), per_call(redact_text, BODY)
    print(f"body: {len(BODY)} characters, {len(BODY.encode())} bytes; stored: {len(stored)} bytes")
    print(f"encrypt {enc:.1f} µs · decrypt {dec:.1f} µs · redacted copy {red:.1f} µs (mean of {N})")
    print(
        f"a letter saved: at most +{enc * 2 + red * 2:.0f} µs (subject and body encrypted, redacted)"
    )
    print(f"the API's list of 50 letters: +{dec * 100 / 1000:.2f} ms to decrypt them")
    print("command: PYTHONPATH=. GOVHUB_MODE=test python bench/pii_free_text.py")


if __name__ == "__main__":
    main()
