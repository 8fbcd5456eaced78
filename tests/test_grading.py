"""Tests for netlib.grading: WHO 2019 GEP grade, Ki-67 index and WHO 2021 lung carcinoid.

Expected values come from the WHO tables (Nagtegaal et al. 2020 for the digestive system,
Nicholson et al. 2022 for the lung), not from the implementation.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from netlib import InputError
from netlib.grading import (
    KI67_COUNT_CATEGORIES,
    KI67_MINIMUM_CELLS,
    LUNG_CARCINOID_CATEGORIES,
    LUNG_CARCINOID_MINIMUM_SIZE_MM,
    WHO_GEP_CATEGORIES,
    ki67_index,
    lung_carcinoid,
    who_gep_grade,
)

BIB = Path(__file__).resolve().parent.parent / "book" / "bib" / "grading.bib"

# ---------------------------------------------------------------------------------------------
# WHO 2019 GEP grade
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("ki67_percent, expected", [
    (0.0, "NET G1"),     # WHO 2019 (Nagtegaal 2020, table 1): G1 is Ki-67 < 3 %
    (2.6, "NET G1"),     # WHO 2019: not rounded before grading (2.6 is not "3 %")
    (2.99, "NET G1"),    # WHO 2019: just below 3 %
    (3.0, "NET G2"),     # WHO 2019: exactly 3 % is G2 (WHO 2010 "<= 2 %" no longer applies)
    (3.01, "NET G2"),    # WHO 2019: just above 3 %
    (19.99, "NET G2"),   # WHO 2019: just below 20 %
    (20.0, "NET G2"),    # WHO 2019: 3-20 % inclusive, so exactly 20 % is still G2
    (20.01, "NET G3"),   # WHO 2019: G3 is Ki-67 > 20 %
    (100.0, "NET G3"),   # WHO 2019: well differentiated stays NET G3, never NEC
])
def test_gep_ki67_boundaries(ki67_percent, expected):
    result = who_gep_grade(differentiation="well", ki67_percent=ki67_percent)
    assert result.category == expected
    assert any("Mitoses were not counted" in w for w in result.warnings)


@pytest.mark.parametrize("mitoses, expected", [
    (0.0, "NET G1"),     # WHO 2019 (Nagtegaal 2020, table 1): G1 is < 2 per 2 mm²
    (1.9, "NET G1"),     # WHO 2019: just below 2
    (1.99, "NET G1"),    # WHO 2019: still below 2
    (2.0, "NET G2"),     # WHO 2019: 2-20 inclusive, exactly 2 is G2
    (2.1, "NET G2"),     # WHO 2019: just above 2
    (19.9, "NET G2"),    # WHO 2019: just below 20
    (20.0, "NET G2"),    # WHO 2019: exactly 20 is still G2
    (20.1, "NET G3"),    # WHO 2019: G3 is > 20
    (20.5, "NET G3"),    # WHO 2019: an averaged 20.5 is G3 (do not cast the mean to 20)
])
def test_gep_mitoses_boundaries(mitoses, expected):
    result = who_gep_grade(differentiation="well", mitoses_per_2mm2=mitoses)
    assert result.category == expected
    assert any("Ki-67 was not assessed" in w for w in result.warnings)


@pytest.mark.parametrize("ki67_percent, mitoses, expected", [
    (1.0, 21.0, "NET G3"),   # WHO 2019: the higher grade wins (mitoses give G3)
    (25.0, 1.0, "NET G3"),   # WHO 2019: the higher grade wins (Ki-67 gives G3)
    (1.0, 2.0, "NET G2"),    # WHO 2019: Ki-67 1 % with exactly 2 mitoses is G2
    (2.99, 1.9, "NET G1"),   # WHO 2019: both indices just below their G2 cut-offs
    (20.0, 20.0, "NET G2"),  # WHO 2019: both at the inclusive top of G2
    (3.0, 20.5, "NET G3"),   # WHO 2019: averaged mitoses above 20 outrank a G2 Ki-67
])
def test_gep_discordance_takes_the_higher_grade(ki67_percent, mitoses, expected):
    result = who_gep_grade(differentiation="well", ki67_percent=ki67_percent, mitoses_per_2mm2=mitoses)
    assert result.category == expected
    concordant = (ki67_percent < 3) == (mitoses < 2) and (ki67_percent <= 20) == (mitoses <= 20)
    assert any("Discordant" in w for w in result.warnings) is not concordant


@pytest.mark.parametrize("ki67_percent, mitoses, warned", [
    (5.0, None, True),     # WHO 2019: NEC by morphology; a low Ki-67 is unusual -> review warning
    (1.0, 1.0, True),      # clinical facts 1.2 rule 3: discordance warning [judgement]
    (None, 15.0, True),    # a low mitotic count alone also warns
    (20.0, None, True),    # exactly 20 % is still in the G2 range, so it warns
    (60.0, 40.0, False),   # typical NEC values: no warning
    (20.01, None, False),  # just above 20 %: no warning
    (None, None, False),   # NEC needs no index
])
def test_poorly_differentiated_is_nec(ki67_percent, mitoses, warned):
    result = who_gep_grade(differentiation="poor", ki67_percent=ki67_percent, mitoses_per_2mm2=mitoses)
    assert result.category == "NEC"
    assert result.details["high_grade"] is True
    assert bool(result.warnings) is warned


def test_well_differentiated_high_ki67_is_net_g3_not_nec():
    # WHO 2019: NET G3 vs NEC is decided by differentiation, not by the size of Ki-67.
    result = who_gep_grade(differentiation="well", ki67_percent=60.0, mitoses_per_2mm2=30.0)
    assert result.category == "NET G3"
    assert "distinct from NEC" in result.interpretation


def test_well_differentiated_without_any_index_is_refused():
    with pytest.raises(InputError) as caught:
        who_gep_grade(differentiation="well")
    assert caught.value.field == "ki67_percent"


# ---------------------------------------------------------------------------------------------
# Ki-67 index from counted cells
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("positive, total, percent, band", [
    (0, 500, 0.0, "G1"),           # WHO 2019: no positive cells
    (14, 500, 2.8, "G1"),          # WHO 2019: < 3 % is G1
    (2999, 100000, 2.999, "G1"),   # WHO 2019: just below 3 % (not rounded up)
    (15, 500, 3.0, "G2"),          # WHO 2019: exactly 3 % is G2
    (301, 10000, 3.01, "G2"),      # WHO 2019: just above 3 %
    (1999, 10000, 19.99, "G2"),    # WHO 2019: just below 20 %
    (100, 500, 20.0, "G2"),        # WHO 2019: exactly 20 % is still G2
    (2001, 10000, 20.01, "G3"),    # WHO 2019: > 20 % is G3
    (500, 500, 100.0, "G3"),       # every counted cell positive
])
def test_ki67_index_value_and_band(positive, total, percent, band):
    result = ki67_index(positive_cells=positive, total_cells=total)
    assert result.value == pytest.approx(percent, abs=1e-12)
    assert result.unit == "%"
    assert result.details["who_2019_band"] == band
    assert f"{band} band" in result.interpretation


@pytest.mark.parametrize("positive, total, exact", [
    (15, 500, 3.0),         # WHO 2019 cut-off 3 %: must be exactly 3.0, not 2.9999999999999996
    (3, 100, 3.0),
    (30000, 1000000, 3.0),
    (100, 500, 20.0),       # WHO 2019 cut-off 20 %
    (7, 35, 20.0),
    (200000, 1000000, 20.0),
    (29, 100, 29.0),        # whole percentages stay whole (29 / 100 * 100 is 28.999999999999996)
    (7, 100, 7.0),
])
def test_ki67_index_exact_at_cut_offs(positive, total, exact):
    assert ki67_index(positive_cells=positive, total_cells=total).value == exact


@pytest.mark.parametrize("total, adequate", [
    (1, False),      # a single cell is computed but flagged
    (499, False),    # WHO 2019: at least 500 tumour cells; 499 is too few
    (500, True),     # WHO 2019: exactly 500 is enough
    (501, True),     # just above
    (2000, True),    # upper end of the older ENETS 500-2000 range
])
def test_ki67_minimum_cell_count(total, adequate):
    result = ki67_index(positive_cells=1, total_cells=total)
    assert result.category == ("adequate count" if adequate else "too few cells counted")
    assert result.details["adequate_count"] is adequate
    if adequate:
        assert result.warnings == ()
    else:
        assert len(result.warnings) == 1
        assert str(KI67_MINIMUM_CELLS) in result.warnings[0]
        assert str(total) in result.warnings[0]


def test_ki67_more_positive_than_counted_is_refused():
    with pytest.raises(InputError) as caught:
        ki67_index(positive_cells=501, total_cells=500)
    assert caught.value.field == "positive_cells"
    assert caught.value.value == 501
    assert "500" in str(caught.value)


def test_ki67_no_cells_counted_is_refused():
    with pytest.raises(InputError) as caught:
        ki67_index(positive_cells=0, total_cells=0)
    assert caught.value.field == "total_cells"


def test_ki67_shown_value_never_crosses_a_cut_off():
    # 29999 of 999967 cells is 2.999999... %: a two-decimal display would print "3.00" beside G1.
    result = ki67_index(positive_cells=29999, total_cells=999967)
    assert result.details["who_2019_band"] == "G1"
    shown = float(re.search(r"Ki-67 index ([0-9.]+) %", result.interpretation).group(1))
    assert shown < 3


# ---------------------------------------------------------------------------------------------
# WHO 2021 lung carcinoid
# ---------------------------------------------------------------------------------------------

TC, AC, ELEVATED = "typical carcinoid", "atypical carcinoid", "carcinoid with elevated mitotic count"


@pytest.mark.parametrize("mitoses, necrosis, expected", [
    (0.0, "absent", TC),          # WHO 2021 (Nicholson 2022): TC is < 2 mitoses and no necrosis
    (1.9, "absent", TC),          # WHO 2021: just below 2
    (1.99, "absent", TC),         # WHO 2021: still below 2
    (2.0, "absent", AC),          # WHO 2021: AC is 2-10 inclusive, exactly 2 is AC
    (2.1, "absent", AC),          # WHO 2021: just above 2
    (9.9, "absent", AC),          # WHO 2021: just below 10
    (10.0, "absent", AC),         # WHO 2021: exactly 10 is still AC (not "> 10")
    (10.1, "absent", ELEVATED),   # WHO 2021: > 10 is outside the AC range
    (10.5, "absent", ELEVATED),   # WHO 2021: an averaged 10.5 is above 10 (not cast to 10)
    (0.0, "punctate", AC),        # WHO 2021: any necrosis, even punctate with no mitoses, is AC
    (1.9, "punctate", AC),        # WHO 2021: necrosis with < 2 mitoses is AC
    (0.0, "extensive", AC),       # WHO 2021: necrosis of any extent is AC in a carcinoid
    (10.0, "punctate", AC),       # WHO 2021: both criteria met
    (10.5, "punctate", ELEVATED), # clinical facts 2: > 10 with carcinoid morphology, not TC/AC
    (40.0, "extensive", ELEVATED),  # clinical facts 2: still not LCNEC on the count alone
])
def test_lung_carcinoid_boundaries(mitoses, necrosis, expected):
    result = lung_carcinoid(morphology="carcinoid", mitoses_per_2mm2=mitoses, necrosis=necrosis)
    assert result.category == expected


@pytest.mark.parametrize("mitoses, necrosis, synonym", [
    (1.0, "absent", "NET G1"),   # WHO 2022 endocrine: typical carcinoid = NET G1
    (5.0, "absent", "NET G2"),   # WHO 2022 endocrine: atypical carcinoid = NET G2
    (0.0, "punctate", "NET G2"),
    (12.0, "absent", None),      # no WHO 2022 synonym for the elevated group
])
def test_lung_who_2022_synonyms(mitoses, necrosis, synonym):
    result = lung_carcinoid(morphology="carcinoid", mitoses_per_2mm2=mitoses, necrosis=necrosis)
    assert result.details["who_2022_synonym"] == synonym


@pytest.mark.parametrize("mitoses", [10.1, 10.5, 11.0, 80.0])
def test_lung_elevated_count_warns_and_is_not_lcnec(mitoses):
    result = lung_carcinoid(morphology="carcinoid", mitoses_per_2mm2=mitoses, necrosis="absent")
    assert result.category == ELEVATED
    assert any("neither typical nor atypical" in w for w in result.warnings)
    assert "LCNEC" not in (result.category or "")
    assert "not large-cell neuroendocrine carcinoma" in result.interpretation


@pytest.mark.parametrize("mitoses, necrosis", [(1.0, "absent"), (5.0, "punctate"), (12.0, "absent")])
@pytest.mark.parametrize("ki67_percent", [0.0, 2.0, 30.0, 100.0])
def test_lung_ki67_is_not_used(mitoses, necrosis, ki67_percent):
    # WHO 2021: Ki-67 plays no role in TC vs AC (Pelosi and Travis 2021).
    without = lung_carcinoid(morphology="carcinoid", mitoses_per_2mm2=mitoses, necrosis=necrosis)
    given_ki67 = lung_carcinoid(morphology="carcinoid", mitoses_per_2mm2=mitoses, necrosis=necrosis, ki67_percent=ki67_percent)
    assert given_ki67.category == without.category
    assert given_ki67.details["ki67_used"] is False
    assert any("not used" in w for w in given_ki67.warnings)
    assert not any("not used" in w for w in without.warnings)
    for result in (without, given_ki67):
        assert "Ki-67 is not a WHO 2021 criterion" in result.interpretation


def test_lung_extensive_necrosis_warns():
    assert any("Extensive necrosis" in w
               for w in lung_carcinoid(morphology="carcinoid", mitoses_per_2mm2=3.0, necrosis="extensive").warnings)
    assert lung_carcinoid(morphology="carcinoid", mitoses_per_2mm2=3.0, necrosis="punctate").warnings == ()


@pytest.mark.parametrize("size_mm, expected", [
    (4.9, "tumourlet"),   # WHO 2021: a carcinoid-like proliferation below 5 mm is a tumourlet
    (4.99, "tumourlet"),  # still below 5 mm
    (5.0, TC),            # WHO 2021: a typical carcinoid is 5 mm or more (exactly 5 is a carcinoid)
    (5.1, TC),            # just above
    (None, TC),           # size not given: taken as a carcinoid of at least 5 mm
])
def test_lung_tumourlet_boundary(size_mm, expected):
    assert LUNG_CARCINOID_MINIMUM_SIZE_MM == 5
    result = lung_carcinoid(morphology="carcinoid", mitoses_per_2mm2=1.0, necrosis="absent", tumour_size_mm=size_mm)
    assert result.category == expected
    assert result.details["net_pathway"] is (expected != "tumourlet")


def test_lung_tumourlet_with_atypical_features_warns_but_size_decides():
    result = lung_carcinoid(morphology="carcinoid", mitoses_per_2mm2=3.0, necrosis="punctate", tumour_size_mm=3.0)
    assert result.category == "tumourlet"
    assert any("tumourlets do not usually" in w for w in result.warnings)
    assert lung_carcinoid(morphology="carcinoid", mitoses_per_2mm2=1.0, necrosis="absent",
                          tumour_size_mm=3.0).warnings == ()


@pytest.mark.parametrize("morphology, category", [
    ("large_cell_nec", "large-cell neuroendocrine carcinoma"),
    ("small_cell_carcinoma", "small-cell carcinoma"),
])
@pytest.mark.parametrize("mitoses, warns", [
    (10.0, True),    # WHO 2021: carcinomas have > 10 mitoses per 2 mm²; 10 does not fit
    (10.1, False),   # just above 10: fits
    (70.0, False),   # the LCNEC median
])
def test_lung_carcinomas_leave_the_net_pathway(morphology, category, mitoses, warns):
    # WHO 2021: morphology, not the count, decides LCNEC and SCLC; size does not matter.
    result = lung_carcinoid(morphology=morphology, mitoses_per_2mm2=mitoses, necrosis="extensive",
                            tumour_size_mm=3.0)
    assert result.category == category
    assert result.details["net_pathway"] is False
    assert "leaves the NET pathway" in result.interpretation
    assert any("carcinoid range" in w for w in result.warnings) is warns


def test_lung_morphology_is_required_and_exact():
    with pytest.raises(InputError) as caught:
        lung_carcinoid(mitoses_per_2mm2=1.0, necrosis="absent")
    assert caught.value.field == "morphology"
    with pytest.raises(InputError) as caught:
        lung_carcinoid(morphology="LCNEC", mitoses_per_2mm2=1.0, necrosis="absent")
    assert caught.value.field == "morphology"


@pytest.mark.parametrize("size_mm", [0.0, -1.0, 300.1])
def test_lung_size_must_be_a_positive_plausible_size(size_mm):
    with pytest.raises(InputError) as caught:
        lung_carcinoid(morphology="carcinoid", mitoses_per_2mm2=1.0, necrosis="absent", tumour_size_mm=size_mm)
    assert caught.value.field == "tumour_size_mm"


# ---------------------------------------------------------------------------------------------
# Properties: valid inputs never raise, categories are declared, values are finite
# ---------------------------------------------------------------------------------------------

percent = st.floats(min_value=0, max_value=100, allow_nan=False, allow_infinity=False)
mitotic_count = st.floats(min_value=0, max_value=1000, allow_nan=False, allow_infinity=False)


@st.composite
def gep_inputs(draw):
    differentiation = draw(st.sampled_from(["well", "poor"]))
    ki67 = draw(st.none() | percent)
    mitoses = draw(st.none() | mitotic_count)
    if differentiation == "well" and ki67 is None and mitoses is None:
        # The declared rule: a well-differentiated tumour needs at least one index.
        ki67 = draw(percent)
    return {"differentiation": differentiation, "ki67_percent": ki67, "mitoses_per_2mm2": mitoses}


def _grade_by_table(ki67, mitoses):
    """An independent reading of the WHO 2019 table, for comparison."""
    grades = []
    if ki67 is not None:
        grades.append(1 if ki67 < 3 else 2 if ki67 <= 20 else 3)
    if mitoses is not None:
        grades.append(1 if mitoses < 2 else 2 if mitoses <= 20 else 3)
    return max(grades)


@given(gep_inputs())
def test_property_gep_grade(values):
    result = who_gep_grade(**values)
    assert result.category in WHO_GEP_CATEGORIES
    assert result.value is None
    if values["differentiation"] == "poor":
        assert result.category == "NEC"
    else:
        assert result.category == f"NET G{_grade_by_table(values['ki67_percent'], values['mitoses_per_2mm2'])}"


@st.composite
def cell_counts(draw):
    total = draw(st.integers(min_value=1, max_value=1_000_000))
    positive = draw(st.integers(min_value=0, max_value=total))  # the declared rule: positive <= total
    return positive, total


@given(cell_counts())
def test_property_ki67_index(counts):
    positive, total = counts
    result = ki67_index(positive_cells=positive, total_cells=total)
    assert result.category in KI67_COUNT_CATEGORIES
    assert math.isfinite(result.value) and 0 <= result.value <= 100
    assert result.value == pytest.approx(100 * positive / total)
    # The band agrees with the GEP grade of the same index, and the shown number stays in its band.
    graded = who_gep_grade(differentiation="well", ki67_percent=result.value)
    assert graded.category == f"NET {result.details['who_2019_band']}"
    shown = float(re.search(r"Ki-67 index ([0-9.]+) %", result.interpretation).group(1))
    assert who_gep_grade(differentiation="well", ki67_percent=shown).category == graded.category
    assert (result.category == "adequate count") is (total >= KI67_MINIMUM_CELLS)


@given(st.integers(min_value=1, max_value=10_000), st.sampled_from([3, 20]))
def test_property_ki67_exact_at_cut_offs(hundreds_of_cells, cut_off):
    total = 100 * hundreds_of_cells
    result = ki67_index(positive_cells=cut_off * hundreds_of_cells, total_cells=total)
    assert result.value == cut_off
    assert result.details["who_2019_band"] == "G2"


@given(st.integers(min_value=2, max_value=1_000_000))
def test_property_ki67_more_positive_than_total_is_refused(total):
    with pytest.raises(InputError) as caught:
        ki67_index(positive_cells=total + 1, total_cells=total)
    assert caught.value.field == "positive_cells"


@settings(max_examples=300)
@given(mitotic_count, st.sampled_from(["absent", "punctate", "extensive"]), st.none() | percent,
       st.none() | st.floats(min_value=5.0, max_value=300.0))
def test_property_lung_carcinoid(mitoses, necrosis, ki67, size_mm):
    result = lung_carcinoid(morphology="carcinoid", mitoses_per_2mm2=mitoses, necrosis=necrosis,
                            ki67_percent=ki67, tumour_size_mm=size_mm)
    assert result.category in LUNG_CARCINOID_CATEGORIES
    assert result.value is None
    if mitoses > 10:
        expected = ELEVATED
    elif mitoses >= 2 or necrosis != "absent":
        expected = AC
    else:
        expected = TC
    assert result.category == expected
    assert "Ki-67 is not a WHO 2021 criterion" in result.interpretation


# ---------------------------------------------------------------------------------------------
# Declarations and bibliography
# ---------------------------------------------------------------------------------------------

CALCULATORS = (who_gep_grade, ki67_index, lung_carcinoid)


def _bib_keys() -> set[str]:
    return set(re.findall(r"^@\w+\{([^,\s]+),", BIB.read_text(encoding="utf-8"), flags=re.MULTILINE))


@pytest.mark.parametrize("function", CALCULATORS, ids=lambda f: f.calculator.id)
def test_every_citation_key_has_a_bib_entry(function):
    declared = function.calculator
    keys = set(declared.citations)
    for field in declared.fields:
        keys.update(field.source)
    assert keys, "a calculator must cite something"
    assert keys <= _bib_keys()


@pytest.mark.parametrize("call, cited", [
    (lambda: who_gep_grade(differentiation="well", ki67_percent=5.0), {"nagtegaal2020who"}),
    (lambda: ki67_index(positive_cells=10, total_cells=500), {"nagtegaal2020who"}),
    (lambda: lung_carcinoid(morphology="carcinoid", mitoses_per_2mm2=1.0, necrosis="absent"), {"nicholson2022who"}),
])
def test_results_cite_the_primary_source(call, cited):
    result = call()
    assert cited <= set(result.citations) <= _bib_keys()


def test_bib_entries_are_complete():
    text = BIB.read_text(encoding="utf-8")
    entries = re.split(r"^@", text, flags=re.MULTILINE)[1:]
    assert len(entries) == len(_bib_keys())
    for entry in entries:
        for required in ("author", "title", "journal", "year", "volume", "pages"):
            assert re.search(rf"^\s*{required}\s*=", entry, flags=re.MULTILINE), (required, entry[:40])
        assert re.search(r"^\s*(doi|pmid)\s*=", entry, flags=re.MULTILINE)


# The decision tables take the WHO GEP category from who_gep_category, and make the result only when it
# is read: the two must agree on every input, on both sides of every boundary.
_GEP_EDGES = (None, 0.0, 1.9999, 2.0, 2.0001, 2.9999, 3.0, 3.0001, 19.9999, 20.0, 20.0001, 20.5, 55.0, 100.0)


@pytest.mark.parametrize("differentiation", ["well", "poor"])
def test_who_gep_category_is_the_calculators_category_at_every_boundary(differentiation):
    from netlib.grading import who_gep_category

    for ki67 in _GEP_EDGES:
        for mitoses in _GEP_EDGES:
            if differentiation == "well" and ki67 is None and mitoses is None:
                continue  # refused by the calculator's form
            expected = who_gep_grade(differentiation=differentiation, ki67_percent=ki67,
                                     mitoses_per_2mm2=mitoses).category
            assert who_gep_category(differentiation, ki67, mitoses) == expected, (ki67, mitoses)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["well", "poor"]),
       st.none() | st.floats(0, 100, allow_nan=False), st.none() | st.floats(0, 1000, allow_nan=False))
def test_who_gep_category_is_the_calculators_category(differentiation, ki67, mitoses):
    from netlib.grading import who_gep_category

    if differentiation == "well" and ki67 is None and mitoses is None:
        return
    expected = who_gep_grade(differentiation=differentiation, ki67_percent=ki67, mitoses_per_2mm2=mitoses)
    assert who_gep_category(differentiation, ki67, mitoses) == expected.category


# The decision tables take the lung carcinoid category from lung_carcinoid_category, and make the result only
# when it is read; the calculator takes its own category from there too.  They must agree on both sides of
# every boundary, for every morphology, with and without a size.
def _lung_edges() -> dict[str, tuple]:
    from netlib.grading import LUNG_ATYPICAL_FROM_MITOSES, LUNG_ATYPICAL_TO_MITOSES

    def around(value: float) -> tuple:
        return (math.nextafter(value, -math.inf), value, math.nextafter(value, math.inf))

    return {"mitoses": (0.0, *around(LUNG_ATYPICAL_FROM_MITOSES), *around(LUNG_ATYPICAL_TO_MITOSES), 1000.0),
            "size": (None, 0.1, *around(float(LUNG_CARCINOID_MINIMUM_SIZE_MM)), 300.0)}


@pytest.mark.parametrize("morphology", ["carcinoid", "large_cell_nec", "small_cell_carcinoma"])
def test_lung_carcinoid_category_is_the_calculators_category_at_every_boundary(morphology):
    from netlib.grading import lung_carcinoid_category

    edges = _lung_edges()
    seen = set()
    for size in edges["size"]:
        for mitoses in edges["mitoses"]:
            for necrosis in ("absent", "punctate", "extensive"):
                expected = lung_carcinoid(morphology=morphology, tumour_size_mm=size, mitoses_per_2mm2=mitoses,
                                          necrosis=necrosis).category
                assert lung_carcinoid_category(morphology, size, mitoses, necrosis) == expected, (size, mitoses)
                seen.add(expected)
    assert len(seen) == (4 if morphology == "carcinoid" else 1)  # every category reached


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["carcinoid", "large_cell_nec", "small_cell_carcinoma"]),
       st.none() | st.floats(0, 300, exclude_min=True, allow_nan=False), st.floats(0, 1000, allow_nan=False),
       st.sampled_from(["absent", "punctate", "extensive"]), st.none() | st.floats(0, 100, allow_nan=False))
def test_lung_carcinoid_category_is_the_calculators_category(morphology, size, mitoses, necrosis, ki67):
    from netlib.grading import lung_carcinoid_category

    expected = lung_carcinoid(morphology=morphology, tumour_size_mm=size, mitoses_per_2mm2=mitoses,
                              necrosis=necrosis, ki67_percent=ki67)
    assert lung_carcinoid_category(morphology, size, mitoses, necrosis, ki67) == expected.category
