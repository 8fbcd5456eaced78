"""Tests for netlib.gastric: type 1, 2 or 3 gastric NET.

Expected types come from the ENETS 2023 gastroduodenal guidance (Panzuto et al. 2023): type 1 with
chronic atrophic gastritis and hypergastrinaemia, type 2 with a gastrinoma (Zollinger-Ellison
syndrome), type 3 sporadic with normal gastrin; the unusual combinations follow the conventions in
the module docstring.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from netlib import InputError
from netlib.gastric import GASTRIC_NET_TYPES, gastric_net_type

CALC_A_BIB = Path(__file__).resolve().parents[1] / "book" / "bib" / "calc-a.bib"


@pytest.mark.parametrize("gastrin, atrophic, gastrinoma, expected, warns", [
    (True, True, None, "type 1", False),    # ENETS 2023: atrophic gastritis + high gastrin
    (True, True, False, "type 1", False),
    (True, True, True, "type 1", True),     # convention: the gastritis decides, with a warning
    (True, False, True, "type 2", False),   # ENETS 2023: gastrinoma (ZES), no atrophy
    (False, False, None, "type 3", False),  # ENETS 2023: sporadic, normal gastrin
    (False, False, False, "type 3", False),
    (True, False, False, "type 3", True),   # convention: high gastrin, no cause found (often PPIs)
    (False, True, None, "type 3", True),    # convention: atrophy without hypergastrinaemia
])
def test_gastric_types(gastrin, atrophic, gastrinoma, expected, warns):
    result = gastric_net_type(gastrin_elevated=gastrin, atrophic_gastritis=atrophic, gastrinoma=gastrinoma)
    assert result.category == expected
    assert bool(result.warnings) is warns
    assert result.details["type"] == int(expected[-1])
    assert "Management frame" in result.interpretation


@pytest.mark.parametrize("values, field", [
    (dict(gastrin_elevated=True, atrophic_gastritis=False), "gastrinoma"),                     # must answer
    (dict(gastrin_elevated=False, atrophic_gastritis=False, gastrinoma=True), "gastrinoma"),   # needs gastrin
    (dict(gastrin_elevated=False, atrophic_gastritis=True, gastrinoma=True), "gastrinoma"),
    (dict(gastrin_elevated="sometimes", atrophic_gastritis=False), "gastrin_elevated"),
])
def test_gastric_refuses_incomplete_or_contradictory_answers(values, field):
    with pytest.raises(InputError) as caught:
        gastric_net_type(**values)
    assert caught.value.field == field


def test_type_1_is_the_indolent_and_type_3_the_aggressive_type():
    type_1 = gastric_net_type(gastrin_elevated=True, atrophic_gastritis=True)
    type_3 = gastric_net_type(gastrin_elevated=False, atrophic_gastritis=False)
    assert "indolent" in type_1.interpretation and "most aggressive" in type_3.interpretation
    assert "gastrinoma" in gastric_net_type(gastrin_elevated=True, atrophic_gastritis=False,
                                            gastrinoma=True).details["management"]


@st.composite
def answers(draw):
    gastrin, atrophic = draw(st.booleans()), draw(st.booleans())
    if gastrin and not atrophic:
        gastrinoma = draw(st.booleans())
    elif gastrin:
        gastrinoma = draw(st.none() | st.booleans())
    else:
        gastrinoma = draw(st.none() | st.just(False))
    return dict(gastrin_elevated=gastrin, atrophic_gastritis=atrophic, gastrinoma=gastrinoma)


@given(answers())
def test_property_valid_answers_never_raise_and_type_follows_gastrin(values):
    result = gastric_net_type(**values)
    assert result.category in GASTRIC_NET_TYPES
    # Only a high gastrin makes a gastrin-driven type (1 or 2).
    if not values["gastrin_elevated"]:
        assert result.category == "type 3"
    assert result.details["gastrin_driven"] is (result.category != "type 3")


def test_citations_are_in_the_bibliography():
    keys = set(re.findall(r"^@\w+\{([^,\s]+),", CALC_A_BIB.read_text(encoding="utf-8"), flags=re.MULTILINE))
    used = set(gastric_net_type.calculator.citations)
    used |= {k for f in gastric_net_type.calculator.fields for k in f.source}
    used |= set(gastric_net_type(gastrin_elevated=False, atrophic_gastritis=False).citations)
    assert used <= keys
