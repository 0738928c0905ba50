"""Language identification: find articles that are not in English.

The extraction pipeline uses an English model, so an article in French,
Turkish or Russian has to be identified first. Identification uses py3langid,
a Naive Bayes classifier over byte n-grams covering 142 languages. Its model
ships inside the package, so nothing is downloaded. The classifier is loaded
once per process (about 0.9 s), on first use.

* `detect` classifies only the first MAX_CHARS characters. The opening of an
  article decides its language, and this keeps the cost bounded on long pages.
* The probability comes from py3langid's normalized mode (`norm_probs=True`):
  a softmax over all languages, tempered by the text length, so short or mixed
  text gets a lower value.
* Codes are ISO 639-1 where the language has one. For the few languages that
  have none the model gives its own code (e.g. 'ary', 'yue'). It gives 'zxx'
  for text with no linguistic content. Text with no letters at all is
  ('und', 0.0).
* `is_english` does not judge texts with fewer than MIN_LETTERS letters, such
  as a headline, a caption or an empty page. It returns True for them, so the
  pipeline keeps them: an identifier guessing from a few words is wrong too
  often to drop an article on.
"""

from __future__ import annotations

import functools

from py3langid.langid import MODEL_FILE, LanguageIdentifier

MAX_CHARS = 2000
MIN_LETTERS = 40
UNDETERMINED = "und"


@functools.cache
def _identifier() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _sample(text: str) -> str:
    return text.lstrip()[:MAX_CHARS]


def detect(text: str) -> tuple[str, float]:
    """(language code, probability in [0, 1]) of the text's opening MAX_CHARS characters."""
    sample = _sample(text)
    if not any(c.isalpha() for c in sample):
        return UNDETERMINED, 0.0
    lang, prob = _identifier().classify(sample)
    return str(lang), float(prob)


def is_english(text: str, min_confidence: float = 0.5) -> bool:
    """True when the text is English with at least `min_confidence`, or too short to judge."""
    sample = _sample(text)
    if sum(c.isalpha() for c in sample) < MIN_LETTERS:
        return True
    lang, prob = detect(sample)
    return lang == "en" and prob >= min_confidence
