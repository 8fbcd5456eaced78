"""Tests for netlib.cart: ASTCT CRS, ICE and ICANS grading, and the CAR-T status data.

Expected grades in the tables are typed from the ASTCT consensus (Lee et al., Biol Blood Marrow
Transplant 2019;25:625, tables for CRS, ICE and ICANS), not copied from the implementation.
"""

from __future__ import annotations

import dataclasses
import math
import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import netlib
from netlib import cart
from netlib.cart import capd_score, crs_grade, icans_grade, ice_score

BIB = Path(__file__).resolve().parents[1] / "book" / "bib" / "cart.bib"

# ---------------------------------------------------------------------------------------------
# CRS
# ---------------------------------------------------------------------------------------------

CRS_BASE = dict(temperature_c=38.5, antipyretic_or_anticytokine_given=False, hypotension=False,
                vasopressors_excluding_vasopressin=0, vasopressin=False, oxygen_support="none")


def crs(**changes):
    return crs_grade(**{**CRS_BASE, **changes})


@pytest.mark.parametrize("temperature_c, expected", [
    (37.9, "no CRS"),   # ASTCT: fever is >= 38.0 °C; just below is not fever
    (38.0, "grade 1"),  # ASTCT: exactly 38.0 °C is fever
    (38.1, "grade 1"),  # ASTCT: just above
    (30.0, "no CRS"),   # lowest accepted temperature
    (45.0, "grade 1"),  # highest accepted temperature
])
def test_crs_fever_threshold(temperature_c, expected):
    result = crs(temperature_c=temperature_c)
    assert result.category == expected
    assert result.value == (0 if expected == "no CRS" else 1)


@pytest.mark.parametrize("changes, expected_grade", [
    # Hypotension column (ASTCT table)
    (dict(hypotension=True), 2),                                               # no vasopressor
    (dict(hypotension=True, vasopressors_excluding_vasopressin=1), 3),         # one vasopressor
    (dict(hypotension=True, vasopressin=True), 3),                             # vasopressin alone = one
    (dict(hypotension=True, vasopressors_excluding_vasopressin=1, vasopressin=True), 3),  # not 4
    (dict(hypotension=True, vasopressors_excluding_vasopressin=2), 4),         # multiple vasopressors
    (dict(hypotension=True, vasopressors_excluding_vasopressin=2, vasopressin=True), 4),
    (dict(hypotension=True, vasopressors_excluding_vasopressin=5), 4),
    # Hypoxia column (ASTCT table; low flow <= 6 L/min, high flow > 6 L/min)
    (dict(oxygen_support="low_flow_nasal_cannula"), 2),
    (dict(oxygen_support="low_flow_nasal_cannula", oxygen_flow_l_min=6.0), 2),   # AT 6 L/min: low
    (dict(oxygen_support="low_flow_nasal_cannula", oxygen_flow_l_min=5.9), 2),   # below
    (dict(oxygen_support="high_flow_nasal_cannula", oxygen_flow_l_min=6.5), 3),  # above: high
    (dict(oxygen_support="high_flow_nasal_cannula", oxygen_flow_l_min=6.1), 3),
    (dict(oxygen_support="high_flow_nasal_cannula"), 3),
    (dict(oxygen_support="blow_by"), 2),
    (dict(oxygen_support="facemask"), 3),
    (dict(oxygen_support="non_rebreather_mask"), 3),
    (dict(oxygen_support="venturi_mask"), 3),
    (dict(oxygen_support="positive_pressure"), 4),
    (dict(oxygen_support="positive_pressure", oxygen_flow_l_min=40.0), 4),  # device decides
    (dict(oxygen_support="facemask", oxygen_flow_l_min=5.0), 3),           # device decides
    # The more severe of hypotension and hypoxia (ASTCT worked example: single vasopressor and
    # low-flow nasal cannula is grade 3)
    (dict(hypotension=True, vasopressors_excluding_vasopressin=1,
          oxygen_support="low_flow_nasal_cannula"), 3),
    (dict(hypotension=True, oxygen_support="positive_pressure"), 4),
    (dict(hypotension=True, vasopressors_excluding_vasopressin=2, oxygen_support="blow_by"), 4),
])
def test_crs_grade_table(changes, expected_grade):
    result = crs(**changes)
    assert result.value == expected_grade
    assert result.category == f"grade {expected_grade}"


def test_crs_after_tocilizumab_graded_without_fever():
    # ASTCT: after antipyretic or anticytokine therapy fever is not required.
    result = crs(temperature_c=37.0, antipyretic_or_anticytokine_given=True, hypotension=True,
                 vasopressors_excluding_vasopressin=1)
    assert result.category == "grade 3"
    assert result.details["fever"] is False
    assert result.details["fever_required"] is False
    assert any("antipyretic" in w for w in result.warnings)


def test_crs_after_tocilizumab_without_findings_is_grade_1():
    result = crs(temperature_c=36.8, antipyretic_or_anticytokine_given=True)
    assert result.category == "grade 1"


def test_crs_without_fever_is_not_crs_even_with_hypotension():
    # ASTCT requires fever (until treated): hypotension on a vasopressor without fever is not CRS.
    result = crs(temperature_c=37.2, hypotension=True, vasopressors_excluding_vasopressin=1,
                 oxygen_support="facemask")
    assert result.category == "no CRS"
    assert result.value == 0
    assert result.warnings, "a warning should point to other causes"


def test_crs_decided_by_names_the_more_severe_domain():
    assert crs(hypotension=True, oxygen_support="facemask").details["decided_by"] == "hypoxia"
    assert crs(hypotension=True, vasopressors_excluding_vasopressin=2,
               oxygen_support="facemask").details["decided_by"] == "hypotension"
    assert crs(hypotension=True, oxygen_support="blow_by").details["decided_by"] == \
        "hypotension and hypoxia"


def test_crs_organ_toxicity_and_grade_5_are_explained():
    pearls = " ".join(crs_grade.calculator.pearls)
    assert "Organ toxicities" in pearls and "grade 5" in pearls
    assert "grade 5" in crs(oxygen_support="positive_pressure").interpretation


@pytest.mark.parametrize("changes", [
    dict(),                                                                    # grade 1 findings
    dict(hypotension=True, vasopressors_excluding_vasopressin=2),              # grade 4 findings
    dict(temperature_c=36.0, antipyretic_or_anticytokine_given=True),          # fever masked
])
def test_crs_grade_5_is_death_from_crs(changes):
    # ASTCT (EBMT registry wording): grade 5 is death due to CRS with no other principal cause.
    result = crs(death_from_crs=True, **changes)
    assert result.value == 5 and result.category == "grade 5"
    assert result.details["decided_by"] == "death from CRS"
    assert any("principal cause" in w for w in result.warnings)


@pytest.mark.parametrize("death", [False, None])
def test_crs_without_death_is_graded_as_before(death):
    assert crs(death_from_crs=death, oxygen_support="positive_pressure").category == "grade 4"
    assert crs(death_from_crs=death).category == "grade 1"


@pytest.mark.parametrize("changes, field", [
    (dict(vasopressors_excluding_vasopressin=1), "vasopressors_excluding_vasopressin"),
    (dict(vasopressin=True), "vasopressin"),
    (dict(oxygen_support="low_flow_nasal_cannula", oxygen_flow_l_min=6.5), "oxygen_flow_l_min"),
    (dict(oxygen_support="low_flow_nasal_cannula", oxygen_flow_l_min=6.01), "oxygen_flow_l_min"),
    (dict(oxygen_support="high_flow_nasal_cannula", oxygen_flow_l_min=6.0), "oxygen_flow_l_min"),
    (dict(oxygen_support="high_flow_nasal_cannula", oxygen_flow_l_min=2.0), "oxygen_flow_l_min"),
    (dict(oxygen_support="none", oxygen_flow_l_min=2.0), "oxygen_flow_l_min"),
    (dict(oxygen_support="low_flow_nasal_cannula", oxygen_flow_l_min=0.0), "oxygen_flow_l_min"),
])
def test_crs_contradictions_raise(changes, field):
    with pytest.raises(netlib.InputError) as caught:
        crs(**changes)
    assert caught.value.field == field


# A reference grading typed independently from the ASTCT table.
ASTCT_OXYGEN = {"none": 0, "low_flow_nasal_cannula": 2, "blow_by": 2, "high_flow_nasal_cannula": 3,
                "facemask": 3, "non_rebreather_mask": 3, "venturi_mask": 3, "positive_pressure": 4}


def astct_crs(v):
    if v["temperature_c"] < 38.0 and not v["antipyretic_or_anticytokine_given"]:
        return 0
    pressors = v["vasopressors_excluding_vasopressin"]
    if not v["hypotension"]:
        by_pressure = 0
    elif pressors >= 2:
        by_pressure = 4
    elif pressors == 1 or v["vasopressin"]:
        by_pressure = 3
    else:
        by_pressure = 2
    return max(1, by_pressure, ASTCT_OXYGEN[v["oxygen_support"]])


@st.composite
def crs_inputs(draw):
    hypotension = draw(st.booleans())
    support = draw(st.sampled_from(sorted(ASTCT_OXYGEN)))
    if support == "none":
        flow = None
    elif support == "low_flow_nasal_cannula":
        flow = draw(st.none() | st.floats(0, 6, exclude_min=True))
    elif support == "high_flow_nasal_cannula":
        flow = draw(st.none() | st.floats(6, 80, exclude_min=True))
    else:
        flow = draw(st.none() | st.floats(0, 80, exclude_min=True))
    return dict(
        temperature_c=draw(st.floats(30, 45)),
        antipyretic_or_anticytokine_given=draw(st.booleans()),
        hypotension=hypotension,
        vasopressors_excluding_vasopressin=draw(st.integers(0, 5)) if hypotension else 0,
        vasopressin=draw(st.booleans()) if hypotension else False,
        oxygen_support=support,
        oxygen_flow_l_min=flow,
    )


@settings(max_examples=400)
@given(crs_inputs())
def test_crs_property_valid_inputs(values):
    result = crs_grade(**values)
    assert result.category in crs_grade.calculator.categories
    assert isinstance(result.value, int) and math.isfinite(result.value)
    assert result.value == astct_crs(values)
    assert result.category == ("no CRS" if result.value == 0 else f"grade {result.value}")


@given(crs_inputs())
def test_crs_property_more_vasopressors_never_lower_grade(values):
    if not values["hypotension"] or values["vasopressors_excluding_vasopressin"] == 5:
        return
    more = {**values, "vasopressors_excluding_vasopressin": values["vasopressors_excluding_vasopressin"] + 1}
    assert crs_grade(**more).value >= crs_grade(**values).value


# ---------------------------------------------------------------------------------------------
# ICE score
# ---------------------------------------------------------------------------------------------

ICE_ITEMS = ("orientation_points", "naming_points", "commands_points", "writing_points",
             "attention_points")
ICE_ITEM_MAXIMA = dict(orientation_points=4, naming_points=3, commands_points=1, writing_points=1,
                       attention_points=1)  # ASTCT ICE table


def ice_items_for_total(total):
    """Split a total into valid item points, filling items in order."""
    items, left = {}, total
    for name in ICE_ITEMS:
        items[name] = min(left, ICE_ITEM_MAXIMA[name])
        left -= items[name]
    assert left == 0
    return items


def test_ice_item_maxima_add_to_ten():
    result = ice_score(**ICE_ITEM_MAXIMA)
    assert result.value == 10
    assert result.category == "no ICANS"
    assert sum(ICE_ITEM_MAXIMA.values()) == cart.ICE_MAXIMUM == 10


@pytest.mark.parametrize("item", ICE_ITEMS)
def test_ice_item_above_maximum_is_rejected_not_clipped(item):
    # ASTCT: item maxima 4/3/1/1/1; one above must raise, never be clipped.
    with pytest.raises(netlib.InputError) as caught:
        ice_score(**{**ICE_ITEM_MAXIMA, item: ICE_ITEM_MAXIMA[item] + 1})
    assert caught.value.field == item


@pytest.mark.parametrize("item", ICE_ITEMS)
def test_ice_item_below_zero_is_rejected(item):
    with pytest.raises(netlib.InputError) as caught:
        ice_score(**{**ICE_ITEM_MAXIMA, item: -1})
    assert caught.value.field == item


@pytest.mark.parametrize("total, expected", [
    (10, "no ICANS"),  # ASTCT: ICE 10 = no ICANS (grade 0, not 1)
    (9, "grade 1"),    # just below 10
    (8, "grade 1"),
    (7, "grade 1"),    # ASTCT: 7-9 grade 1, lower end
    (6, "grade 2"),    # just below 7
    (4, "grade 2"),
    (3, "grade 2"),    # ASTCT: 3-6 grade 2, lower end
    (2, "grade 3"),    # just below 3
    (1, "grade 3"),
    (0, "grade 3"),    # ASTCT: 0-2 grade 3 when awake (unarousable = 4 is icans_grade's job)
])
def test_ice_totals(total, expected):
    result = ice_score(**ice_items_for_total(total))
    assert result.value == total
    assert result.category == expected
    assert ("grade 4" in " ".join(result.warnings)) == (total == 0)


@given(st.fixed_dictionaries({name: st.integers(0, m) for name, m in ICE_ITEM_MAXIMA.items()}))
def test_ice_property(items):
    result = ice_score(**items)
    assert result.value == sum(items.values())
    assert result.category in ice_score.calculator.categories
    assert 0 <= result.value <= 10


# ---------------------------------------------------------------------------------------------
# ICANS
# ---------------------------------------------------------------------------------------------

ICANS_BASE = dict(age_years=45, ice_score=10, consciousness="normal", seizure="none",
                  motor_weakness=False, cerebral_oedema="none")


def icans(**changes):
    return icans_grade(**{**ICANS_BASE, **changes})


@pytest.mark.parametrize("ice, expected", [
    (10, 0),  # ASTCT: ICE 10 = no ICANS
    (9, 1),   # 7-9 grade 1
    (7, 1),
    (6, 2),   # 3-6 grade 2
    (3, 2),
    (2, 3),   # 0-2 grade 3
    (0, 3),   # ASTCT: ICE 0 awake (global aphasia) = grade 3
])
def test_icans_from_ice(ice, expected):
    result = icans(ice_score=ice)
    assert result.value == expected
    assert result.category == ("no ICANS" if expected == 0 else f"grade {expected}")
    assert result.details["grade_by_ice"] == expected


@pytest.mark.parametrize("ice", [None, 0])
def test_icans_unarousable_is_grade_4(ice):
    # ASTCT: ICE 0 because unarousable, and unarousable consciousness, are grade 4.
    result = icans(ice_score=ice, consciousness="unarousable")
    assert result.category == "grade 4"
    assert result.details["grade_by_ice"] == 4
    assert result.details["grade_by_consciousness"] == 4


@pytest.mark.parametrize("changes, expected", [
    (dict(consciousness="awakens_spontaneously"), 1),             # ASTCT consciousness column
    (dict(consciousness="awakens_to_voice"), 2),
    (dict(consciousness="awakens_only_to_tactile_stimulus"), 3),
    (dict(seizure="rapidly_resolving"), 3),                       # ASTCT seizure column
    (dict(seizure="prolonged_or_repetitive"), 4),
    (dict(motor_weakness=True), 4),                                # ASTCT motor column
    (dict(cerebral_oedema="focal"), 3),                            # ASTCT ICP/oedema column
    (dict(cerebral_oedema="diffuse"), 4),
    # Worked example (ASTCT): ICE 3 with a (rapidly resolving) generalised seizure is grade 3
    (dict(ice_score=3, seizure="rapidly_resolving"), 3),
    # Worst domain wins
    (dict(ice_score=9, consciousness="awakens_to_voice"), 2),
    (dict(ice_score=5, consciousness="awakens_spontaneously"), 2),
    (dict(ice_score=8, cerebral_oedema="diffuse"), 4),
    (dict(ice_score=1, motor_weakness=True), 4),
    (dict(ice_score=6, consciousness="awakens_only_to_tactile_stimulus", seizure="rapidly_resolving"), 3),
])
def test_icans_domains_and_worst_wins(changes, expected):
    result = icans(**changes)
    assert result.value == expected
    assert result.category == f"grade {expected}"


def test_icans_details_name_the_deciding_domain():
    result = icans(ice_score=3, seizure="rapidly_resolving")
    assert result.details["decided_by"] == ("seizure",)
    assert result.details["grade_by_ice"] == 2
    tied = icans(ice_score=2, cerebral_oedema="focal")
    assert set(tied.details["decided_by"]) == {"ICE score", "raised intracranial pressure or cerebral oedema"}
    assert icans().details["decided_by"] == ()


@pytest.mark.parametrize("age, raises", [
    (11, True),      # ASTCT: younger than 12 -> CAPD, an ICE score is refused
    (11.9, True),    # just below 12
    (12, False),     # convention: exactly 12 uses ICE (ASTCT "12 or older"; NCIt says "12 and under")
    (12.1, False),
    (0, True),
])
def test_icans_age_boundary(age, raises):
    if raises:
        with pytest.raises(netlib.InputError) as caught:
            icans(age_years=age)
        assert caught.value.field == "ice_score"
        assert "CAPD" in str(caught.value) and "capd_score" in str(caught.value)
    else:
        assert icans(age_years=age, ice_score=8).category == "grade 1"


def test_icans_age_missing_warns():
    assert any("CAPD" in w for w in icans(age_years=None).warnings)


# Clinical facts 8.4 and 12.7: ASTCT uses CAPD below 12 and ICE from 12; the NCI Thesaurus writes CAPD
# for "12 and under".  Convention: below 12 CAPD only; 12 to below 13 either, with a warning; from 13
# ICE, and CAPD only with developmental delay.
@pytest.mark.parametrize("age, assessment, accepted, warns", [
    (11.9, "capd", True, False),   # ASTCT: younger than 12 -> CAPD
    (11.9, "ice", False, None),    # ASTCT: ICE not for children younger than 12
    (12, "ice", True, True),       # ASTCT: 12 or older -> ICE (NCIt disagrees: warning)
    (12, "capd", True, True),      # NCIt: "12 and under" -> CAPD accepted at 12, with a warning
    (12.9, "capd", True, True),    # still 12 years old
    (12.9, "ice", True, True),
    (13, "ice", True, False),      # both sources: ICE from 13
    (13, "capd", False, None),     # CAPD from 13 only with developmental delay
    (0, "capd", True, False),      # infants: CAPD
])
def test_icans_ice_or_capd_by_age(age, assessment, accepted, warns):
    values = dict(age_years=age, ice_score=None, capd_score=None)
    values["ice_score" if assessment == "ice" else "capd_score"] = 8
    if not accepted:
        with pytest.raises(netlib.InputError) as caught:
            icans(**values)
        assert caught.value.field == ("ice_score" if assessment == "ice" else "capd_score")
        return
    result = icans(**values)
    assert result.details["assessment"] == assessment.upper()
    assert result.category == "grade 1"   # ICE 8 (7-9) and CAPD 8 (1-8) are both grade 1
    assert any("NCI Thesaurus" in w for w in result.warnings) is warns


def test_icans_capd_at_any_age_with_developmental_delay():
    # ASTCT (Lee et al. 2019): CAPD also for older patients with developmental delay.
    result = icans(age_years=30, ice_score=None, capd_score=12, developmental_delay=True)
    assert result.details["assessment"] == "CAPD" and result.category == "grade 3"
    with pytest.raises(netlib.InputError) as caught:
        icans(age_years=30, ice_score=None, capd_score=12, developmental_delay=False)
    assert caught.value.field == "capd_score"


@pytest.mark.parametrize("capd, expected", [
    (0, 0),    # no ICANS from the CAPD domain
    (1, 1),    # ASTCT paediatric table: CAPD 1-8 is grade 1
    (8, 1),    # just below 9
    (9, 3),    # ASTCT: CAPD 9 or more is grade 3
    (10, 3),   # just above
    (32, 3),   # maximum
])
def test_icans_from_capd(capd, expected):
    result = icans(age_years=6, ice_score=None, capd_score=capd)
    assert result.value == expected
    assert result.details["grade_by_capd"] == expected and result.details["grade_by_ice"] is None


@pytest.mark.parametrize("changes, expected", [
    (dict(capd_score=5, consciousness="awakens_to_voice"), 2),        # ASTCT: CAPD 1-8 with voice = 2
    (dict(capd_score=5, consciousness="awakens_spontaneously"), 1),   # CAPD 1-8, awakens spontaneously
    (dict(capd_score=None, consciousness="unarousable"), 4),          # unable to perform CAPD = 4
    (dict(capd_score=3, seizure="rapidly_resolving"), 3),             # other domains as in adults
    (dict(capd_score=3, motor_weakness=True), 4),
])
def test_icans_children_other_domains(changes, expected):
    result = icans(age_years=7, ice_score=None, **changes)
    assert result.value == expected


@pytest.mark.parametrize("changes, field", [
    (dict(age_years=7, ice_score=None, capd_score=None), "capd_score"),                 # CAPD needed
    (dict(age_years=7, ice_score=None, capd_score=4, consciousness="unarousable"), "capd_score"),
    (dict(age_years=30, ice_score=8, capd_score=4, developmental_delay=True), "capd_score"),  # not both
])
def test_icans_capd_contradictions(changes, field):
    with pytest.raises(netlib.InputError) as caught:
        icans(**changes)
    assert caught.value.field == field


@pytest.mark.parametrize("changes", [
    dict(ice_score=None),                                   # ICE needed unless unarousable
    dict(ice_score=None, consciousness="awakens_to_voice"),
    dict(ice_score=4, consciousness="unarousable"),         # unarousable cannot score > 0
    dict(ice_score=1, consciousness="unarousable"),
])
def test_icans_ice_contradictions(changes):
    with pytest.raises(netlib.InputError) as caught:
        icans(**changes)
    assert caught.value.field == "ice_score"


def test_icans_pearls_on_tremor_and_haemorrhage():
    pearls = " ".join(icans_grade.calculator.pearls).lower()
    assert "tremor and myoclonus do not change" in pearls
    assert "haemorrhage" in pearls


# Independent ASTCT ICANS tables.
CONSCIOUSNESS = {"normal": 0, "awakens_spontaneously": 1, "awakens_to_voice": 2,
                 "awakens_only_to_tactile_stimulus": 3, "unarousable": 4}
SEIZURE = {"none": 0, "rapidly_resolving": 3, "prolonged_or_repetitive": 4}
OEDEMA = {"none": 0, "focal": 3, "diffuse": 4}


def astct_ice_grade(score):
    return 0 if score == 10 else 1 if score >= 7 else 2 if score >= 3 else 3


@st.composite
def icans_inputs(draw):
    consciousness = draw(st.sampled_from(sorted(CONSCIOUSNESS)))
    ice = (draw(st.none() | st.just(0)) if consciousness == "unarousable"
           else draw(st.integers(0, 10)))
    return dict(age_years=draw(st.none() | st.floats(12, 120)), ice_score=ice,
                consciousness=consciousness, seizure=draw(st.sampled_from(sorted(SEIZURE))),
                motor_weakness=draw(st.booleans()),
                cerebral_oedema=draw(st.sampled_from(sorted(OEDEMA))))


@settings(max_examples=400)
@given(icans_inputs())
def test_icans_property(values):
    result = icans_grade(**values)
    assert result.category in icans_grade.calculator.categories
    by_ice = 4 if values["consciousness"] == "unarousable" else astct_ice_grade(values["ice_score"])
    expected = max(by_ice, CONSCIOUSNESS[values["consciousness"]], SEIZURE[values["seizure"]],
                   4 if values["motor_weakness"] else 0, OEDEMA[values["cerebral_oedema"]])
    assert result.value == expected
    assert (result.value == 0) == (result.details["decided_by"] == ())


# ---------------------------------------------------------------------------------------------
# Registry and speed-relevant declarations
# ---------------------------------------------------------------------------------------------

def test_registered_by_id():
    from netlib import calculators
    ids = calculators.list_ids()
    for calculator_id in ("crs_grade", "ice_score", "icans_grade"):
        assert calculator_id in ids
        assert calculators.get(calculator_id).module == "netlib.cart"


# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------

SOLID_TUMOUR_WORDS = ("tumour", "tumor", "carcinoma", "sarcoma", "melanoma", "neuroendocrine",
                      "gastric", "adenocarcinoma", "solid")


def test_the_seven_fda_car_t_products():
    brands = {p.brand for p in cart.CAR_T_PRODUCTS}
    assert brands == {"Kymriah", "Yescarta", "Tecartus", "Breyanzi", "Abecma", "Carvykti", "Aucatzyl"}


def test_every_product_targets_cd19_or_bcma():
    for product in cart.CAR_T_PRODUCTS:
        assert product.target_antigen in {"CD19", "BCMA"}, product.brand
    # Errors seen in a secondary source: Abecma is BCMA (not CD38), Tecartus CD19 (not CD20).
    by_brand = {p.brand: p for p in cart.CAR_T_PRODUCTS}
    assert by_brand["Abecma"].target_antigen == "BCMA"
    assert by_brand["Tecartus"].target_antigen == "CD19"


def test_no_product_has_a_solid_tumour_indication():
    for product in cart.CAR_T_PRODUCTS:
        assert product.indication_type == "haematological"
        assert product.indications
        for indication in product.indications:
            assert not any(word in indication.lower() for word in SOLID_TUMOUR_WORDS), indication


@pytest.mark.parametrize("brand, first_approval", [
    ("Kymriah", date(2017, 8, 30)),
    ("Yescarta", date(2017, 10, 18)),
    ("Tecartus", date(2020, 7, 24)),
    ("Breyanzi", date(2021, 2, 5)),
    ("Abecma", date(2021, 3, 26)),     # convention: 26 March (one source says 27 March)
    ("Carvykti", date(2022, 2, 28)),
    ("Aucatzyl", date(2024, 11, 8)),
])
def test_product_first_approval_dates(brand, first_approval):
    product = next(p for p in cart.CAR_T_PRODUCTS if p.brand == brand)
    assert product.first_fda_approval == first_approval
    assert isinstance(product.verified, bool) and product.verification_note


def test_products_listed_in_approval_order_and_frozen():
    dates = [p.first_fda_approval for p in cart.CAR_T_PRODUCTS]
    assert dates == sorted(dates)
    with pytest.raises(dataclasses.FrozenInstanceError):
        cart.CAR_T_PRODUCTS[0].target_antigen = "CD20"


def test_not_car_t_and_non_fda_approvals():
    modalities = {t.brand: t.modality for t in cart.NOT_CAR_T_ENGINEERED_CELL_THERAPIES}
    assert set(modalities) == {"Tecelra", "Amtagvi"}
    assert all("CAR" not in m for m in modalities.values())
    tecelra = next(t for t in cart.NOT_CAR_T_ENGINEERED_CELL_THERAPIES if t.brand == "Tecelra")
    assert tecelra.first_approval == date(2024, 8, 2)
    assert "synovial sarcoma" in tecelra.indication
    (satri_cel,) = cart.NON_FDA_SOLID_TUMOUR_APPROVALS
    assert satri_cel.regulator.startswith("NMPA")
    assert satri_cel.approval == date(2026, 6, 22)
    assert "CLDN18.2" in satri_cel.target_antigen
    assert satri_cel.fda_approved is False and satri_cel.net_indication is False


def test_net_research_is_never_an_approved_treatment():
    stages = {r.stage for r in cart.NET_CAR_T_RESEARCH}
    assert stages <= {"preclinical", "phase 1", "phase 1/2"}
    trials = {t for r in cart.NET_CAR_T_RESEARCH for t in r.trial_ids}
    assert "NCT06055439" in trials
    targets = " ".join(r.target for r in cart.NET_CAR_T_RESEARCH)
    assert "CDH17" in targets and "SSTR2" in targets


def test_position_statement():
    position = cart.CAR_T_POSITION
    assert "FDA" in position and "solid tumour" in position
    assert "neuroendocrine" in position and "clinical trials" in position


def test_reasons_join_every_statement_table():
    reasons = cart.car_t_reasons()
    for table in (cart.CAR_T_APPROVAL_STATUS, cart.CAR_T_BARRIERS_IN_SOLID_TUMOURS,
                  cart.NET_TUMOUR_MUTATIONAL_BURDEN, cart.CAR_T_TOXICITY_REASONS):
        assert set(table) <= set(reasons)
    # The approval statement must agree with the product data.
    targets = {p.target_antigen for p in cart.CAR_T_PRODUCTS}
    assert all(target in cart.CAR_T_APPROVAL_STATUS[0][0] for target in targets)


def test_statement_tuples_are_cited():
    for table in (cart.CAR_T_APPROVAL_STATUS, cart.CAR_T_BARRIERS_IN_SOLID_TUMOURS,
                  cart.NET_TUMOUR_MUTATIONAL_BURDEN, cart.CAR_T_TOXICITY_REASONS):
        assert table
        for statement, keys in table:
            assert isinstance(statement, str) and statement.endswith(".")
            assert keys and all(isinstance(k, str) for k in keys)


def _bib_keys():
    return set(re.findall(r"^@\w+\{([^,\s]+),", BIB.read_text(encoding="utf-8"), flags=re.MULTILINE))


def _used_keys():
    keys = set(cart.CAR_T_POSITION_CITATIONS)
    for records in (cart.CAR_T_PRODUCTS, cart.NOT_CAR_T_ENGINEERED_CELL_THERAPIES,
                    cart.NON_FDA_SOLID_TUMOUR_APPROVALS, cart.NET_CAR_T_RESEARCH):
        for record in records:
            keys.update(record.citations)
    for _, cited in cart.car_t_reasons():
        keys.update(cited)
    for function in (crs_grade, ice_score, icans_grade, capd_score):
        keys.update(function.calculator.citations)
        for field in function.calculator.fields:
            keys.update(field.source)
    keys.update(crs(hypotension=True).citations)
    keys.update(ice_score(**ICE_ITEM_MAXIMA).citations)
    keys.update(icans().citations)
    keys.update(icans(age_years=8, ice_score=None, capd_score=10).citations)
    keys.update(crs(death_from_crs=True).citations)
    return keys


CALC_A_BIB = BIB.with_name("calc-a.bib")  # the CAPD reference lives with the other 2026 additions
PRIMARY_BIB = BIB.with_name("primary-sources.bib")  # FDA labels, trial papers and registry records


def test_every_citation_key_is_in_the_bibliography():
    other = set()
    for fragment in (CALC_A_BIB, PRIMARY_BIB):
        other |= set(re.findall(r"^@\w+\{([^,\s]+),", fragment.read_text(encoding="utf-8"), flags=re.MULTILINE))
    missing = _used_keys() - _bib_keys() - other
    assert not missing, f"missing from {BIB.name}, {CALC_A_BIB.name} and {PRIMARY_BIB.name}: {sorted(missing)}"


def test_bibliography_entries_are_complete():
    text = BIB.read_text(encoding="utf-8")
    entries = re.split(r"^@", text, flags=re.MULTILINE)[1:]
    assert len(entries) == len(_bib_keys())
    for entry in entries:
        key = entry.split("{", 1)[1].split(",", 1)[0]
        assert re.search(r"^\s*title\s*=", entry, re.MULTILINE), key
        assert re.search(r"^\s*year\s*=\s*\{\d{4}\}", entry, re.MULTILINE), key
        assert re.search(r"^\s*(doi|url|pmid)\s*=", entry, re.MULTILINE), key
        if entry.startswith("article"):
            assert re.search(r"^\s*journal\s*=", entry, re.MULTILINE), key
            assert re.search(r"^\s*doi\s*=", entry, re.MULTILINE), key


# ---------------------------------------------------------------------------------------------
# CAPD (Traube 2014: 8 items, 0-4 each, items 1-4 reverse scored; >= 9 positive)
# ---------------------------------------------------------------------------------------------

CAPD_CALM = dict(eye_contact="always", purposeful_actions="always", aware_of_surroundings="always",
                 communicates_needs="always", restless="never", inconsolable="never", underactive="never",
                 slow_to_respond="never")
FREQUENCIES = ("never", "rarely", "sometimes", "often", "always")


def test_capd_extremes():
    assert capd_score(**CAPD_CALM).value == 0
    worst = dict(CAPD_CALM, eye_contact="never", purposeful_actions="never", aware_of_surroundings="never",
                 communicates_needs="never", restless="always", inconsolable="always", underactive="always",
                 slow_to_respond="always")
    assert capd_score(**worst).value == cart.CAPD_MAXIMUM == 32


@pytest.mark.parametrize("item, answer, points", [
    ("eye_contact", "never", 4),        # Traube 2014: items 1-4 reverse scored
    ("eye_contact", "rarely", 3),
    ("communicates_needs", "sometimes", 2),
    ("purposeful_actions", "often", 1),
    ("restless", "always", 4),          # items 5-8 scored directly
    ("slow_to_respond", "rarely", 1),
    ("underactive", "often", 3),
])
def test_capd_item_scoring(item, answer, points):
    assert capd_score(**dict(CAPD_CALM, **{item: answer})).value == points


@pytest.mark.parametrize("changes, total, category", [
    (dict(restless="always", inconsolable="always"), 8, "negative screen"),              # just below 9
    (dict(restless="always", inconsolable="always", underactive="rarely"), 9,
     "positive screen for delirium"),                                                    # Traube: 9 is positive
    (dict(restless="always", inconsolable="always", underactive="sometimes"), 10,
     "positive screen for delirium"),                                                    # just above
])
def test_capd_cut_point(changes, total, category):
    result = capd_score(**dict(CAPD_CALM, **changes))
    assert result.value == total and result.category == category
    assert result.details["icans_grade_from_capd"] == (3 if total >= 9 else 1)


@settings(max_examples=200)
@given(st.fixed_dictionaries({name: st.sampled_from(FREQUENCIES) for name in CAPD_CALM}),
       st.sampled_from(sorted(CAPD_CALM)))
def test_capd_property_worse_answers_never_lower_the_score(answers, item):
    result = capd_score(**answers)
    assert 0 <= result.value <= 32
    assert (result.category == "positive screen for delirium") is (result.value >= 9)
    # Moving one item one step towards "worse" (less of a well behaviour, more of a symptom) never lowers it.
    index = FREQUENCIES.index(answers[item])
    step = -1 if item in cart.CAPD_ITEMS_REVERSED else 1
    if 0 <= index + step < len(FREQUENCIES):
        worse = capd_score(**dict(answers, **{item: FREQUENCIES[index + step]}))
        assert worse.value == result.value + 1
