#!/usr/bin/python3
"""Independent reference for CLIP's byte-level BPE tokenizer, written from the published algorithm.

Run with /usr/bin/python3 (needs Debian's python3-regex for \\p{L}/\\p{N}, as CLIP itself uses `regex`):
    /usr/bin/python3 make_tokenizer_fixtures.py
Writes tokenizer/cases.json: [{"text": ..., "ids": [77 ints]}].

Text clean-up. CLIP runs ftfy.fix_text, then html.unescape twice, strip, collapse whitespace, lower-case. ftfy is not
packaged for Debian 12, so both this script and the C# tokenizer implement the same documented subset of ftfy's
default fixes: terminal escapes and control characters removed, curly quotes straightened, Latin ligatures and
fullwidth ASCII expanded, NFC. What neither does is ftfy's mojibake repair (fix_encoding). This file implements that
subset with Python's unicodedata; the C# side is written separately.
"""
import gzip
import html
import json
import os
import re
import unicodedata

import regex

HERE = os.path.dirname(os.path.abspath(__file__))
VOCAB = os.path.join(HERE, "..", "..", "..", "src", "ClipGuard.Stream.Embedding", "Assets", "bpe_simple_vocab_16e6.txt.gz")
CONTEXT = 77
SOT, EOT = "<start_of_text>", "<end_of_text>"


def byte_alphabet():
    """CLIP's reversible byte -> printable character table (printable Latin-1 bytes map to themselves).

    Returns the table and the byte order of the vocabulary's first 256 entries: the kept bytes first, in value
    order, then the remapped ones.
    """
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAC + 1)) + list(range(0xAE, 0xFF + 1))
    table, extra = {b: chr(b) for b in keep}, 0
    order = list(keep)
    for b in range(256):
        if b not in table:
            table[b] = chr(256 + extra)
            order.append(b)
            extra += 1
    return table, order


BYTES, BYTE_ORDER = byte_alphabet()
with gzip.open(VOCAB, "rt", encoding="utf-8") as f:
    lines = f.read().split("\n")
MERGES = [tuple(line.split()) for line in lines[1:49152 - 256 - 2 + 1]]
RANK = {pair: i for i, pair in enumerate(MERGES)}
ORDERED_BYTES = [BYTES[b] for b in BYTE_ORDER]
TOKENS = ORDERED_BYTES + [c + "</w>" for c in ORDERED_BYTES] + ["".join(m) for m in MERGES] + [SOT, EOT]
ID = {t: i for i, t in enumerate(TOKENS)}
assert len(TOKENS) == 49408 and ID[SOT] == 49406 and ID[EOT] == 49407

PATTERN = regex.compile(r"""<start_of_text>|<end_of_text>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+""", regex.IGNORECASE)

TERMINAL_ESCAPE = regex.compile(r"\x1b\[((?:\d|;)*)([a-zA-Z])")
CONTROL = set(range(0x00, 0x09)) | {0x0B} | set(range(0x0E, 0x20)) | {0x7F} | set(range(0x206A, 0x2070)) | {0xFEFF} \
    | set(range(0xFFF9, 0xFFFD)) | set(range(0x1D173, 0x1D17B)) | set(range(0xE0000, 0xE0080))
LIGATURES = [0x0132, 0x0133, 0x013F, 0x0140, 0x0149] + list(range(0x01C4, 0x01CD)) + list(range(0x01F1, 0x01F4)) + list(range(0xFB00, 0xFB07))


def ftfy_subset(text):
    text = TERMINAL_ESCAPE.sub("", text)
    out = []
    for ch in text:
        cp = ord(ch)
        if cp in CONTROL:
            continue
        if cp == 0x02BC or 0x2018 <= cp <= 0x201B:
            out.append("'")
        elif 0x201C <= cp <= 0x201F:
            out.append('"')
        elif cp in LIGATURES:
            out.append(unicodedata.normalize("NFKC", ch))
        elif 0xFF01 <= cp <= 0xFF5E:
            out.append(chr(cp - 0xFEE0))
        elif cp == 0x3000:
            out.append(" ")
        else:
            out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def clean(text):
    text = html.unescape(html.unescape(ftfy_subset(text))).strip()
    # CLIP's whitespace_clean uses the standard library's re (str.isspace semantics), not regex.
    return re.sub(r"\s+", " ", text).strip().lower()


def bpe(token):
    if token in (SOT, EOT):
        return [token]
    parts = list(token[:-1]) + [token[-1] + "</w>"]
    while len(parts) > 1:
        best = min(((RANK.get((a, b), float("inf")), i) for i, (a, b) in enumerate(zip(parts, parts[1:]))))
        if best[0] == float("inf"):
            break
        a, b = parts[best[1]], parts[best[1] + 1]
        merged, i = [], 0
        while i < len(parts):
            if i + 1 < len(parts) and parts[i] == a and parts[i + 1] == b:
                merged.append(a + b)
                i += 2
            else:
                merged.append(parts[i])
                i += 1
        parts = merged
    return parts


def encode(text):
    ids = []
    for piece in PATTERN.findall(clean(text)):
        mapped = "".join(BYTES[b] for b in piece.encode("utf-8"))
        ids.extend(ID[p] for p in bpe(mapped))
    return ids


def tokenize(text):
    ids = [ID[SOT]] + encode(text) + [ID[EOT]]
    if len(ids) > CONTEXT:
        ids = ids[:CONTEXT]
        ids[-1] = ID[EOT]
    return ids + [0] * (CONTEXT - len(ids))


CASES = [
    "a photo of a cat",
    "A Photo Of A CAT",
    "",
    "   \t\n  ",
    "café crème brûlée à la française",
    "Cafe\u0301 (decomposed accent)",
    "naïve coöperation façade jalapeño",
    "Zoë Saldaña and Björk in São Paulo",
    "🎂 happy birthday 🎉🎉🎉",
    "family: 👨‍👩‍👧‍👦, flag: 🇫🇷, thumbs: 👍🏽",
    "!!!???...,,,;;;:::---___",
    "wait... what?!?! no way!!!!!!",
    "prices: $1,234.56 or €99,99 (50% off) #1",
    "3.14159265358979323846 and 1e-10 and 0xFF",
    "room 101, 2024-11-24T20:51:11Z, +1 (555) 010-9999",
    "it's, they're, we've, I'm, you'll, he'd, can't",
    "IT'S THEY'RE WE'VE",
    "“curly quotes” and ‘single ones’ and ʼapostrophe",
    "ﬁnancial ﬂow ﬀ ĳssel",
    "ＦＵＬＬＷＩＤＴＨ　ｔｅｘｔ！",
    "日本語のテキストと漢字",
    "한국어 텍스트",
    "Ελληνικά ΟΔΥΣΣΕΥΣ",
    "İstanbul and DİYARBAKIR",
    "مرحبا بالعالم",
    "Привет, мир! Ёлка",
    "&amp;amp; &lt;b&gt;bold&lt;/b&gt; &quot;quoted&quot; &#39;x&#39;",
    "tab\tseparated\nnew\r\nlines\u2028and\u00a0nbsp",
    "zero\u200bwidth\ufeffbom\u0007bell\x1b[31mred\x1b[0m",
    "literal <start_of_text> and <end_of_text> markers",
    "https://example.com/path?q=cat&lang=en#frag",
    "#hashtag @mention email@example.org",
    "𝐁𝐨𝐥𝐝 math letters and 𝟏𝟐𝟑",
    "supercalifragilisticexpialidocious antidisestablishmentarianism",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "a birthday cake with candles on a wooden table, " * 8,
    " ".join(str(i) for i in range(100)),
    "MiXeD CaSe WoRdS wItH NuMb3rs 4nd l33t",
    "\u00c5ngstr\u00f6m \u212b sign and \u2126 ohm",
    "the quick brown fox — jumps – over … the lazy dog",
]


def main():
    assert len(CASES) >= 30
    out = [{"text": t, "ids": tokenize(t)} for t in CASES]
    path = os.path.join(HERE, "tokenizer", "cases.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=True, indent=1)
    print(len(out), "cases ->", path)


if __name__ == "__main__":
    main()
