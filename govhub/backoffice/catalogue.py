"""Which of Wagtail's English strings have no Chinese, and whether our catalogue's compiled form
matches its source.

Wagtail ships its strings in English catalogues (``locale/en``) and a zh_Hans catalogue that lags
behind; ``govhub/locale`` fills the gaps. After an upgrade of Wagtail, run
``untranslated_wagtail_strings()`` (tests/backoffice/test_catalogue.py does) to see what to add
to ``govhub/locale/zh_Hans/LC_MESSAGES/*.po``, then compile it (``msgfmt`` or
``govhub compilemessages``) and commit both files: a clean checkout needs no gettext tools.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

_LINE = re.compile(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")$')
# what needs no translation: arguments, markup, addresses
_NOT_WORDS = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}|<[^>]+>|&\w+;|https?://\S+|\S+@\S+")
_WORD = re.compile(r"[A-Za-z]{2,}")
# words a string may keep (file formats, platform names an operator copies from WeChat)
KEEP = {"JavaScript", "URL", "ID", "API", "PDF", "HTML", "CSV", "RSS", "JSON", "XML", "SVG"}


@dataclass
class Message:
    msgid: str
    plural: str | None = None
    context: str | None = None
    msgstr: str = ""


def read_po(path: Path) -> list[Message]:
    """The messages of a .po file (obsolete ones left out)."""
    messages: list[Message] = []
    fields: dict[str, str] = {}
    key = None

    def flush():
        if "msgid" in fields and fields["msgid"]:
            messages.append(
                Message(
                    fields["msgid"],
                    fields.get("msgid_plural"),
                    fields.get("msgctxt"),
                    fields.get("msgstr", fields.get("msgstr[0]", "")),
                )
            )
        fields.clear()

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
            continue
        if line.startswith("#"):
            continue
        m = _LINE.match(line)
        if m:
            key = m.group(1)
            fields[key] = ast.literal_eval(m.group(2))
        elif line.startswith('"') and key:
            fields[key] += ast.literal_eval(line)
    flush()
    return messages


def needs_chinese(text: str) -> bool:
    """Whether a string shows a person English words (arguments and markup aside)."""
    return any(w not in KEEP for w in _WORD.findall(_NOT_WORDS.sub(" ", text)))


def _wagtail_catalogues(domain: str) -> list[Path]:
    from django.apps import apps

    paths = []
    for config in apps.get_app_configs():
        if config.name == "wagtail" or config.name.startswith("wagtail."):
            po = Path(config.path) / "locale" / "en" / "LC_MESSAGES" / f"{domain}.po"
            if po.exists():
                paths.append(po)
    return paths


def untranslated_wagtail_strings(domain: str = "django") -> list[Message]:
    """Wagtail's strings (of its installed apps) that read English in the back office."""
    from django.utils import translation
    from django.utils.translation.trans_real import DjangoTranslation

    missing = []
    with translation.override(settings.LANGUAGE_CODE):
        if domain == "django":
            catalogue = translation
        else:  # what Wagtail's JavaScriptCatalog serves: wagtail.admin's plus LOCALE_PATHS
            import wagtail.admin

            localedir = Path(wagtail.admin.__file__).parent / "locale"
            catalogue = DjangoTranslation(
                settings.LANGUAGE_CODE, domain=domain, localedirs=[str(localedir)]
            )
        seen = set()
        for po in _wagtail_catalogues(domain):
            for msg in read_po(po):
                key = (msg.context, msg.msgid)
                if key in seen or not needs_chinese(msg.msgid):
                    continue
                seen.add(key)
                if msg.plural is not None:
                    text = catalogue.ngettext(msg.msgid, msg.plural, 2)
                    if msg.context:
                        text = catalogue.npgettext(msg.context, msg.msgid, msg.plural, 2)
                    english = text in {msg.msgid, msg.plural}
                elif msg.context:
                    english = catalogue.pgettext(msg.context, msg.msgid) == msg.msgid
                else:
                    english = catalogue.gettext(msg.msgid) == msg.msgid
                if english:
                    missing.append(msg)
    return missing


def own_catalogues() -> list[Path]:
    """govhub's catalogues (.po), each beside its compiled .mo."""
    return sorted(Path(settings.LOCALE_PATHS[0]).glob("*/LC_MESSAGES/*.po"))
