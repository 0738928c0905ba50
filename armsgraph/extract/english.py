"""The English layer of event extraction: how the lexicon's words (`data/events.yaml`) are found
in a parsed English sentence (lemmas, parts of speech, noun chunks). The role logic in `events.py`
and `learned.py` asks this module; another language would add its own beside it.
"""

from __future__ import annotations

from collections.abc import Mapping

from spacy.tokens import Doc, Span, Token

from armsgraph.extract import lexicon as lx


def words(toks: list[Token]) -> list[tuple[str, str]]:
    """(lemma, lower-case form) of each token, read once per sentence for all event types."""
    return [(t.lemma_.lower(), t.lower_) for t in toks]


def triggers(toks: list[Token], spec: lx.EventSpec, words: list[tuple[str, str]]) -> list[tuple[Token, str]]:
    """The tokens of one sentence (`toks`) that trigger an event of `spec`, with the frame each opens."""
    found: list[tuple[Token, str]] = []
    for i, (lemma, lower) in enumerate(words):
        candidates = spec.by_first.get(lemma, []) + (spec.by_first.get(lower, []) if lower != lemma else [])
        for phrase, frame in candidates:
            n = len(phrase)
            window = toks[i:i + n]
            if len(window) < n:
                continue
            if all(words[i + k][0] == p or words[i + k][1] == p for k, p in enumerate(phrase)):
                head = next((w for w in window if w.head not in window or w.head == w), window[-1])
                pos = spec.trigger_pos.get(phrase)
                if pos and head.pos_ != pos:
                    continue
                if head.lower_ == "order" and i > 0 and toks[i - 1].lower_ == "in":
                    continue  # the purpose clause 'in order to' orders nothing
                if not any(head == f[0] for f in found):
                    found.append((head, frame))
    return found


def product_phrase(chunk: Span, token_entity: Mapping[int, object], lex: lx.Lexicon,
                   nouns: frozenset[str] | None = None) -> str | None:
    """The words of a noun chunk that name a kind of product ("tracked armoured vehicles"), when its
    head is a product noun (`events.yaml`; `nouns` for a type's own), without determiners, vague
    adjectives or named entities."""
    if chunk.root.lemma_.lower() not in (nouns or lex.product_nouns):
        return None
    kept = [t for t in chunk if t.pos_ in ("NOUN", "ADJ", "PROPN") and t.dep_ != "poss"
            and t.lower_ not in lex.vague_adjectives and t.i not in token_entity]
    if not kept:
        return None
    return chunk.doc[kept[0].i:chunk.root.i + 1].text if kept[0].i <= chunk.root.i else chunk.root.text


def chunks_by_sentence(sdoc: Doc) -> dict[int, list[Span]]:
    """The document's noun chunks grouped by their sentence's first token, read in one pass
    (spaCy's `Span.noun_chunks` walks the whole document on every call)."""
    out: dict[int, list[Span]] = {}
    for chunk in sdoc.noun_chunks:
        out.setdefault(chunk.sent.start, []).append(chunk)
    return out
