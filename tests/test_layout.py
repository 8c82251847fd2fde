"""The package layout shows the flow: the README's tree matches the source, imports point down the flow."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "crmmine"

#: Stage of each top-level part of the package: a module may import only from stages at or below its own.
#: text/labels.py (the vocabulary) is used by every stage; text/findings.py words results, so it sits late.
STAGE = {"errors": 0, "validation": 0, "text.labels": 0, "data": 1, "engine": 1, "datasets": 2, "customers": 3, "clv": 3,
         "crosssell": 3, "behaviour": 3, "churn": 4, "text": 5, "plotting": 5, "report": 6, "cli": 8, "__init__": 8,
         "__main__": 8}


def _part(parts: tuple[str, ...]) -> str:
    if parts[:2] in (("text", "labels.py"), ("text", "labels")):
        return "text.labels"
    return parts[0].removesuffix(".py")


def _upward_imports() -> list[str]:
    bad = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC).parts
        here = _part(rel)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.ImportFrom) and node.level):
                continue
            package = list(rel[:-1])
            base = package[: len(package) - (node.level - 1)]
            target = base + (node.module.split(".") if node.module else [node.names[0].name])
            there = _part(tuple(target)) if target else "__init__"
            there = there if there in STAGE else "__init__"  # a name of the package itself (e.g. __version__)
            if there != here and STAGE[there] > STAGE[here]:
                bad.append(f"{'/'.join(rel)} imports {'.'.join(target)}")
    return bad


def test_every_part_has_a_stage():
    parts = {_part(p.relative_to(SRC).parts) for p in SRC.rglob("*.py")}
    assert parts <= set(STAGE), sorted(parts - set(STAGE))


def test_imports_point_down_the_flow():
    assert _upward_imports() == []


def test_readme_layout_matches_the_tree():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Layout\n+```\n(.*?)```", text, re.S)
    assert block, "README has no layout block"
    listed_dirs, listed_files, stack = set(), set(), []
    for line in block.group(1).splitlines():
        m = re.match(r"^( *)(\S+)", line)
        if not m or not m.group(2).endswith(("/", ".py")):
            continue
        depth = len(m.group(1)) // 2
        stack[depth:] = [m.group(2).rstrip("/")]
        path = "/".join(stack)
        (listed_dirs if m.group(2).endswith("/") else listed_files).add(path)
    subpackages = {f"src/crmmine/{p.parent.relative_to(SRC)}" for p in SRC.glob("*/__init__.py")}
    assert subpackages <= listed_dirs, f"subpackages missing from the README layout: {sorted(subpackages - listed_dirs)}"
    for f in listed_files:
        assert (ROOT / f).exists(), f"the README layout lists {f}, which does not exist"
    for d in listed_dirs:
        assert (ROOT / d).is_dir(), f"the README layout lists {d}/, which does not exist"


@pytest.mark.parametrize("name", ["_check_int", "_check_fraction", "_check_support", "_check_top_n", "_check_share",
                                  "_check_choice", "_check_cutoff", "_check_penalizer", "_check_max_iter"])
def test_no_private_copies_of_the_checks(name):
    hits = [str(p.relative_to(SRC)) for p in SRC.rglob("*.py") if re.search(rf"def {name}\(", p.read_text(encoding="utf-8"))]
    assert hits == [], f"{name} is defined in {hits}; use crmmine.validation instead"
