"""No clinical number is typed by hand in the book's prose.

Every threshold, dose and trial figure in the notebooks' Markdown and in book/*.md must
come from netlib (myst-nb ``glue`` roles or generated tables).  This test collects every
number netlib holds -- module-level UPPER_CASE constants, numbers inside constant tuples
and mappings, and the numeric fields of the frozen records in them (trials, products,
dose components) -- and fails when the prose contains one of those numbers literally.

What is not prose is removed first: roles (``{glue:text}`X:.1f```, ``{cite:p}`...```),
inline code, math labels, link targets, directive options and HTML tags.  A short list of
exemptions covers numbers that are names, not values (grade 3, phase 3, per 2 mm², ln 2,
NETTER-1, 177Lu, CD19); years (1900-2100) are never matched.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import math
import pkgutil
import re
from pathlib import Path
from types import MappingProxyType, ModuleType
from typing import Any, Iterable

import pytest

import netlib
from netlib.inputs import Field, Form, Rule
from netlib.registry import Calculator

_DECLARATIONS = (Field, Form, Rule, Calculator)

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
PAGES = ROOT / "book"

# Presentation and plumbing layers: they hold no clinical numbers of their own.
NOT_CLINICAL = {"widgets", "cli", "cdshooks", "cohort", "examples", "report", "inputs", "registry", "browser", "flowchart",
                "calculators"}
# Numbers too generic to attribute to a constant when they appear in prose.
TOO_GENERIC = {0.0, 1.0}

_ROLE = re.compile(r"\{[a-z][\w:-]*\}`[^`]*`")          # {glue:text}`X:.2f`, {cite:p}`k`, {ref}`...`
_INLINE_CODE = re.compile(r"``?[^`]+``?")
_LINK_TARGET = re.compile(r"\]\([^)]*\)")                # [text](target)
_LABEL = re.compile(r"^\([\w-]+\)=\s*$", re.MULTILINE)   # (calc-who-gep-grade)=
_OPTION = re.compile(r"^:[\w-]+:.*$", re.MULTILINE)      # :name: forest-plot, :class: important
_FENCE = re.compile(r"^(```|:::)\{?[\w:-]*\}?.*$", re.MULTILINE)
_HTML_TAG = re.compile(r"<[^>]+>")
_NUMBER = re.compile(r"(?<![\w.\-−/^⁰-⁹])(\d+(?:\.\d+)?)(?![\w.]\d|[\w⁰-⁹])")
# Numbers that name something rather than state a value.
_EXEMPT_BEFORE = re.compile(r"(?:grade|grades|phase|G|stage|version|RECIST|type|types|\\ln)\s*$", re.IGNORECASE)
# "per 2 mm²" is the WHO unit area; "95 % CI" is the confidence level, not a result.
_EXEMPT_AFTER = re.compile(r"^(?:\s*mm²|\s*mm2|\s*%\s*(?:CI\b|confidence))", re.IGNORECASE)


def _numbers_in(value: Any, depth: int = 0) -> Iterable[float]:
    """Every int/float inside a constant: plain numbers, tuples, mappings and frozen records."""
    if depth > 4 or isinstance(value, (bool, *_DECLARATIONS)):
        return  # input declarations hold validation ranges (sanity bounds), not clinical figures
    if isinstance(value, (int, float)):
        if math.isfinite(value):
            yield float(value)
    elif isinstance(value, (tuple, list, frozenset, set)):
        for item in value:
            yield from _numbers_in(item, depth + 1)
    elif isinstance(value, (dict, MappingProxyType)):
        for item in value.values():
            yield from _numbers_in(item, depth + 1)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from _numbers_in(getattr(value, field.name), depth + 1)


def clinical_modules() -> list[ModuleType]:
    modules = []
    for info in pkgutil.iter_modules(netlib.__path__):
        if info.name not in NOT_CLINICAL and not info.name.startswith("_"):
            modules.append(importlib.import_module(f"netlib.{info.name}"))
    return modules


def collect_constants(modules: Iterable[ModuleType]) -> dict[float, str]:
    """number -> where it comes from (the first constant that holds it)."""
    found: dict[float, str] = {}
    for module in modules:
        for name, value in vars(module).items():
            if not name.isupper() or name.startswith("_"):
                continue
            for number in _numbers_in(value):
                candidates = [(number, f"{module.__name__}.{name}")]
                if 0 < number < 1:
                    # a fraction may be written as a percentage (0.85 -> 85 %)
                    candidates.append((round(number * 100, 6), f"{module.__name__}.{name} (x 100)"))
                for candidate, source in candidates:
                    if candidate in TOO_GENERIC or (candidate.is_integer() and 1900 <= candidate <= 2100):
                        continue
                    found.setdefault(candidate, source)
    return found


def prose_of(markdown: str) -> str:
    """The Markdown with everything that is not prose blanked out (lengths kept for positions)."""
    def blank(match: re.Match) -> str:
        return re.sub(r"[^\n]", " ", match.group(0))

    for pattern in (_ROLE, _INLINE_CODE, _LINK_TARGET, _LABEL, _OPTION, _FENCE, _HTML_TAG):
        markdown = pattern.sub(blank, markdown)
    return markdown


def hand_typed(markdown: str, constants: dict[float, str]) -> list[tuple[str, str, str]]:
    """(number as written, the constant it equals, the line) for every hand-typed constant."""
    text = prose_of(markdown)
    hits = []
    for match in _NUMBER.finditer(text):
        written = match.group(1)
        value = float(written)
        if value not in constants:
            continue
        before = text[max(0, match.start() - 12):match.start()]
        after = text[match.end():match.end() + 6]
        if _EXEMPT_BEFORE.search(before) or _EXEMPT_AFTER.match(after):
            continue
        line_start = text.rfind("\n", 0, match.start()) + 1
        line_end = text.find("\n", match.end())
        line = markdown[line_start:line_end if line_end != -1 else None].strip()
        hits.append((written, constants[value], line))
    return hits


def book_sources(notebooks: Path = NOTEBOOKS, pages: Path = PAGES) -> list[tuple[str, str]]:
    """(location, Markdown) for every Markdown cell of every notebook and every book/*.md page."""
    sources = []
    for path in sorted(notebooks.glob("*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        for index, cell in enumerate(notebook["cells"]):
            if cell["cell_type"] == "markdown":
                text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
                sources.append((f"{path.name} cell {index}", text))
    for path in sorted(pages.glob("*.md")):
        sources.append((f"book/{path.name}", path.read_text(encoding="utf-8")))
    return sources


@pytest.fixture(scope="module")
def constants() -> dict[float, str]:
    return collect_constants(clinical_modules())


# --- The check itself ------------------------------------------------------------------------

def test_the_book_has_prose_to_check():
    assert len(_SOURCES) > 20, "no notebooks or pages found: the consistency check would be vacuous"


_SOURCES = book_sources()


@pytest.mark.parametrize("location, markdown", _SOURCES, ids=[location for location, _ in _SOURCES])
def test_no_hand_typed_clinical_numbers(location, markdown, constants):
    hits = hand_typed(markdown, constants)
    assert not hits, f"{location}: numbers typed by hand that netlib holds (glue them instead):\n" + "\n".join(
        f"  {written!r} = {source}   in: {line[:120]}" for written, source, line in hits)


# --- The check can fail: planted hand-typed constants are caught ------------------------------

def test_constants_include_thresholds_doses_and_trial_figures(constants):
    from netlib import evidence, grading, response, therapies

    assert float(grading.KI67_G2_FROM_PERCENT) in constants
    assert float(response.TGR_HIGH_FROM_PERCENT_PER_MONTH) in constants
    assert float(therapies.EVEROLIMUS_DOSE_MG) in constants
    netter1 = evidence.trial("NETTER-1")
    assert netter1.hazard_ratio in constants and float(netter1.n_randomised) in constants


@pytest.mark.parametrize("planted", [
    "Grade G2 starts at a Ki-67 of {ki67} % in this sentence.",
    "Give everolimus {everolimus} mg once daily.",
    "A growth rate of {tgr} %/month or more is high.",
    "NETTER-1 reported a hazard ratio of {hr} for progression.",
    "The female factor is {female} in the equation.",
])
def test_a_planted_hand_typed_constant_is_caught(planted, constants):
    from netlib import evidence, grading, renal, response, therapies

    text = planted.format(ki67=f"{grading.KI67_G2_FROM_PERCENT:g}", everolimus=f"{therapies.EVEROLIMUS_DOSE_MG:g}",
                          tgr=f"{response.TGR_HIGH_FROM_PERCENT_PER_MONTH:g}",
                          hr=f"{evidence.trial('netter1').hazard_ratio:.2f}",
                          female=f"{renal.COCKCROFT_GAULT_FEMALE_FACTOR:g}")
    assert hand_typed(text, constants), f"not caught: {text}"


def test_a_planted_constant_in_a_notebook_cell_is_caught(tmp_path, constants):
    from netlib import therapies

    notebook = {"cells": [{"cell_type": "markdown", "metadata": {},
                           "source": [f"PRRT is {therapies.LU177_DOTATATE_ACTIVITY_GBQ:g} GBq per dose.\n"]}],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "planted.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    [(location, markdown)] = book_sources(tmp_path, tmp_path / "no-pages")
    assert "planted.ipynb" in location
    assert hand_typed(markdown, constants)


@pytest.mark.parametrize("clean", [
    "Ki-67 below {glue:text}`KI67_G2_FROM_PERCENT:g` % is G1.",
    "See {cite:p}`strosberg2017netter1` and NETTER-1, RADIANT-3 and 177Lu-dotatate.",
    "Mitoses per 2 mm², grade 3 CRS, a phase 3 trial, WHO 2019, CD19 and $\\ln 2$.",
    "Call `who_gep_grade(ki67_percent=3.0)` in Python.",
])
def test_glued_numbers_names_and_code_are_not_flagged(clean, constants):
    assert hand_typed(clean, constants) == []
