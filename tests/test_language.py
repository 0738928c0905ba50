"""Language: invented paragraphs get the right code; short titles count as English; nothing raises."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from armsgraph.ingest.language import MAX_CHARS, detect, is_english

PARAGRAPHS = {
    "en": "The navy will receive two new patrol vessels next year under a contract signed with a shipyard in the "
          "north of the country, the defence ministry said on Monday.",
    "fr": "La marine recevra deux nouveaux patrouilleurs l'année prochaine dans le cadre d'un contrat signé avec "
          "un chantier naval du nord du pays, a annoncé lundi le ministère de la Défense.",
    "tr": "Deniz kuvvetleri, ülkenin kuzeyindeki bir tersaneyle imzalanan sözleşme kapsamında gelecek yıl iki yeni "
          "karakol gemisi teslim alacak, Milli Savunma Bakanlığı pazartesi günü açıkladı.",
    "de": "Die Marine soll im nächsten Jahr zwei neue Patrouillenboote erhalten, die im Rahmen eines Vertrags mit "
          "einer Werft im Norden des Landes gebaut werden, teilte das Verteidigungsministerium am Montag mit.",
    "ru": "Военно-морской флот получит два новых патрульных корабля в следующем году по контракту с верфью на "
          "севере страны, сообщило в понедельник министерство обороны.",
}

# English prose full of Turkish and Azerbaijani names is still English.
NAMES_HEAVY = (
    "Baykar and TUSAŞ showed the Kızılelma and the Hürjet at Teknofest in Şanlıurfa, where Selçuk Bayraktar "
    "met officials from Azərbaycan Hava Qüvvələri and from ASFAT to discuss deliveries planned for next year."
)


@pytest.mark.parametrize(("lang", "text"), PARAGRAPHS.items())
def test_detect_names_the_language_of_a_paragraph(lang: str, text: str) -> None:
    code, prob = detect(text)
    assert code == lang
    assert 0.9 <= prob <= 1.0


@pytest.mark.parametrize(("lang", "text"), PARAGRAPHS.items())
def test_is_english_only_for_the_english_paragraph(lang: str, text: str) -> None:
    assert is_english(text) is (lang == "en")


def test_english_with_many_foreign_names_is_english() -> None:
    assert detect(NAMES_HEAVY)[0] == "en"
    assert is_english(NAMES_HEAVY)


@pytest.mark.parametrize("title", [
    "Roketsan opens new plant near Ankara",
    "Baykar signs deal with Leonardo",
    "Türkiye, Azerbaycan ile anlaşma imzaladı",  # too short to judge, even though it is not English
    "",
    "2024 — 12:45",
])
def test_a_text_too_short_to_judge_counts_as_english(title: str) -> None:
    assert is_english(title)


def test_text_without_letters_is_undetermined() -> None:
    assert detect("") == ("und", 0.0)
    assert detect("  12:45 | 03.03.2024 | $1,200,000 ") == ("und", 0.0)


def test_only_the_opening_of_a_long_text_is_read() -> None:
    french_then_english = PARAGRAPHS["fr"] * (MAX_CHARS // len(PARAGRAPHS["fr"]) + 1) + PARAGRAPHS["en"] * 50
    assert detect(french_then_english)[0] == "fr"
    assert not is_english(french_then_english)


def test_min_confidence_is_a_floor_on_the_probability() -> None:
    assert is_english(PARAGRAPHS["en"], min_confidence=0.99)
    assert not is_english(PARAGRAPHS["en"], min_confidence=1.01)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=())))
def test_detect_and_is_english_never_raise(text: str) -> None:
    code, prob = detect(text)
    assert isinstance(code, str) and code
    assert 0.0 <= prob <= 1.0 + 1e-6
    assert isinstance(is_english(text), bool)
