"""Name folding: the one place that decides when two spellings are the same string.

Case, diacritics (Turkish dotless i included), possessives, punctuation and a
leading article are folded. `dropped_variant` models a common scraping fault:
letters outside ASCII vanish ("Kızılelma" -> "Kzlelma", "İlham" -> "lham").
"""

from __future__ import annotations

import re
import unicodedata

_POSSESSIVE = re.compile(r"['’`]s\b")
_ARTICLE = re.compile(r"^the\s+", re.IGNORECASE)
_NON_ALNUM = re.compile(r"[\W_]+")  # Unicode-aware: names in other scripts keep their letters
_SPACE = re.compile(r"\s+")


# Letters that Unicode decomposition does not reduce to ASCII.
_LETTERS = str.maketrans({"ı": "i", "İ": "I", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ə": "e", "Ə": "E",
                          "đ": "d", "Đ": "D", "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "þ": "th",
                          "Þ": "Th", "ð": "d", "Ð": "D", "ħ": "h", "Ħ": "H"})


def ascii_fold(text: str) -> str:
    """Remove diacritics, keeping letters: 'Türkiye' -> 'Turkiye', 'ı' -> 'i', 'ł' -> 'l'."""
    text = text.replace("İ", "I")  # before NFKD, which would leave a combining dot
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_LETTERS)


def fold(text: str) -> str:
    """The comparison key of a name: 'the Azerbaijan's Air-Forces' -> 'azerbaijanairforces'."""
    text = ascii_fold(text).casefold()
    text = _POSSESSIVE.sub("", text)
    text = _ARTICLE.sub("", text.strip())
    return _NON_ALNUM.sub("", text)


def fold_words(text: str) -> str:
    """Like `fold` but keeps word breaks: 'Azerbaijan's  Air-Forces' -> 'azerbaijan air forces'."""
    text = ascii_fold(text).casefold()
    text = _POSSESSIVE.sub("", text)
    text = _ARTICLE.sub("", text.strip())
    return " ".join(_NON_ALNUM.sub(" ", text).split())


def dropped_variant(text: str) -> str | None:
    """The name with its non-ASCII letters deleted, or None when it has none."""
    if text.isascii():
        return None
    letters = [c for c in text if c.isalpha()]
    kept = "".join(c for c in text if c.isascii())
    kept = _SPACE.sub(" ", kept).strip()
    kept_letters = sum(1 for c in kept if c.isalpha())
    # only a few letters may vanish: a name in another script is not a 'dropped' spelling
    if kept_letters < 3 or kept_letters < 0.7 * len(letters):
        return None
    return kept


def blocking_keys(name: str) -> tuple[str | None, str, str]:
    """Keys under which a stored name is found again: its folded dropped variant, and the first and
    last four letters of its folded form (a close spelling of a long name keeps one of them)."""
    folded = fold(name)
    dropped = dropped_variant(name)
    return (fold(dropped) if dropped else None), folded[:4], folded[-4:]


_ORDINALS = (("First", "1st"), ("Second", "2nd"), ("Third", "3rd"), ("Fourth", "4th"), ("Fifth", "5th"))


def surface_variants(name: str) -> set[str]:
    """The spellings under which a known name is matched in text (case-sensitive forms):
    as written, without diacritics, with non-ASCII letters dropped, upper/title case,
    hyphens as spaces and back ('TÜBİTAK SAGE' ~ 'TUBITAK-SAGE'), ordinals as numerals."""
    forms = {name, name.replace("-", " "), re.sub(r"(?<=\w) (?=\w)", "-", name) if name.count(" ") == 1 else name}
    for word, numeral in _ORDINALS:
        forms |= {f.replace(word, numeral) for f in forms if word in f.split()}
    forms |= {ascii_fold(f) for f in forms}
    dropped = dropped_variant(name)
    if dropped:
        forms.add(dropped)
    out = set()
    for form in forms:
        out.add(form)
        if len(form) > 3:
            out.add(form.upper())
            if form.isupper() or form.islower():
                out.add(form.title())
    return {f for f in out if f.strip()}


def acronym(name: str) -> str:
    """Initials of the capitalized words: 'Turkish Aerospace Industries' -> 'TAI'."""
    words = [w for w in re.findall(r"[A-Za-zÀ-ÿ]+", ascii_fold(name)) if w[0].isupper()]
    return "".join(w[0] for w in words)


def hyphen_parts(name: str) -> list[str]:
    """The parts of a hyphenated name ('Kale-Baykar' -> ['Kale', 'Baykar']); [] for an unhyphenated one."""
    parts = [p.strip() for p in re.split(r"[-\u2010\u2011]", name) if p.strip()]
    return parts if len(parts) > 1 else []
