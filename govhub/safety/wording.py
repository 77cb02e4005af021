"""Wording checks against the dictionaries: proper names one character off, known wrong forms,
outdated institution names, political expressions, leaders' names and titles.

One Aho-Corasick automaton (pyahocorasick) holds every correct form, wrong form, outdated name,
political expression, leader name and title, and the anchors of the fuzzy name search, so a
text is scanned once whatever the size of the dictionaries. Where matches overlap, the longest
correct form wins (住房和城乡建设部 is not the outdated 建设部).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import ahocorasick

from govhub.safety import lm
from govhub.safety.findings import BLOCKING, WARNING, Finding
from govhub.safety.lexicon import CORRECT_KINDS, Entry, Lexicon

FUZZY_CODE = {
    "state_name": "state_name",
    "institution": "institution_name",
    "place": "place_name",
    "fixed_phrase": "fixed_phrase",
    "leader": "leader_name",
}
FUZZY_LABEL = {
    "state_name": "国家或党和国家机构名称",
    "institution": "机构名称",
    "place": "地名",
    "fixed_phrase": "规范表述",
    "leader": "领导人姓名",
}
# short forms of titles as they are written before a name (国务院总理李强 / 总理李强)
TITLE_ALIASES = {
    "国务院总理": ["总理"],
    "国务院副总理": ["副总理"],
    "全国人大常委会委员长": ["委员长", "全国人大委员长"],
    "全国政协主席": ["政协主席"],
    "中共中央总书记": ["总书记", "中央总书记"],
    "中央军委主席": ["军委主席"],
    "中央纪委书记": ["中纪委书记"],
    "国家副主席": ["副主席"],
}
_CJK = re.compile(r"[\u4e00-\u9fff]")
_QUOTES_OPEN = "“‘「『\"'《〈"
_QUOTES_CLOSE = "”’」』\"'》〉"
# words that put a whole sentence in the past (时任, 改革前, 辛亥 …); generic words that also run
# through present-tense text (职责, 原则, 历史建筑, 组建团队, 申请撤销, 档案, 以前) are no evidence
_HISTORY_WORDS = re.compile(
    r"时任|曾任|曾经|当时|此前|前身|改革前|机构改革|更名|改名|不再保留|已撤销|历史上|成立于|"
    r"旧中国|辛亥|民国|北洋|国民政府|抗日|抗战|解放前|新中国成立前|清末"
)
# reform verbs count only right beside the name (撤销国土资源部, 国土资源部的职责划入……)
_REFORM_NEAR = re.compile(r"撤销|组建|整合|合并|划入|划转|并入|职责调整|更名")
_NEAR = 8
# 原 before an earlier name of the same list applies to the whole list (原国土资源部、国家测绘地理信息局)
_FORMER_LIST = re.compile(
    r"原[\u4e00-\u9fa5]{2,24}?[部局委厅署办会室](?:[、和及与][\u4e00-\u9fa5]{2,24}?[部局委厅署办会室])*"
    r"[、和及与]$"
)
# the start of a numbered item ends a sentence for this purpose (第十条, （三）, 3.)
_ITEM = re.compile(
    r"第[一二三四五六七八九十百零〇\d]+[条章节款项]|[（(][一二三四五六七八九十\d]{1,3}[）)]|"
    r"(?<![\d.])\d{1,2}[.．、](?!\d)|[一二三四五六七八九十]{1,3}、|\u3000\u3000"
)
_DOC_YEAR = re.compile(r"[〔\[［(（]\s*((?:19|20)\d{2})\s*[〕\]］)）]")
_YEAR = re.compile(r"(1[89]\d{2}|20\d{2}|[一二][〇○零一二三四五六七八九]{3})\s*年")
_CN_DIGITS = str.maketrans("〇○零一二三四五六七八九", "00012345678" + "9")
_SENTENCE_END = "。！？!?\n；;"
_FUNCTION_CHARS = set(
    "的了和与及或对为在是把被从向以于其之这那各每该本此有也都就而并且但所等将由给让使同跟"
)
_SUFFIXES = "市省县区部局委厅会院室所处站队团镇乡村街路州盟旗"
# the suffixes of the same body at different levels (部 → 厅 → 局, 委员会 → 委, 办公室 → 办)
_LEVEL_SUFFIXES = "部厅局委办署"


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence (or numbered item) around ``start:end``."""
    a = max((text.rfind(ch, 0, start) for ch in _SENTENCE_END), default=-1) + 1
    bs = [text.find(ch, end) for ch in _SENTENCE_END]
    b = min([x for x in bs if x >= 0] or [len(text)])
    for m in _ITEM.finditer(text, a, start):
        a = max(a, m.start() if m.end() <= start else a)
    m = _ITEM.search(text, end, b)
    if m is not None:
        b = m.start()
    return a, b


_LOCATIVES = set("上下中内外里间前后")


def _lm_gain(text: str, s: int, e: int, correct: str, model: lm.CharLM) -> float:
    """How much more probable (log10) the text reads with ``correct`` in place of ``s:e``."""
    a, b = max(0, s - model.order + 1), min(len(text), e + model.order - 1)
    before = model.logprobs(model.ids(text[a:b]))
    after = model.logprobs(model.ids(text[a:s] + correct + text[e:b]))
    return float(after[s - a :].sum() - before[s - a :].sum())


# below this gain a name one character off that reads as ordinary text is left alone
STRETCH_GAIN = 2.0
# a function character in a short name is ordinary text unless the name fits far better
CLEAR_GAIN = 4.0


def _starts_next_word(text: str, s: int, e: int, j: int, term: str, model: lm.CharLM) -> bool:
    """Does the changed character at the edge of a name begin (or end) a common stretch with
    the text beyond the name (财政问|题, 科学技术总|的来说), and the name fit no better there?"""
    L = e - s
    if j == L - 1:
        piece = text[s + j : s + j + 3]
    elif j == 0:
        piece = text[max(0, s - 2) : s + 1]
    else:
        return False
    if not (len(piece) == 3 and all(_CJK.match(c) for c in piece) and model.known(piece)):
        return False
    return _lm_gain(text, s, e, term, model) < STRETCH_GAIN


def _quoted(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 3) : start]
    after = text[end : end + 3]
    return (
        any(q in before for q in _QUOTES_OPEN) and any(q in after for q in _QUOTES_CLOSE)
    ) or "所谓" in text[max(0, start - 4) : start]


def _historical(text: str, start: int, end: int, since: dt.date | None) -> bool:
    """Is the name written about the past (原国土资源部, 2015年……, 时任……, 国土资源部（现自然资源部）,
    a document title or number of before the change)?"""
    if text[max(0, start - 2) : start].endswith(("原", "前", "老")):
        return True
    if text[end : end + 2] in ("（现", "(现", "（今", "(今"):
        return True
    a, b = _sentence(text, start, end)
    if _FORMER_LIST.search(text[max(a, start - 60) : start]):
        return True
    # the title of a document issued under the old name keeps it (《国土资源部关于……》)
    opened = text.rfind("《", a, start)
    if opened >= 0 and text.rfind("》", opened, start) < 0 and text.find("》", end, b + 40) >= 0:
        return True
    # the term itself is no evidence (中华民国 contains 民国)
    sentence = text[a:start] + "　" * (end - start) + text[end:b]
    if _HISTORY_WORDS.search(sentence):
        return True
    near = text[max(a, start - _NEAR) : start] + "　" + text[end : min(b, end + _NEAR)]
    if _REFORM_NEAR.search(near):
        return True
    if since is not None:
        years = [m.group(1) for m in _YEAR.finditer(sentence)]
        years += [m.group(1) for m in _DOC_YEAR.finditer(sentence)]
        for y in years:
            year = int(y.translate(_CN_DIGITS))
            if year < since.year or (year == since.year and since.month > 6):
                return True
    return False


@dataclass(frozen=True)
class _Pat:
    kind: str  # exact kinds or "anchor", "variant", "title", "leader"
    payload: object
    length: int


class WordingChecker:
    """The compiled dictionaries; ``check(text, as_of, model)`` returns wording findings."""

    def __init__(self, lexicon: Lexicon, confusion: dict[str, str] | None = None):
        self.lexicon = lexicon
        self.confusion = confusion or {}
        self.correct: dict[str, Entry] = {}
        for e in lexicon.entries:
            if e.kind in CORRECT_KINDS and len(e.term) >= 3:
                self.correct.setdefault(e.term, e)
        self.leaders = lexicon.leaders
        self.leader_names = {ld.name for ld in self.leaders}
        self.titles: dict[str, str] = {}  # written title → canonical title
        for ld in self.leaders:
            self.titles[ld.title] = ld.title
            for alias in TITLE_ALIASES.get(ld.title, []):
                self.titles.setdefault(alias, ld.title)
        self._build()

    # --- compilation -------------------------------------------------------------------------
    def _add(self, auto, word: str, pat: _Pat, store: dict) -> None:
        store.setdefault(word, []).append(pat)

    def _build(self) -> None:
        store: dict[str, list[_Pat]] = {}
        for e in self.lexicon.entries:
            if e.kind in (
                "wrong_form",
                "outdated",
                "political",
                "quoted",
                "forbidden",
                "sensitive",
            ):
                self._add(None, e.term, _Pat(e.kind, e, len(e.term)), store)
        for term, e in self.correct.items():
            self._add(None, term, _Pat("correct", e, len(term)), store)
            self._fuzzy_patterns(term, e.kind, store)
        for name in self.leader_names:
            self._add(None, name, _Pat("leader", name, len(name)), store)
            if len(name) >= 3:
                self._fuzzy_patterns(name, "leader", store)
        for title in self.titles:
            self._add(None, title, _Pat("title", title, len(title)), store)
        auto = ahocorasick.Automaton()
        for word, pats in store.items():
            auto.add_word(word, (word, tuple(pats)))
        auto.make_automaton()
        self.automaton = auto

    def _fuzzy_patterns(self, term: str, kind: str, store: dict) -> None:
        L = len(term)
        if L >= 4:
            # substitution at j: the longer of the intact prefix/suffix is the anchor
            for j in range(L):
                pre, suf = term[:j], term[j + 1 :]
                if len(pre) >= len(suf) and len(pre) >= 2:
                    self._add(None, pre, _Pat("anchor", (term, kind, j, "pre"), len(pre)), store)
                elif len(suf) >= 2:
                    self._add(None, suf, _Pat("anchor", (term, kind, j, "suf"), len(suf)), store)
            # a dropped inner character (齐齐哈尔市 → 齐齐哈市) and two swapped neighbours
            for j in range(1, L - 1):
                v = term[:j] + term[j + 1 :]
                self._add(None, v, _Pat("variant", (term, kind, "drop", j), len(v)), store)
            for j in range(L - 1):
                if term[j] != term[j + 1]:
                    v = term[:j] + term[j + 1] + term[j] + term[j + 2 :]
                    self._add(None, v, _Pat("variant", (term, kind, "swap", j), len(v)), store)
        elif kind != "place":
            # three characters: only confusable substitutions (杜家毫 → 杜家豪); three-character
            # place names are left to the language model (too many real places look alike)
            for j in range(L):
                for c in self.confusion.get(term[j], "")[:40]:
                    v = term[:j] + c + term[j + 1 :]
                    if v != term:
                        self._add(None, v, _Pat("variant", (term, kind, "sub", j), len(v)), store)

    # --- checking ------------------------------------------------------------------------------
    def check(
        self,
        text: str,
        as_of: dt.date | None = None,
        model: lm.CharLM | None = None,
    ) -> list[Finding]:
        as_of = as_of or dt.date.today()  # noqa: DTZ011 - a calendar date
        hits: list[tuple[int, int, _Pat]] = []
        for end_index, (word, pats) in self.automaton.iter(text):
            start = end_index - len(word) + 1
            for p in pats:
                hits.append((start, end_index + 1, p))
        correct_spans = [(s, e) for s, e, p in hits if p.kind in ("correct", "leader", "title")]
        correct_spans.sort()

        def covered(s: int, e: int, strict: bool = True) -> bool:
            # inside a correct form that is longer (or, when not strict, as long)
            for a, b in correct_spans:
                if a > s:
                    break
                if a <= s and e <= b and (b - a > e - s or not strict):
                    return True
            return False

        out: list[Finding] = []
        # a name inside a longer outdated or wrong name is judged with it (原国家卫生计生委 holds
        # 计生委, and 原 covers both)
        exact_spans = sorted((s, e) for s, e, p in hits if p.kind in ("outdated", "wrong_form"))

        def inside_exact(s: int, e: int) -> bool:
            return any(a <= s and e <= b and b - a > e - s for a, b in exact_spans)

        for s, e, p in hits:
            if p.kind in (
                "wrong_form",
                "political",
                "quoted",
                "forbidden",
                "sensitive",
                "outdated",
            ):
                if p.kind in ("outdated", "wrong_form") and inside_exact(s, e):
                    continue
                f = self._exact(text, s, e, p.payload, as_of)
                if f is not None and not covered(s, e):
                    out.append(f)
            elif p.kind == "anchor":
                term, _k, _j, side = p.payload
                if text.startswith(term, s if side == "pre" else e - len(term)):
                    continue  # the correct form itself
                f = self._anchor(text, s, e, p.payload, model)
                if f is not None:
                    out.append(f)
            elif p.kind == "variant":
                term, kind, how, j = p.payload
                if covered(s, e, strict=False) or text[s:e] in self.correct:
                    continue
                if term[-1] in "部局委厅" and text[e : e + 1] == "门":
                    continue
                if model is not None:
                    v = text[s:e]
                    if how == "sub" and model.known(v):
                        continue  # an attested word of its own (a different name)
                    if how == "sub" and _starts_next_word(text, s, e, j, term, model):
                        continue  # 财政问题 is no 财政部 misspelt
                    if how in ("drop", "swap"):
                        # two characters each side of the join, read in the text itself
                        piece = text[max(0, s + j - 2) : s + j + 2]
                        if len(piece) >= 3 and model.known(piece):
                            continue  # 经营环境 is no 营商环境 with a character dropped
                out.append(self._fuzzy_finding(text, s, e, term, kind))
        out += self._leaders(text, hits, as_of)
        out += self._political_rules(text)
        return _dedupe(out)

    def _exact(self, text: str, s: int, e: int, entry: Entry, as_of: dt.date) -> Finding | None:
        term = entry.term
        sev = entry.severity
        if entry.since and as_of < entry.since:
            return None  # not yet wrong on the text's date (a variant spelling before 2002)
        if entry.kind == "outdated":
            if term[-1] in "部委局厅办" and text[e : e + 1] in ("门", "署", "分"):
                return None  # 人事部门, 文化部门: not the ministry
            if term[-1] == "局" and (
                text[e : e + 1] in ("面", "限", "势", "域")
                or (text[e : e + 1] == "部" and text[e + 1 : e + 2] != "署")
            ):
                return None  # 卫生局面, 农业局部受灾 (but 农业局部署): 局 starts another word
            if _historical(text, s, e, entry.since):
                return None
            since = f"{entry.since.year}年起" if entry.since else ""
            return Finding(
                "outdated_name",
                sev or BLOCKING,
                f"“{term}”{since}已不再使用，应为“{entry.correction}”（历史表述请加“原”字）",
                s,
                e,
                term,
                entry.correction,
            )
        if entry.kind == "quoted":
            if _quoted(text, s, e):
                return None
            return Finding(
                "political",
                sev or BLOCKING,
                f"“{term}”须加引号并使用规范表述" + (f"（{entry.note}）" if entry.note else ""),
                s,
                e,
                term,
                entry.correction or f"“{term}”",
            )
        if entry.kind == "political":
            if _quoted(text, s, e):
                return None
            if text[max(0, s - 1) : s] in ("原", "前"):
                return None  # 原澳门政府: the government before 1999
            if term.endswith("国") and text[e : e + 1] in "民际土内画产企有营库":
                return None  # 台湾国民党, 台湾国际机场
            return Finding(
                "political",
                sev or BLOCKING,
                f"“{term}”是错误的政治性表述，应为“{entry.correction}”"
                + (f"（{entry.note}）" if entry.note else ""),
                s,
                e,
                term,
                entry.correction,
            )
        if entry.kind == "wrong_form":
            return Finding(
                "wrong_expression" if (sev or WARNING) == WARNING else "fixed_phrase",
                sev or WARNING,
                f"“{term}”应为“{entry.correction}”" + (f"（{entry.note}）" if entry.note else ""),
                s,
                e,
                term,
                entry.correction,
            )
        if entry.kind == "forbidden":
            return Finding(
                "forbidden_term",
                sev or BLOCKING,
                f"“{term}”属于禁用词，不得出现在政府发布内容中"
                + (f"（{entry.note}）" if entry.note else ""),
                s,
                e,
                term,
                entry.correction,
            )
        return Finding(
            "sensitive_term",
            sev or WARNING,
            f"“{term}”属于敏感词，请审慎使用" + (f"（{entry.note}）" if entry.note else ""),
            s,
            e,
            term,
            entry.correction,
        )

    def _anchor(self, text: str, s: int, e: int, payload, model) -> Finding | None:
        term, kind, j, side = payload
        L = len(term)
        start = s if side == "pre" else e - L
        if start < 0 or start + L > len(text):
            return None
        window = text[start : start + L]
        if window == term or window in self.correct:
            return None
        if window[j] == term[j] or not _CJK.match(window[j]):
            return None
        if L <= 4 and window[j] not in self.confusion.get(term[j], ""):
            # 人对政府, 营造环境, 领导为组: a function character, or one that makes a common
            # word with its left neighbour, is ordinary text beside a short name
            ordinary = window[j] in _FUNCTION_CHARS or (
                j > 0 and model is not None and model.cond_logp(window[j - 1], window[j]) > -1.3
            )
            # unless the name reads far better there (人民政各应当 is no ordinary text)
            if ordinary and (
                model is None or _lm_gain(text, start, start + L, term, model) < CLEAR_GAIN
            ):
                return None
        if (
            j == L - 1
            and term[-1] in _SUFFIXES
            and _CJK.match(text[start + L : start + L + 1] or "x")
            and window[j] not in self.confusion.get(term[j], "")
        ):
            # 石家庄信息 is not 石家庄市 misspelt: the name without its suffix is a modifier
            return None
        if term[-1] in "部局委厅" and text[start + L : start + L + 1] == "门":
            return None
        if j == L - 1 and window[j] in _LOCATIVES:
            return None  # 交通运输上, 政务服务中: a noun with a locative, not a misspelt body
        if model is not None and _starts_next_word(text, start, start + L, j, term, model):
            return None  # 政务服务中不作为, 科学技术总的来说: the changed character begins the next word
        if j == L - 1 and term[-1] in _LEVEL_SUFFIXES and window[j] in _LEVEL_SUFFIXES:
            # 县科学技术局 is the county's counterpart of the 科学技术部, not a misspelling: a
            # ministry's name with another level's suffix (局/厅/委/办) names a local body
            return None
        if any(window[i] != term[i] for i in range(L) if i != j):
            return None
        if model is not None:
            # the changed stretch is itself common text (人民政协, 的发展格局, 政务服务中不作为)
            if j == 0:
                pieces = [window[0:3], text[max(0, start - 1) : start + 2]]
            elif j == L - 1:
                pieces = [window[L - 3 : L], text[start + L - 2 : start + L + 1]]
            else:
                pieces = [window[max(0, j - 2) : min(L, j + 3)]]
            if any(len(p) >= 3 and model.known(p) for p in pieces):
                return None
        return self._fuzzy_finding(text, start, start + L, term, kind)

    def _fuzzy_finding(self, text: str, s: int, e: int, term: str, kind: str) -> Finding:
        return Finding(
            FUZZY_CODE[kind],
            BLOCKING,
            f"“{text[s:e]}”疑为{FUZZY_LABEL[kind]}“{term}”的错误写法",
            s,
            e,
            text[s:e],
            term,
        )

    def _leaders(self, text: str, hits, as_of: dt.date) -> list[Finding]:
        """A title followed (or preceded) by a name: the name must hold that title on ``as_of``."""
        out: list[Finding] = []
        titles = [(s, e, p.payload) for s, e, p in hits if p.kind == "title"]
        if not titles:
            return out
        # keep the longest title at each end position (国务院副总理, not 副总理/总理)
        # keep the titles no longer title contains (国务院副总理, not 副总理 or 总理)
        maximal = [
            (s, e, t)
            for s, e, t in titles
            if not any(s2 <= s and e <= e2 and (e2 - s2) > (e - s) for s2, e2, _ in titles)
        ]
        for s, e, written in sorted(set(maximal)):
            title = self.titles[written]
            holders = [ld for ld in self.leaders if ld.title == title and ld.holds_on(as_of)]
            if not holders:
                continue
            following = text[e : e + 3]
            name = next(
                (
                    n
                    for n in sorted(self.leader_names, key=len, reverse=True)
                    if following.startswith(n)
                ),
                None,
            )
            if name is not None:
                if any(h.name == name for h in holders):
                    continue
                former = [
                    ld
                    for ld in self.leaders
                    if ld.name == name and ld.title == title and not ld.holds_on(as_of)
                ]
                if _historical(text, s, e + len(name), former[0].end if former else None):
                    continue  # 时任, 原, or a year before the end of the term in the sentence
                if former:
                    when = former[0].end.strftime("%Y年%-m月") if former[0].end else ""
                    msg = f"{name}已于{when}卸任{title}，现任{title}为{'、'.join(h.name for h in holders)}"
                else:
                    msg = f"“{written}{name}”职务与姓名不符：{name}不是现任{title}"
                out.append(
                    Finding(
                        "leader_title",
                        BLOCKING,
                        msg,
                        s,
                        e + len(name),
                        text[s : e + len(name)],
                        f"{written}{holders[0].name}" if len(holders) == 1 else "核对姓名与职务",
                    )
                )
                continue
            # a holder's name one character off, or cut short (总理李克 for 李克强)
            for h in holders:
                n = h.name
                cand = text[e : e + len(n)]
                if (
                    len(cand) == len(n)
                    and _CJK.fullmatch(cand[-1] or "")
                    and sum(a != b for a, b in zip(cand, n, strict=True)) == 1
                    and all(_CJK.match(c) for c in cand)
                ):
                    if cand in self.leader_names:
                        continue
                    out.append(self._fuzzy_finding(text, e, e + len(n), n, "leader"))
                    break
                short = text[e : e + len(n) - 1]
                after = text[e + len(n) - 1 : e + len(n)]
                if len(n) >= 3 and short == n[:-1] and not _CJK.match(after or "x"):
                    out.append(
                        Finding(
                            "leader_name",
                            BLOCKING,
                            f"领导人姓名不完整：“{short}”应为“{n}”",
                            e,
                            e + len(short),
                            short,
                            n,
                        )
                    )
                    break
        return out

    # 台湾/港澳 written as countries: lists ending in 等国家 (not 国家和地区), 中国和香港
    _AS_COUNTRY = re.compile(
        r"(?:[\u4e00-\u9fa5]{2,8}[、和及与])*(?:中国)?(?:香港|澳门|台湾)(?:地区)?"
        r"(?:[、和及与][\u4e00-\u9fa5]{2,8}?)*等国家(?![和与及或]地区)"
    )
    _CHINA_AND = re.compile(r"(?<![内大])中国(?:与|和|同|及|、)(香港|澳门|台湾)(?!地区)")
    _TAIWAN_COUNTRY = re.compile(r"台湾国(?![民际土内画产企有营库])")
    _ROC = re.compile(r"中华民国")
    # 中华民国 in a sentence about the period, its relics or its records (民国时期, 旧址, 档案)
    _ROC_HISTORY = re.compile(
        r"时期|年间|元年|初年|[一二三四五六七八九十]+年|文物|档案|纪念|历史|博物|旧址|遗址|故居|烈士|革命"
    )

    def _political_rules(self, text: str) -> list[Finding]:
        out = []
        for m in self._AS_COUNTRY.finditer(text):
            if _quoted(text, m.start(), m.end()):
                continue
            out.append(
                Finding(
                    "political",
                    BLOCKING,
                    "将香港、澳门或台湾与国家并列，应写作“国家和地区”",
                    m.start(),
                    m.end(),
                    m.group(),
                    m.group() + "和地区",
                )
            )
        for m in self._CHINA_AND.finditer(text):
            place = m.group(1)
            other = "大陆" if place == "台湾" else "内地"
            out.append(
                Finding(
                    "political",
                    BLOCKING,
                    f"“中国”与“{place}”不能并列，应写作“{other}与{place}”",
                    m.start(),
                    m.end(),
                    m.group(),
                    f"{other}与{place}",
                )
            )
        for m in self._ROC.finditer(text):
            if _quoted(text, m.start(), m.end()) or _historical(
                text, m.start(), m.end(), dt.date(1949, 10, 1)
            ):
                continue
            a, b = _sentence(text, m.start(), m.end())
            if self._ROC_HISTORY.search(text[a : m.start()] + "　" + text[m.end() : b]):
                continue
            out.append(
                Finding(
                    "political",
                    BLOCKING,
                    "“中华民国”只能用于1949年以前的历史表述，现行表述应为“台湾地区”或“台湾当局”",
                    m.start(),
                    m.end(),
                    m.group(),
                    "台湾地区",
                )
            )
        return out


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """One finding per span: the more serious (blocking, then the longer) wins where spans
    overlap."""
    ranked = sorted(findings, key=lambda f: (f.severity != BLOCKING, -(f.end - f.start), f.start))
    kept: list[Finding] = []
    for f in ranked:
        if any(f.start < k.end and k.start < f.end for k in kept):
            continue
        kept.append(f)
    return sorted(kept, key=lambda f: (f.start, f.code))


def confusion_map(path) -> dict[str, str]:
    """Character → its confusable characters (all kinds), from the shipped confusion table."""
    out: dict[str, str] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return out
    for line in lines:
        parts = line.split("\t")
        if parts and parts[0]:
            out[parts[0]] = "".join(f[2:] for f in parts[1:])
    return out
