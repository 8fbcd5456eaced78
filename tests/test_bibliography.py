"""Every citation key netlib uses has a real entry in book/references.bib."""

import dataclasses
import re
from pathlib import Path

import pytest

import netlib.calculators
from netlib import cart, evidence, pathway, therapies
from netlib.examples import CALCULATOR_EXAMPLES

BIB = Path(__file__).resolve().parents[1] / "book" / "references.bib"
ENTRY = re.compile(r"^@(\w+)\s*\{\s*([^,\s]+)\s*,(.*?)(?=^@|\Z)", re.S | re.M)


def bib_entries() -> dict[str, tuple[str, str]]:
    text = BIB.read_text(encoding="utf-8")
    return {key: (kind.lower(), body) for kind, key, body in ENTRY.findall(text)}


def _keys_in(obj, seen=None) -> set[str]:
    """Citation keys held anywhere in a data structure (fields named citation/citations/source...)."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return set()
    seen.add(id(obj))
    keys: set[str] = set()
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for field in dataclasses.fields(obj):
            value = getattr(obj, field.name)
            if field.name in ("citation", "citations", "source", "sources", "citation_keys", "keys"):
                if isinstance(value, str):
                    keys.add(value)
                elif isinstance(value, (tuple, list)):
                    keys.update(v for v in value if isinstance(v, str))
            else:
                keys |= _keys_in(value, seen)
    elif isinstance(obj, dict):
        for value in obj.values():
            keys |= _keys_in(value, seen)
    elif isinstance(obj, (tuple, list)):
        for value in obj:
            keys |= _keys_in(value, seen)
    return keys


def used_keys() -> set[str]:
    keys: set[str] = set()
    for calc in netlib.calculators.all_calculators():
        keys.update(calc.citations)
        for field in calc.fields:
            keys.update(field.source)
        keys.update(calc(**CALCULATOR_EXAMPLES[calc.id]).citations)
    for rule in pathway.RULES:
        keys.update(rule.citations)
    for _statement, citations in pathway.ALWAYS:
        keys.update(citations)
    keys |= _keys_in(evidence.TRIALS)
    keys |= _keys_in(therapies.THERAPIES)
    for name in dir(cart):
        if name.isupper():
            keys |= _keys_in(getattr(cart, name))
    for _statement, citations in cart.car_t_reasons():
        keys.update(citations)
    return keys


def test_the_walker_finds_keys():
    assert {"nagtegaal2020who", "strosberg2017netter1", "lee2019astct"} <= used_keys()


@pytest.mark.parametrize("key", sorted(used_keys()))
def test_every_used_key_has_an_entry(key):
    assert key in bib_entries(), f"{key} is cited in netlib but missing from book/references.bib"


@pytest.mark.parametrize("key", sorted(bib_entries()))
def test_entries_are_real_references(key):
    kind, body = bib_entries()[key]
    fields = {name.lower() for name in re.findall(r"^\s*(\w+)\s*=", body, re.M)}
    assert "title" in fields, key
    if kind == "article":
        assert {"author", "journal", "year"} <= fields, key
        assert fields & {"doi", "pmid"}, f"{key}: an article needs a DOI or PMID"
    else:
        assert fields & {"author", "organization", "institution", "publisher"}, key
        assert fields & {"doi", "pmid", "url", "isbn"}, key


def test_no_duplicate_keys():
    keys = [key for _kind, key, _body in ENTRY.findall(BIB.read_text(encoding="utf-8"))]
    assert len(keys) == len(set(keys))
