"""Duplicate detection: one agency story republished on several sites is one source.

Much defence-cooperation news is wire copy. One agency story is republished
word for word, or with light edits (a new headline, a byline, a trimmed or
reworded sentence), by many sites. If every copy counted as a separate report,
one claim would look corroborated by many independent sources when it has one.
So every article gets two fingerprints:

* `content_key`: SHA-256 (hex) of `fold_words(text)`. It catches exact copies
  that differ only in case, punctuation, whitespace or diacritics. Because it
  uses the project's folding, it also ignores a leading "The" and possessive
  "'s", as name matching does.
* `signature`: a MinHash of the set of word 5-gram shingles of
  `fold_words(text)`. `NearDuplicateIndex` uses it to find an earlier article
  whose estimated Jaccard similarity is at least the threshold.

Parameters (changing NUM_PERM, SEED or SCHEME makes every stored signature
unusable, because signatures from different settings cannot be compared):

* NUM_PERM = 128 permutations. The standard error of the Jaccard estimate is
  sqrt(J(1-J)/128), about 0.035 at J = 0.8.
* SEED = 1 and SCHEME = "affine32" (the datasketch 2.x default, set here
  explicitly). The hash is SHA-1 based, so signatures are identical across
  processes and machines. Values are below 2**32, so they fit in JSON as ints.
* SHINGLE_WORDS = 5. A text with fewer words is one shingle of all its words,
  so a very short text only matches the same words in the same order. A text
  with no words has the empty signature (every value 2**32 - 1). It matches
  nothing and nothing matches it.
* threshold = 0.8 by default (`NearDuplicateIndex(threshold=...)`). In a
  150-word article, each reworded word changes up to 5 shingles, so a new
  headline, a byline and a fully rewritten sentence already lower J to about
  0.6. Use a lower threshold when edited copies must still be caught.
* LSH banding: the index does not use datasketch's default banding. With
  weights (0.5, 0.5) at 0.8, datasketch picks 9 bands of 13 rows, and a pair at
  J = 0.8 then becomes a candidate only about 40% of the time. Instead the
  index takes the longest bands (b * r <= 128) that still make a pair at the
  threshold a candidate with probability >= 0.99: 21 bands of 6 rows at 0.8.
  Each candidate is then checked against the full 128-value estimate, so the
  extra candidates cost a little time but never produce a wrong match.
* The store keeps the band keys of every stored original (`band_keys`, banded
  for STORE_THRESHOLD = 0.5, so that any threshold from 0.5 up finds its
  candidates there with p >= 0.99), so ingest holds in memory only the
  articles of the run that are not written yet, whatever the store's size.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from datasketch import MinHash, MinHashLSH

from armsgraph.resolve.names import fold_words

NUM_PERM = 128
SEED = 1
SCHEME = "affine32"
SHINGLE_WORDS = 5
DEFAULT_THRESHOLD = 0.8
CANDIDATE_RECALL = 0.99  # chance that a pair exactly at the threshold is looked at
STORE_THRESHOLD = 0.5  # the lowest threshold the store's band keys serve at CANDIDATE_RECALL
_EMPTY = (1 << 32) - 1  # the value of every slot of a MinHash that saw nothing


@functools.lru_cache(maxsize=256)  # ingest asks before processing, the store again when writing
def content_key(text: str) -> str:
    """The exact-duplicate key: SHA-256 hex digest of the folded words joined by single spaces."""
    return hashlib.sha256(fold_words(text).encode("utf-8", "surrogatepass")).hexdigest()


def shingles(text: str) -> set[str]:
    """Word 5-grams of the folded text; one shingle of all words when there are fewer than five."""
    words = fold_words(text).split()
    n = min(SHINGLE_WORDS, len(words))
    if n == 0:
        return set()
    return {" ".join(words[i:i + n]) for i in range(len(words) - n + 1)}


@functools.cache
def _template() -> MinHash:
    """The empty MinHash whose permutations every signature shares (built once)."""
    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)


def signature(text: str) -> list[int]:
    """MinHash (128 values, each < 2**32) of the text's word shingles, as plain ints for JSON."""
    return list(_signature(text))


@functools.lru_cache(maxsize=256)  # ingest asks before processing, the store again when writing
def _signature(text: str) -> tuple[int, ...]:
    m = _template().copy()
    m.update_batch([s.encode("utf-8", "surrogatepass") for s in shingles(text)])
    return tuple(int(v) for v in m.hashvalues)


def _as_array(sig: Sequence[int]) -> npt.NDArray[np.uint32]:
    if len(sig) != NUM_PERM:
        raise ValueError(f"a signature has {NUM_PERM} values, got {len(sig)}")
    try:
        values = np.asarray(sig, dtype=np.int64)
    except (OverflowError, TypeError) as err:
        raise ValueError("signature values must be ints in [0, 2**32)") from err
    if values.ndim != 1 or values.min() < 0 or values.max() > _EMPTY:
        raise ValueError("signature values must be ints in [0, 2**32)")
    return values.astype(np.uint32)


def _is_empty(values: npt.NDArray[np.uint32]) -> bool:
    return bool(np.all(values == _EMPTY))


@functools.cache
def bands_for(threshold: float) -> tuple[int, int]:
    """(bands, rows) with the longest bands at which a pair at `threshold` is a candidate with p >= 0.99."""
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    for rows in range(NUM_PERM // 2, 0, -1):
        bands = NUM_PERM // rows
        if 1.0 - (1.0 - threshold**rows) ** bands >= CANDIDATE_RECALL:
            return bands, rows
    return NUM_PERM, 1  # unreachable for threshold > 0: one row per band always qualifies


def band_keys(signature: Sequence[int]) -> list[tuple[int, int]]:
    """(band, key) pairs of a signature as the store indexes them: two documents that share one are
    candidates for a near copy at any threshold >= STORE_THRESHOLD. Empty for the empty signature."""
    values = _as_array(signature)
    if _is_empty(values):
        return []
    bands, rows = bands_for(STORE_THRESHOLD)
    return [(b, int.from_bytes(hashlib.blake2b(values[b * rows:(b + 1) * rows].tobytes(), digest_size=8).digest(),
                               "big", signed=True)) for b in range(bands)]


def similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """Estimated Jaccard similarity of two signatures (the share of equal values)."""
    return _similarity(_as_array(a), _as_array(b))


def _similarity(a: npt.NDArray[np.uint32], b: npt.NDArray[np.uint32]) -> float:
    return float(np.count_nonzero(a == b)) / NUM_PERM


class NearDuplicateIndex:
    """Signatures of earlier documents, searchable for near-duplicates of a new one.

    Build it from the stored (doc_id, signature) pairs in the order the
    documents arrived. `match` returns the most similar indexed document whose
    estimated Jaccard similarity is >= threshold. On a tie it returns the
    earliest one added.
    """

    def __init__(self, threshold: float = DEFAULT_THRESHOLD) -> None:
        self.threshold = threshold
        self._lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM, params=bands_for(threshold))
        self._values: dict[str, npt.NDArray[np.uint32]] = {}  # insertion order is arrival order
        self._order: dict[str, int] = {}

    def add(self, doc_id: str, signature: Sequence[int]) -> None:
        """Index one document. Raises ValueError if doc_id is already indexed or the signature is malformed."""
        if doc_id in self._values:
            raise ValueError(f"document {doc_id!r} is already indexed")
        values = _as_array(signature)
        if not _is_empty(values):
            self._lsh.insert(doc_id, self._minhash(values), check_duplication=False)
        self._order[doc_id] = len(self._order)
        self._values[doc_id] = values

    def match(self, signature: Sequence[int]) -> str | None:
        """The doc_id of the most similar indexed document at or above the threshold, else None."""
        best = min(self.matches(signature), key=lambda m: (-m[1], self._order[m[0]]), default=None)
        return None if best is None else best[0]

    def matches(self, signature: Sequence[int]) -> list[tuple[str, float]]:
        """(doc_id, estimated similarity) of every indexed document at or above the threshold."""
        values = _as_array(signature)
        if _is_empty(values):
            return []
        out = []
        for key in self._lsh.query(self._minhash(values)):
            doc_id = str(key)
            score = _similarity(self._values[doc_id], values)
            if score >= self.threshold:
                out.append((doc_id, score))
        return out

    def discard(self, doc_id: str) -> None:
        """Forget a document (no error if it is not indexed)."""
        if self._values.pop(doc_id, None) is not None:
            self._order.pop(doc_id, None)
            if doc_id in self._lsh:
                self._lsh.remove(doc_id)

    def similarity(self, doc_id: str, signature: Sequence[int]) -> float:
        """Estimated Jaccard similarity between an indexed document and a signature (KeyError if not indexed)."""
        return _similarity(self._values[doc_id], _as_array(signature))

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._values

    def __len__(self) -> int:
        return len(self._values)

    @staticmethod
    def _minhash(values: npt.NDArray[np.uint32]) -> MinHash:
        template = _template()
        return MinHash(seed=SEED, hashvalues=values, permutations=template.permutations, scheme=SCHEME)
