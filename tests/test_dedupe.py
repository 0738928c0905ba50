"""Duplicates: exact copies share a key, and an edited syndicated copy matches the earlier story.
A different story about the same deal does not match."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from armsgraph.ingest.dedupe import (
    NUM_PERM,
    NearDuplicateIndex,
    bands_for,
    content_key,
    shingles,
    signature,
)
from tests.helpers import REPO

# An invented agency story (162 words), then copies of it as another site would run them.
BODY = (
    "ANKARA - Türkiye and Azerbaijan signed an agreement on Tuesday to jointly produce armoured personnel "
    "carriers at a new plant near Ganja, the two defence ministries said in a joint statement. Under the deal, "
    "Otokar will transfer production technology for its Arma 8x8 vehicle to Azerbaijan's Ministry of Defence "
    "Industry, and the first locally assembled carriers are expected to leave the line in 2026. The plant will "
    "employ about 600 workers and will also repair vehicles already in service with the Azerbaijani army. "
    "Officials said the agreement builds on a 2021 memorandum on defence industrial cooperation and follows "
    "deliveries of Bayraktar TB2 drones and multiple rocket launchers in recent years. A ministry spokesman, "
    "Elnur Hasanli, called the project a milestone for the country's industrial base. Engineers from both "
    "countries will be trained at Otokar's factory in Sakarya before the Ganja plant opens next spring. "
    "Neither side disclosed the value of the contract, which still has to be approved by parliament in Baku."
)
ORIGINAL = "Türkiye and Azerbaijan to build armoured carriers in Ganja\n\n" + BODY
SYNDICATED_HEAD = "Azerbaijan, Turkey sign deal for joint APC production\nBy Leyla Mammadova | Caspian Wire\n\n"
SENTENCE = "A ministry spokesman, Elnur Hasanli, called the project a milestone for the country's industrial base."
# the sub-editor's touch: two words of one sentence changed
LIGHT_EDIT = "Ministry spokesman Elnur Hasanli called the project a milestone for the country's industrial base."
# one sentence replaced by a new one
REWRITE = "Baku hopes the factory will eventually export vehicles to partners in Central Asia and Africa."

# A different invented story about the same deal, naming the same entities.
OTHER = (
    "Azerbaijani engineers begin training at Otokar\n\n"
    "SAKARYA - The first group of forty Azerbaijani engineers arrived at Otokar's factory in Sakarya this week "
    "to learn how the Arma 8x8 is welded, painted and tested, Türkiye's defence industry agency said. The "
    "training is part of the agreement between Türkiye and Azerbaijan on armoured personnel carriers, under "
    "which a plant near Ganja is due to open next spring. Azerbaijan's Ministry of Defence Industry will send "
    "three more groups before the end of the year, and instructors from Otokar will later move to Ganja to "
    "supervise the first production run. Elnur Hasanli, a ministry spokesman, said the course would also cover "
    "the maintenance of Bayraktar TB2 drones already flown by the Azerbaijani army. Parliament in Baku has not "
    "yet voted on the contract, whose value has not been made public, and opposition deputies have asked for "
    "the figures to be released before the vote."
)


def syndicated(sentence: str) -> str:
    assert SENTENCE in BODY
    return SYNDICATED_HEAD + BODY.replace(SENTENCE, sentence)


def test_the_fixture_is_an_article_of_about_150_words() -> None:
    assert 140 <= len(BODY.split()) <= 170


@pytest.mark.parametrize("copy", [
    ORIGINAL.upper(),
    ORIGINAL.replace(",", "").replace(".", "").replace("-", "—"),
    "  " + ORIGINAL.replace(" ", "\n \t").replace("\n\n", " ") + "\n",
    ORIGINAL.replace("Türkiye", "Turkiye"),
    ORIGINAL.replace("Azerbaijan's", "Azerbaijan’s"),
])
def test_content_key_ignores_case_punctuation_whitespace_and_diacritics(copy: str) -> None:
    assert content_key(copy) == content_key(ORIGINAL)


@pytest.mark.parametrize("different", [
    OTHER,
    BODY,  # the same story without its headline is not an exact copy
    ORIGINAL.replace("600", "700"),
    ORIGINAL.replace("Türkiye", "Turkey"),
    "",
])
def test_content_key_differs_for_different_texts(different: str) -> None:
    assert content_key(different) != content_key(ORIGINAL)


def test_content_key_is_a_sha256_hex_digest() -> None:
    key = content_key(ORIGINAL)
    assert len(key) == 64
    assert int(key, 16) >= 0


def test_signature_is_128_json_ints() -> None:
    sig = signature(ORIGINAL)
    assert len(sig) == NUM_PERM
    assert all(type(v) is int and 0 <= v < 2**32 for v in sig)
    assert json.loads(json.dumps(sig)) == sig


def test_signature_is_deterministic_across_calls_and_processes() -> None:
    sig = signature(ORIGINAL)
    assert signature(ORIGINAL) == sig
    code = (
        "import json, sys\n"
        "from armsgraph.ingest.dedupe import signature\n"
        "print(json.dumps(signature(sys.stdin.read())))\n"
    )
    # another process with another str-hash seed (importing armsgraph takes about two seconds)
    out = subprocess.run(
        [sys.executable, "-c", code], input=ORIGINAL, capture_output=True, text=True, check=True,
        env={**os.environ, "PYTHONHASHSEED": "12345", "PYTHONIOENCODING": "utf-8"}, cwd=REPO,
    )
    assert json.loads(out.stdout) == sig


def test_shingles_are_word_five_grams_and_short_texts_fall_back_to_one_shingle() -> None:
    assert shingles("Roketsan and Aselsan sign a radar deal") == {
        "roketsan and aselsan sign a", "and aselsan sign a radar", "aselsan sign a radar deal",
    }
    assert shingles("Roketsan opens plant") == {"roketsan opens plant"}
    assert shingles("?!") == set()


def test_an_edited_syndicated_copy_matches_the_original() -> None:
    """New headline, a byline and one sentence touched up: the same story."""
    index = NearDuplicateIndex()
    index.add("original", signature(ORIGINAL))
    index.add("other", signature(OTHER))
    assert index.match(signature(syndicated(LIGHT_EDIT))) == "original"
    assert index.match(signature(syndicated(SENTENCE))) == "original"


def test_a_heavier_edit_needs_a_lower_threshold() -> None:
    """At 0.8, a new headline, a byline and a replaced sentence in 150 words is already too much
    (about 0.7); the threshold is the knob for catching it."""
    copy = signature(syndicated(REWRITE))
    strict, loose = NearDuplicateIndex(), NearDuplicateIndex(threshold=0.6)
    for index in (strict, loose):
        index.add("original", signature(ORIGINAL))
    assert strict.match(copy) is None
    assert loose.match(copy) == "original"


def test_a_different_story_on_the_same_deal_does_not_match() -> None:
    for threshold in (0.8, 0.5):
        index = NearDuplicateIndex(threshold=threshold)
        index.add("original", signature(ORIGINAL))
        assert index.match(signature(OTHER)) is None
    index = NearDuplicateIndex()
    index.add("original", signature(ORIGINAL))
    assert index.similarity("original", signature(OTHER)) < 0.2


def test_ties_go_to_the_earliest_added_document() -> None:
    index = NearDuplicateIndex()
    sig = signature(ORIGINAL)
    for doc_id in ("zeta", "alpha", "mid"):
        index.add(doc_id, sig)
    assert index.match(sig) == "zeta"
    assert len(index) == 3


def test_the_most_similar_document_wins_over_an_earlier_one() -> None:
    index = NearDuplicateIndex()
    index.add("edited", signature(syndicated(LIGHT_EDIT)))
    index.add("exact", signature(ORIGINAL))
    assert index.match(signature(ORIGINAL)) == "exact"


def test_empty_texts_match_nothing() -> None:
    index = NearDuplicateIndex()
    index.add("blank", signature(""))
    index.add("original", signature(ORIGINAL))
    assert len(index) == 2
    assert index.match(signature("")) is None
    assert index.match(signature(" ... ")) is None
    assert index.match(signature(ORIGINAL)) == "original"


def test_short_texts_match_only_the_same_words() -> None:
    index = NearDuplicateIndex()
    index.add("a", signature("Roketsan opens plant"))
    assert index.match(signature("ROKETSAN OPENS PLANT!")) == "a"
    assert index.match(signature("Roketsan opens a plant")) is None


def test_an_index_rejects_a_repeated_id_and_malformed_signatures() -> None:
    index = NearDuplicateIndex()
    index.add("a", signature(ORIGINAL))
    assert "a" in index
    with pytest.raises(ValueError, match="already indexed"):
        index.add("a", signature(OTHER))
    with pytest.raises(ValueError, match="128 values"):
        index.add("b", signature(OTHER)[:64])
    with pytest.raises(ValueError, match="2\\*\\*32"):
        index.match([2**32] * NUM_PERM)
    with pytest.raises(ValueError, match="2\\*\\*32"):
        index.match([2**70] * NUM_PERM)
    with pytest.raises(ValueError, match="threshold"):
        NearDuplicateIndex(threshold=0.0)


@pytest.mark.parametrize("threshold", [0.5, 0.8, 0.9, 1.0])
def test_bands_make_a_pair_at_the_threshold_a_candidate_almost_always(threshold: float) -> None:
    bands, rows = bands_for(threshold)
    assert bands >= 2 and bands * rows <= NUM_PERM
    assert 1 - (1 - threshold**rows) ** bands >= 0.99


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=())))
def test_signature_and_content_key_never_raise(text: str) -> None:
    sig = signature(text)
    assert len(sig) == NUM_PERM
    assert len(content_key(text)) == 64
    index = NearDuplicateIndex()
    index.add("x", sig)
    assert index.match(sig) in (None, "x")


def test_matches_gives_every_document_at_the_threshold_and_discard_forgets_one() -> None:
    text = " ".join(f"word{i}" for i in range(300))
    index = NearDuplicateIndex(threshold=0.7)
    index.add("a", signature(text))
    index.add("b", signature(text + " and a closing line"))
    index.add("c", signature(" ".join(f"other{i}" for i in range(300))))
    assert sorted(d for d, _ in index.matches(signature(text))) == ["a", "b"]
    assert dict(index.matches(signature(text)))["a"] == 1.0
    index.discard("a")
    index.discard("never-added")
    assert [d for d, _ in index.matches(signature(text))] == ["b"]
    assert "a" not in index and len(index) == 2
