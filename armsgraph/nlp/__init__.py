"""NLP: the spaCy pipeline and the knowledge-base matcher, loaded once.

Sentences never cross a line break: the cleaner puts headline, captions and
paragraphs on lines of their own, and a component before the parser marks
every token after a newline as a sentence start.
"""

from __future__ import annotations

import functools
import re
from importlib import metadata

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from armsgraph.errors import ArmsgraphError
from armsgraph.kb import KnowledgeBase
from armsgraph.resolve.names import surface_variants


@Language.component("armsgraph_line_breaks", assigns=["token.is_sent_start"])
def line_breaks(doc: Doc) -> Doc:
    """Start a sentence after every newline (requires nothing; runs before the parser)."""
    for token in doc[1:]:
        prev = doc[token.i - 1]
        if "\n" in prev.text or "\n" in prev.whitespace_:
            token.is_sent_start = True
    return doc


class Annotator:
    """spaCy's English pipeline plus a phrase matcher over every knowledge-base name."""

    def __init__(self, model: str, kb: KnowledgeBase) -> None:
        try:
            self.nlp = spacy.load(model)
        except OSError as exc:
            raise ArmsgraphError(
                f"spaCy model {model!r} is not installed ({exc}); install it: pip install {model_requirement(model)} "
                "(in a clone of the repository, `make demo` installs the pinned model with its hash)"
            ) from exc
        self.nlp.add_pipe("armsgraph_line_breaks", before="parser")
        self.kb = kb
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="ORTH")
        patterns: dict[str, set[str]] = {}
        for entry in kb.entries.values():
            for name in [*entry.names, *entry.demonyms]:
                for form in surface_variants(name):
                    patterns.setdefault(entry.id, set()).add(form)
        for entry_id, forms in patterns.items():
            self.matcher.add(entry_id, [self.nlp.make_doc(f) for f in sorted(forms)])

    def __call__(self, texts: list[str], batch_size: int = 16) -> list[Doc]:
        return list(self.nlp.pipe(texts, batch_size=batch_size))


def model_requirement(model: str) -> str:
    """The pinned requirement of a model package, as armsgraph's own metadata declares it ("pkg==1.2.3")."""
    wanted = re.sub(r"[-_.]+", "-", model).lower()
    try:
        requires = metadata.requires("armsgraph") or []
    except metadata.PackageNotFoundError:
        requires = []
    for req in requires:
        name = re.split(r"[ ;<>=!~\[]", req, maxsplit=1)[0]
        if re.sub(r"[-_.]+", "-", name).lower() == wanted and ";" not in req:
            return req.replace(" ", "")
    return wanted


@functools.cache
def annotator(model: str, kb: KnowledgeBase) -> Annotator:
    """One loaded pipeline per process."""
    return Annotator(model, kb)
