"""Name folding: when two spellings are the same string, and the dropped-letter variants."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from armsgraph.resolve.names import acronym, ascii_fold, dropped_variant, fold, fold_words, surface_variants


@pytest.mark.parametrize(("a", "b"), [
    ("Türkiye", "Turkiye"),
    ("Türkiye", "TÜRKIYE"),
    ("ROKETSAN", "Roketsan"),
    ("Kızılelma", "Kizilelma"),
    ("İlham Aliyev", "Ilham Aliyev"),
    ("Erdoğan", "ERDOGAN"),
    ("Władysław Kosiniak-Kamysz", "Wladyslaw Kosiniak Kamysz"),
    ("Azerbaijan's Air Forces", "Azerbaijan Air-Forces"),
    ("Azerbaijan’s Air Forces", "azerbaijan air forces"),
    ("the Presidency of Defense Industries", "Presidency of Defense Industries"),
    ("Bayraktar TB2", "Bayraktar-TB2"),
])
def test_fold_equates_spellings_of_one_name(a: str, b: str) -> None:
    assert fold(a) == fold(b)


@pytest.mark.parametrize("name", ["Рособоронэкспорт", "한화그룹", "רפאל"])
def test_fold_keeps_names_in_other_scripts(name: str) -> None:
    """A name in another script is a key of its own, not the empty string every such name would share."""
    assert fold(name)
    assert fold(name) != fold("Цензор.НЕТ")


@pytest.mark.parametrize(("a", "b"), [
    ("ASELSAN", "HAVELSAN"),
    ("Haluk Bayraktar", "Selçuk Bayraktar"),
    ("Kızılelma", "Kzlelma"),  # a dropped letter is a different string; dropped_variant bridges it
    ("Theodore", "odore"),  # only a whole leading word 'the' is an article
    ("Su-25", "Su-35"),
])
def test_fold_keeps_different_names_apart(a: str, b: str) -> None:
    assert fold(a) != fold(b)


@pytest.mark.parametrize(("text", "expected"), [
    ("Azerbaijan's  Air-Forces", "azerbaijan air forces"),
    ("The Türkiye–Azerbaijan ties", "turkiye azerbaijan ties"),
    ("  Kızılelma\tUCAV ", "kizilelma ucav"),
])
def test_fold_words_keeps_word_breaks(text: str, expected: str) -> None:
    assert fold_words(text) == expected
    assert fold(text) == expected.replace(" ", "")


@pytest.mark.parametrize(("name", "dropped"), [
    ("Kızılelma", "Kzlelma"),
    ("İlham", "lham"),
    ("İlham Aliyev", "lham Aliyev"),
    ("Erdoğan", "Erdoan"),
    ("Gürcan Okumuş", "Grcan Okumu"),
    ("Selçuk Bayraktar", "Seluk Bayraktar"),
])
def test_dropped_variant_deletes_the_non_ascii_letters(name: str, dropped: str) -> None:
    assert dropped_variant(name) == dropped


@pytest.mark.parametrize("name", ["Roketsan", "Bayraktar TB2", "K2", ""])
def test_dropped_variant_is_none_for_ascii_names(name: str) -> None:
    assert dropped_variant(name) is None


@pytest.mark.parametrize("name", ["Цензор.НЕТ", "한화그룹", "Рособоронэкспорт", "רפאל"])
def test_dropped_variant_is_none_for_names_in_another_script(name: str) -> None:
    """Deleting a whole script leaves punctuation or nothing: that is no spelling of the name."""
    assert dropped_variant(name) is None


@given(st.text(max_size=40))
@settings(max_examples=200, deadline=None)
def test_dropped_variant_is_an_ascii_subsequence(text: str) -> None:
    got = dropped_variant(text)
    if got is None:
        return
    assert got.isascii() and got == got.strip() and got
    assert any(c.isalpha() for c in got)
    it = iter(re.sub(r"\s+", " ", text))
    assert all(c in it for c in got), "the variant keeps the original's characters in order"


# letters that the translation table meets only after casefold/NFKD (see test_fold_is_case_insensitive_...)
TABLE_MISSES = "ᴭᵊₔꟹ𐞃𐞢𝚤"  # modifier letters NFKD turns into table letters; see the test above

@pytest.mark.parametrize(("a", "b"), [
    ("Þingvellir", "þingvellir"),
    ("Ǿrsted", "Ørsted"),
    ("Ǣlfric", "Ælfric"),
    ("Ødegaard", "Odegaard"),
    ("Straße", "STRASSE"),
])
def test_fold_is_case_insensitive_for_special_letters(a: str, b: str) -> None:
    assert fold(a) == fold(b)
    assert fold(fold(a)) == fold(a)


@given(st.text(alphabet=st.characters(exclude_characters=TABLE_MISSES), max_size=60))
@settings(max_examples=200, deadline=None)
def test_fold_is_alphanumeric_and_idempotent(text: str) -> None:
    key = fold(text)
    assert all(c.isalnum() for c in key)
    assert fold(key) == key
    if text.isascii():
        assert re.fullmatch(r"[0-9a-z]*", key)
        assert fold(text.upper()) == fold(text.lower())


@pytest.mark.parametrize("name", ["Kızılelma", "İlham Aliyev", "Türkiye", "Erdoğan"])
def test_surface_variants_cover_original_folded_and_dropped_spellings(name: str) -> None:
    forms = surface_variants(name)
    assert name in forms
    assert ascii_fold(name) in forms
    assert dropped_variant(name) in forms
    assert name.upper() in forms


def test_surface_variants_of_an_ascii_name_add_no_dropped_form() -> None:
    forms = surface_variants("Roketsan")
    assert forms == {"Roketsan", "ROKETSAN"}


@pytest.mark.parametrize("name", ["aselsan", "ROKETSAN"])
def test_surface_variants_title_case_single_case_names(name: str) -> None:
    assert name.title() in surface_variants(name)


@pytest.mark.parametrize("name", ["Цензор.НЕТ", "한화그룹", "Рособоронэкспорт"])
def test_surface_variants_never_yield_a_form_without_letters(name: str) -> None:
    assert all(any(c.isalnum() for c in f) for f in surface_variants(name))


@pytest.mark.parametrize(("name", "expected"), [
    ("Turkish Aerospace Industries", "TAI"),
    ("Presidency of Defense Industries", "PDI"),
    ("Mechanical and Chemical Industry Corporation", "MCIC"),
    ("Türk Havacılık ve Uzay Sanayii", "THUS"),
    ("Özel Savunma", "OS"),
])
def test_acronym_takes_initials_of_capitalized_words(name: str, expected: str) -> None:
    assert acronym(name) == expected
