"""Wagtail's back office reads Chinese: every string of Wagtail's installed apps has a Chinese
translation (theirs or ours), ours holds no English, and the committed .mo matches its .po."""

from __future__ import annotations

import gettext

import pytest

from govhub.backoffice.catalogue import (
    needs_chinese,
    own_catalogues,
    read_po,
    untranslated_wagtail_strings,
)


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_every_wagtail_string_has_chinese(domain):
    missing = untranslated_wagtail_strings(domain)
    assert not missing, (
        f"{len(missing)} Wagtail strings ({domain}) show English; add them to "
        f"govhub/locale/zh_Hans/LC_MESSAGES/{domain}.po:\n"
        + "\n".join(repr(m.msgid) for m in missing[:40])
    )


def test_the_gap_finder_sees_a_gap(settings):
    """Without our catalogue, Wagtail 8.0's zh_Hans leaves hundreds of strings in English
    (so the test above would fail if govhub/locale stopped being read)."""
    from django.utils.translation import trans_real

    settings.LOCALE_PATHS = []
    trans_real._translations = {}
    try:
        missing = {m.msgid for m in untranslated_wagtail_strings("django")}
    finally:
        trans_real._translations = {}
    assert "Wagtail %(current_version)s editor guide" in missing
    assert "Layout" in missing
    assert len(missing) > 200


@pytest.mark.parametrize("po", own_catalogues(), ids=lambda p: p.name)
def test_our_catalogue_is_chinese_and_compiled(po):
    messages = read_po(po)
    assert messages
    english = [m for m in messages if needs_chinese(m.msgstr)]
    assert not english, [(m.msgid, m.msgstr) for m in english]
    with open(po.with_suffix(".mo"), "rb") as fh:
        compiled = gettext.GNUTranslations(fh)._catalog
    for m in messages:
        key = m.msgid if m.context is None else f"{m.context}\x04{m.msgid}"
        got = compiled.get((key, 0)) if m.plural is not None else compiled.get(key)
        assert got == m.msgstr, f"{po.with_suffix('.mo')} is older than its .po ({m.msgid!r})"
    assert len(compiled) - 1 == len(messages), f"{po.with_suffix('.mo')} is not compiled from it"
