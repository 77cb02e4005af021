"""The content checker: one call, every check, findings with positions and suggestions.

    from govhub.safety.checker import check_text
    for f in check_text("……", as_of=date.today()):
        f.code, f.severity, f.start, f.end, f.excerpt, f.suggestion, f.message

Publishing calls it before publication, the matrix every night over every account's posts, the
portal's self-check over published pages, and participation over citizens' messages. Checks:
personal data (``core.pii.find_personal``, the same patterns as log and audit masking),
wording against the dictionaries (``wording``), traditional characters, and typos or
confusable characters found by the language model (``typos``). Links are checked separately
(``links``), as they need the network and the site.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
import threading

import numpy as np

from govhub.core.pii import PersonalMatch, find_personal
from govhub.safety import lm, typos
from govhub.safety.findings import DEFAULT_SEVERITY, Finding
from govhub.safety.lexicon import Lexicon, base_lexicon
from govhub.safety.text import html_to_text
from govhub.safety.wording import WordingChecker, confusion_map

# the threshold of the typo check in log10 probability gain, chosen on the tune split of the
# benchmark (bench/content_check.py) so clean government text sees ≤ 1 false alarm per 20,000
# characters; raise it for fewer and rarer typo warnings
TYPO_THRESHOLD = 5.0
# the real-word check (用词不当) compares two real words, so it needs a larger margin
WORD_THRESHOLD = 7.0
MAX_CHARS = 2_000_000  # longer texts are checked in their first two million characters

_PERSONAL_MESSAGES = {
    "id_number": "正文含有身份证号码，公开发布会泄露个人信息，请删除或打码",
    "mobile": "正文含有手机号码，公开发布会泄露个人信息；如为办事电话请改用单位固定电话，"
    "或由审核人员说明理由后放行",
    "bank_card": "正文含有银行卡号，公开发布会泄露个人信息，请删除",
    "address": "正文含有具体到门牌的住址，公开发布会泄露个人信息，请删除或只保留到街道",
    "name": "证件号码旁的姓名与号码一起构成个人信息，请删除或打码",
}
_DOCNO_RE = re.compile(
    r"[\u4e00-\u9fa5]{1,12}[〔\[［(（]\s*(?:19|20)\d{2}\s*[〕\]］)）]\s*第?\s*\d+\s*号"
    r"|[\u4e00-\u9fa5]{2,10}字\s*(?:第\s*)?\d+\s*号"
)
_URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"'，。；）)】」]+", re.I)


def _mask(p: PersonalMatch) -> str:
    from govhub.core.pii import _masked

    return _masked(p)


def personal_findings(text: str, public_numbers=frozenset()) -> list[Finding]:
    out = []
    for p in find_personal(text, public_numbers=public_numbers):
        code = "person_name" if p.kind == "name" else p.kind
        message = _PERSONAL_MESSAGES[p.kind]
        if p.detail == "check_digit":
            message = "正文含有疑似身份证号码（校验位不符，但仍可识别个人），请删除或打码"
        masked = _mask(p)
        out.append(
            Finding(
                code,
                DEFAULT_SEVERITY[code],
                message,
                p.start,
                p.end,
                masked,
                "删除或改为 " + masked,
            )
        )
    return out


class Checker:
    """Every text check with its compiled resources (build once, reuse: it is thread-safe)."""

    def __init__(
        self,
        lexicon: Lexicon | None = None,
        model: lm.CharLM | None = None,
        detector: typos.TypoDetector | None = None,
        typo_threshold: float = TYPO_THRESHOLD,
    ):
        self.lexicon = lexicon or base_lexicon()
        self.model = model if model is not None else lm.default_model()
        if detector is None and self.model is not None and typos.CONFUSION_PATH.exists():
            detector = typos.TypoDetector(self.model, typos.Confusion.load(self.model))
        self.detector = detector
        self.typo_threshold = typo_threshold
        self.words = typos.WordDetector.from_model(self.model) if self.model is not None else None
        self.word_threshold = WORD_THRESHOLD
        self.wording = WordingChecker(self.lexicon, confusion_map(typos.CONFUSION_PATH))
        self.public_numbers = self.lexicon.public_numbers
        self._traditional = np.zeros(lm.TABLE_SIZE, dtype=bool)
        if self.model is not None:
            self._traditional = _traditional_table(self.model)

    def check(
        self, text: str, *, as_of: dt.date | None = None, html: bool = False
    ) -> list[Finding]:
        """Findings in ``text`` sorted by position (HTML is reduced to its visible text first;
        positions then index that text)."""
        if html:
            text = html_to_text(text)
        if not text:
            return []
        text = text[:MAX_CHARS]
        found = personal_findings(text, self.public_numbers)
        found += self.wording.check(text, as_of, self.model)
        skip = [(f.start, f.end) for f in found]
        skip += [m.span() for m in _DOCNO_RE.finditer(text)]
        skip += [m.span() for m in _URL_RE.finditer(text)]
        found += self._traditional_findings(text)
        found += self._typo_findings(text, skip)
        return sorted(_dedupe(found), key=lambda f: (f.start, f.code))

    def _traditional_findings(self, text: str) -> list[Finding]:
        if self.model is None:
            return []
        cps = np.minimum(lm.to_codepoints(text), lm.TABLE_SIZE - 1)
        trad = self._traditional[cps]
        if not trad.any():
            return []
        import opencc

        t2s = opencc.OpenCC("t2s")
        out = []
        idx = np.nonzero(trad)[0]
        runs = np.split(idx, np.nonzero(np.diff(idx) > 1)[0] + 1)
        for run in runs:
            s, e = int(run[0]), int(run[-1]) + 1
            out.append(
                Finding(
                    "traditional",
                    DEFAULT_SEVERITY["traditional"],
                    "含有繁体字，政府发布内容应使用规范汉字",
                    s,
                    e,
                    text[s:e],
                    t2s.convert(text[s:e]),
                )
            )
        return out

    def _typo_findings(self, text: str, skip: list[tuple[int, int]]) -> list[Finding]:
        if self.detector is None:
            return []
        ids = self.model.ids(text)
        out = []
        if self.words is not None:
            for h in self.words.detect(ids, self.word_threshold):
                if any(a <= h.pos < b or a <= h.pos + 1 < b for a, b in skip):
                    continue
                word = text[h.pos : h.pos + 2]
                s, e = max(0, h.pos - 3), min(len(text), h.pos + 5)
                out.append(
                    Finding(
                        "wrong_word",
                        DEFAULT_SEVERITY["wrong_word"],
                        f"“{word}”在此处疑为“{h.suggestion}”：“{text[s:e]}”",
                        h.pos,
                        h.pos + 2,
                        word,
                        h.suggestion,
                    )
                )
            skip = skip + [(f.start, f.end) for f in out]
        for h in self.detector.detect(ids, self.typo_threshold):
            if any(a <= h.pos < b for a, b in skip):
                continue
            s, e = max(0, h.pos - 2), min(len(text), h.pos + 3)
            context = text[s:e]
            fixed = text[s : h.pos] + h.suggestion + text[h.pos + 1 : e]
            out.append(
                Finding(
                    "typo",
                    DEFAULT_SEVERITY["typo"],
                    f"“{text[h.pos]}”疑为“{h.suggestion}”（{typos.TAGS.get(h.tag, '近似字')}）："
                    f"“{context}”→“{fixed}”",
                    h.pos,
                    h.pos + 1,
                    text[h.pos],
                    h.suggestion,
                )
            )
        return out


# characters opencc folds although standard text keeps them (二噁英, 乾隆, 瞭望)
_STANDARD_TWINS = frozenset("噁乾瞭")


def _traditional_table(model: lm.CharLM) -> np.ndarray:
    """Code points of traditional characters (opencc says they have a simplified form, and that
    form is at least twenty times as common in government text)."""
    import opencc

    t2s = opencc.OpenCC("t2s")
    cps = list(range(0x3400, 0x4DC0)) + list(range(0x4E00, 0xA000))
    converted = t2s.convert("\n".join(chr(c) for c in cps)).split("\n")
    out = np.zeros(lm.TABLE_SIZE, dtype=bool)
    counts = model.unigram_counts
    for cp, simple in zip(cps, converted, strict=False):
        if len(simple) != 1 or simple == chr(cp) or chr(cp) in _STANDARD_TWINS:
            continue
        own = model.table[cp]
        own_count = int(counts[own]) if own >= lm.FIRST_ID and model.vocab[own] == cp else 0
        target = model.table[ord(simple)] if ord(simple) < lm.TABLE_SIZE else lm.UNK
        simple_count = int(counts[target]) if target >= lm.FIRST_ID else 0
        if own_count * 20 < simple_count:
            out[cp] = True
    return out


def _dedupe(findings: list[Finding]) -> list[Finding]:
    rank = {"personal": 0, "serious": 1, "wording": 2}
    ordered = sorted(
        findings, key=lambda f: (rank.get(f.kind, 3), f.severity != "blocking", f.start)
    )
    # the kept spans never overlap, so sorted by start their ends never decrease: the one
    # span that can overlap a new finding is the last one starting before it ends (a search,
    # not a scan of all kept — a megabyte with 30,000 phone numbers took minutes)
    kept: list[Finding] = []
    spans: list[tuple[int, int]] = []
    for f in ordered:
        at = bisect.bisect_left(spans, (f.end, -1))
        if at and spans[at - 1][1] > f.start and spans[at - 1][0] < f.end:
            continue
        bisect.insort(spans, (f.start, f.end))
        kept.append(f)
    return kept


_lock = threading.Lock()
_cache: dict[str, Checker] = {}


def checker_for(lexicon: Lexicon) -> Checker:
    """A compiled checker per dictionary version (rebuilt only when the dictionaries change)."""
    key = lexicon.version or str(id(lexicon))
    with _lock:
        c = _cache.get(key)
        if c is None:
            _cache.clear()
            c = _cache[key] = Checker(lexicon)
        return c


def current_checker() -> Checker:
    from govhub.safety.store import current_lexicon

    return checker_for(current_lexicon())


def check_text(
    text: str, *, html: bool = False, as_of: dt.date | None = None, lexicon: Lexicon | None = None
) -> list[Finding]:
    """Every text finding in ``text`` with the county's current dictionaries."""
    checker = checker_for(lexicon) if lexicon is not None else current_checker()
    return checker.check(text, as_of=as_of, html=html)
