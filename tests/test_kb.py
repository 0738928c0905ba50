"""The knowledge base: it loads, and its data is consistent (real checks over the shipped YAML files)."""

from __future__ import annotations

import re
import shutil
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from armsgraph import kb as kb_module
from armsgraph.errors import KnowledgeBaseError
from armsgraph.kb import KnowledgeBase
from armsgraph.model import ENTITY_TYPES
from armsgraph.resolve.names import ascii_fold, fold
from armsgraph.settings import Settings

KB_DIR = Settings().kb_dir


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return kb_module.load(KB_DIR)


def test_knowledge_base_loads_with_known_types(kb: KnowledgeBase) -> None:
    assert len(kb) > 0
    assert {e.type for e in kb.entries.values()} <= set(ENTITY_TYPES)


@pytest.mark.parametrize(("etype", "minimum"), [("COUNTRY", 193), ("COMPANY", 150), ("WEAPON", 200)])
def test_coverage(kb: KnowledgeBase, etype: str, minimum: int) -> None:
    assert sum(1 for e in kb.entries.values() if e.type == etype) >= minimum


def test_ids_follow_the_schema(kb: KnowledgeBase) -> None:
    bad = [i for i in kb.entries if not re.fullmatch(r"[a-z]+/[a-z0-9]+(?:-[a-z0-9]+)*", i)]
    assert bad == []


def test_every_country_code_and_qid_is_well_formed(kb: KnowledgeBase) -> None:
    bad = [(e.id, e.country) for e in kb.entries.values() if e.country and not re.fullmatch(r"[A-Z]{3}", e.country)]
    bad += [(e.id, e.wikidata) for e in kb.entries.values()
            if e.wikidata is not None and not re.fullmatch(r"Q[1-9]\d*", str(e.wikidata))]
    assert bad == []


def test_countries_are_indexed_by_iso3(kb: KnowledgeBase) -> None:
    for code, name in [("TUR", "Türkiye"), ("AZE", "Azerbaijan"), ("POL", "Poland"), ("KOR", "South Korea")]:
        country = kb.country(code)
        assert country is not None and country.type == "COUNTRY"
        assert name in country.names


@pytest.mark.parametrize(("name", "types", "expected"), [
    ("Turkey", ("COUNTRY",), "Türkiye"),
    ("TURKIYE", ("COUNTRY",), "Türkiye"),
    ("Azerbaijani", ("COUNTRY",), "Azerbaijan"),
    ("roketsan", ("COMPANY",), "ROKETSAN"),
])
def test_lookup_folds_names_aliases_and_demonyms(kb: KnowledgeBase, name: str, types: tuple[str, ...],
                                                 expected: str) -> None:
    assert [e.name for e in kb.lookup(name, types)] == [expected]


def dangling_references(kb: KnowledgeBase) -> list[str]:
    return sorted(f"{e.id}.{attr} -> {getattr(e, attr)}" for e in kb.entries.values()
                  for attr in ("parent", "manufacturer") if getattr(e, attr) and getattr(e, attr) not in kb.entries)


def test_every_parent_and_manufacturer_reference_exists(kb: KnowledgeBase) -> None:
    missing = dangling_references(kb)
    assert not missing, f"{len(missing)} dangling references:\n" + "\n".join(missing)


def folded_names(kb: KnowledgeBase) -> dict[str, set[str]]:
    by_key: dict[str, set[str]] = defaultdict(set)
    for e in kb.entries.values():
        for name in [*e.names, *e.demonyms]:
            by_key[fold(name)].add(e.id)
    return by_key


def test_no_two_entries_share_a_folded_name(kb: KnowledgeBase) -> None:
    collisions = {k: sorted(v) for k, v in folded_names(kb).items() if k and len(v) > 1}
    assert not collisions, "names shared by several entries:\n" + "\n".join(
        f"{k}: {', '.join(v)}" for k, v in sorted(collisions.items()))


def test_names_in_other_scripts_find_their_own_entry(kb: KnowledgeBase) -> None:
    """Native-language names (Cyrillic, Hangul, Hebrew...) are keys of their own, not one shared empty key."""
    native = [(e.id, name) for e in kb.entries.values() for name in e.aliases
              if any(c.isalpha() and not ascii_fold(c).isascii() for c in name)]
    assert native, "the knowledge base lists no native-script names to check"
    wrong = [f"{eid}: {name}" for eid, name in native if [x.id for x in kb.lookup(name)] != [eid]]
    assert not wrong, f"{len(wrong)} of {len(native)} names do not find their entry, e.g. {wrong[:5]}"
    assert kb.lookup("—") == []


def test_duplicate_id_across_files_is_refused(tmp_path: Path) -> None:
    shutil.copy(KB_DIR / "institutions.yaml", tmp_path / "institutions.yaml")
    entry = {"id": "company/acme-arms", "name": "Acme Arms", "type": "COMPANY", "country": "TUR"}
    sources = [{"name": "a test", "url": "https://example.org/"}]
    (tmp_path / "companies.yaml").write_text(yaml.safe_dump({"sources": sources, "entities": [entry]}),
                                             encoding="utf-8")
    (tmp_path / "weapons.yaml").write_text(
        yaml.safe_dump({"sources": sources, "entities": [{**entry, "name": "Acme Rifle"}]}), encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match="company/acme-arms"):
        kb_module.load(tmp_path)


def test_a_file_without_its_sources_is_refused(tmp_path: Path) -> None:
    shutil.copy(KB_DIR / "institutions.yaml", tmp_path / "institutions.yaml")
    entry = {"id": "company/acme-arms", "name": "Acme Arms", "type": "COMPANY", "country": "TUR"}
    (tmp_path / "companies.yaml").write_text(yaml.safe_dump({"entities": [entry]}), encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match=r"companies\.yaml: `sources` must list"):
        kb_module.load(tmp_path)
    (tmp_path / "companies.yaml").write_text(
        yaml.safe_dump({"sources": [{"name": "no url"}], "entities": [entry]}), encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match="each with a name and a url"):
        kb_module.load(tmp_path)


def test_entry_without_a_name_is_refused_with_the_file_named(tmp_path: Path) -> None:
    shutil.copy(KB_DIR / "institutions.yaml", tmp_path / "institutions.yaml")
    (tmp_path / "companies.yaml").write_text(yaml.safe_dump({"entities": [{"id": "company/x", "type": "COMPANY"}]}),
                                             encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match=r"companies\.yaml"):
        kb_module.load(tmp_path)


def test_invalid_yaml_is_refused_with_the_file_named(tmp_path: Path) -> None:
    shutil.copy(KB_DIR / "institutions.yaml", tmp_path / "institutions.yaml")
    (tmp_path / "weapons.yaml").write_text("entities: [ {id: weapon/x, name: X", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match=r"weapons\.yaml"):
        kb_module.load(tmp_path)


def test_missing_institutions_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError, match=r"institutions\.yaml"):
        kb_module.load(tmp_path)
