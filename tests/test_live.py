"""The live forms on the site compute, in the reader's browser, what netlib computes in Python.

Each chapter with calculators is opened once in Debian Chromium over a local HTTP server (fixtures
in conftest.py); Pyodide and the netlib wheel load once per page, and every case below is typed into
that page's live form the way a reader would (text in number boxes, choices in lists).  The page
must then show the headline, interpretation and warnings that ``netlib`` returns in this process
for the same inputs; bad input must show netlib's message next to the field it names.  The decision
algorithm's page must list the options and tiers of ``recommend()`` in the same order.  No request
may leave the origin and the console must stay free of errors; a page opened from file:// must say
how to serve the site.

Build the site first: ``python scripts/build_book.py`` (scripts/run-tests.sh does).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import netlib.calculators
from netlib import browser as bridge
from netlib import cart, grading, imaging, prrt, renal, response, staging
from netlib.examples import CALCULATOR_EXAMPLES, PATIENT_EXAMPLES
from netlib.pathway import recommend

from conftest import HTML, Visit

pytestmark = pytest.mark.browser

SCREENSHOTS = HTML.parent / "screenshots"
SCHEMAS = json.loads(bridge.schemas_json())
READY_TIMEOUT_MS = 90_000     # Pyodide's first start on a busy 2-core machine
ANSWER_TIMEOUT_MS = 10_000


def _live_pages() -> dict[str, list[str]]:
    """Built page -> its live forms in order (calculator ids, "patient" for the patient form)."""
    pages = {}
    for page in sorted((HTML / "notebooks").glob("*.html")):
        forms = re.findall(r'<div (?:id="[\w-]+" )?class="netlib-live" data-(?:calculator="(\w+)"|(pathway)=)',
                           page.read_text(encoding="utf-8"))
        if forms:
            pages[f"notebooks/{page.name}"] = [calculator or "patient" for calculator, _ in forms]
    return pages


LIVE_PAGES = _live_pages() if HTML.exists() else {}


def _page_of(form: str) -> str:
    for path, forms in LIVE_PAGES.items():
        if form in forms:
            return path
    pytest.fail(f"no page of the built site has a live {form} form")


# --- Cases: at least three per calculator, one exactly on a threshold --------------------------

_ON_SSA = CALCULATOR_EXAMPLES["prrt_eligibility"]
_NO_CRS = {"temperature_c": 37.9, "antipyretic_or_anticytokine_given": False, "hypotension": False,
           "vasopressors_excluding_vasopressin": 0, "vasopressin": False, "oxygen_support": "none"}
_AWAKE = {"age_years": 40, "consciousness": "normal", "seizure": "none", "motor_weakness": False,
          "cerebral_oedema": "none"}
_STABLE_TARGETS = {"target_lesions_disappeared": False, "new_lesions": False, "non_target_status": "non_cr_non_pd"}

CASES: dict[str, list[dict]] = {
    "who_gep_grade": [
        {"differentiation": "well", "ki67_percent": grading.KI67_G2_FROM_PERCENT},   # WHO 2019: exactly 3 % is G2
        {"differentiation": "well", "ki67_percent": 2.9, "mitoses_per_2mm2": 1.9},   # just below both: G1
        {"differentiation": "well", "ki67_percent": grading.KI67_G2_TO_PERCENT,       # exactly 20 % is still G2
         "mitoses_per_2mm2": grading.MITOSES_G2_FROM_PER_2MM2},
        {"differentiation": "well", "ki67_percent": 20.1},                            # just above: NET G3
        {"differentiation": "poor", "ki67_percent": 55.0},                            # morphology makes NEC
    ],
    "ki67_index": [
        {"positive_cells": 15, "total_cells": grading.KI67_MINIMUM_CELLS},           # 3 % of exactly 500 cells
        {"positive_cells": 14, "total_cells": grading.KI67_MINIMUM_CELLS - 1},       # one cell short of 500
        {"positive_cells": 100, "total_cells": 500},                                  # exactly 20 %
    ],
    "lung_carcinoid": [
        {"morphology": "carcinoid", "mitoses_per_2mm2": grading.LUNG_ATYPICAL_FROM_MITOSES, "necrosis": "absent"},  # WHO 2021: 2 is atypical
        {"morphology": "carcinoid", "mitoses_per_2mm2": 1.9, "necrosis": "absent"},                                 # typical
        {"morphology": "carcinoid", "mitoses_per_2mm2": 1.0, "necrosis": "punctate", "ki67_percent": 4.0},          # any necrosis: atypical
        {"morphology": "carcinoid", "mitoses_per_2mm2": grading.LUNG_ATYPICAL_TO_MITOSES, "necrosis": "absent"},    # 10 is still atypical
        {"morphology": "carcinoid", "mitoses_per_2mm2": 10.1, "necrosis": "absent"},                                # elevated mitotic count
    ],
    "krenning_score": [
        {"krenning_score": imaging.KRENNING_SUFFICIENT_PET, "modality": imaging.MODALITY_PET},      # PET: 3 suffices
        {"krenning_score": imaging.KRENNING_SUFFICIENT_PET - 1, "modality": imaging.MODALITY_PET},  # 2 on PET: not
        {"krenning_score": imaging.KRENNING_SUFFICIENT_SCINTIGRAPHY, "modality": imaging.MODALITY_PLANAR},
        {"krenning_score": 1, "modality": imaging.MODALITY_SPECT},
    ],
    "cockcroft_gault": [
        CALCULATOR_EXAMPLES["cockcroft_gault"],
        {"age_years": renal.ADULT_MINIMUM_AGE_YEARS, "weight_kg": 80.0, "sex": "male",   # youngest adult accepted
         "creatinine_umol_l": renal.UMOL_L_PER_MG_DL},
        {"age_years": 90, "weight_kg": 45.5, "sex": "female", "creatinine_mg_dl": 2.3},
    ],
    "ckd_epi_2021": [
        CALCULATOR_EXAMPLES["ckd_epi_2021"],
        {"age_years": 50, "sex": "female", "creatinine_mg_dl": renal.CKD_EPI_2021_KAPPA_FEMALE},  # at the kink
        {"age_years": 70, "sex": "male", "creatinine_umol_l": 150.0},
        {"age_years": 30, "sex": "male", "creatinine_mg_dl": 0.5},
    ],
    "prrt_eligibility": [
        _ON_SSA,
        {**_ON_SSA, "ki67_percent": prrt.NETTER1_KI67_MAXIMUM_PERCENT,                  # NETTER-1 limits, exactly
         "karnofsky_percent": prrt.NETTER1_KARNOFSKY_MINIMUM_PERCENT},
        {**_ON_SSA, "ki67_percent": 20.1},                                              # just above: not eligible
        {"differentiation": "well", "ki67_percent": 5.0, "albumin_g_dl": 2.9},          # needs the prothrombin time
        {**_ON_SSA, "criteria_set": "netter2", "ki67_percent": prrt.NETTER2_KI67_MINIMUM_PERCENT,  # NETTER-2 minima
         "age_years": prrt.NETTER2_MINIMUM_AGE_YEARS, "months_since_diagnosis": 2.0,
         "haemoglobin_g_dl": None, "haemoglobin_g_l": 121.0},
    ],
    "urine_creatinine_clearance": [
        CALCULATOR_EXAMPLES["urine_creatinine_clearance"],
        {"urine_creatinine_mmol_l": 8.84, "urine_volume_ml": 1440.0, "creatinine_umol_l": 88.4,  # 100 mL/min
         "collection_hours": renal.COLLECTION_STANDARD_HOURS},
        {"urine_creatinine_mg_dl": 100.0, "urine_volume_ml": 3600.0, "creatinine_mg_dl": 0.5,    # exactly 500 mL/min
         "collection_hours": 24.0},
    ],
    "tnm_stage": [
        CALCULATOR_EXAMPLES["tnm_stage"],
        {"site": "pancreas", "tumour_size_cm": staging.PANCREAS_T1_BELOW_CM, "invasion": "confined_to_pancreas",
         "n_category": "N0", "m_category": "M0"},                                      # exactly 2 cm: T2
        {"site": "colon_rectum", "tumour_size_cm": staging.COLORECTAL_T1A_BELOW_CM,     # exactly 1 cm: T1b
         "invasion": "lamina_propria_or_submucosa", "n_category": "N1", "m_category": "M0"},
    ],
    "milan_net": [
        CALCULATOR_EXAMPLES["milan_net"],
        {**CALCULATOR_EXAMPLES["milan_net"],                                            # every limit, exactly
         "liver_involvement_percent": staging.MILAN_NET_LIVER_INVOLVEMENT_MAXIMUM_PERCENT,
         "stable_disease_months": staging.MILAN_NET_STABLE_DISEASE_MINIMUM_MONTHS,
         "age_years": staging.MILAN_NET_MAXIMUM_AGE_YEARS},
        {**CALCULATOR_EXAMPLES["milan_net"], "liver_involvement_percent": 51.0},        # just above 50 %
    ],
    "recist_response": [
        CALCULATOR_EXAMPLES["recist_response"],
        {"baseline_sum_mm": 80.0, "nadir_sum_mm": 50.0, "current_sum_mm": 60.0, **_STABLE_TARGETS},  # +20 %, +10 mm
        {"baseline_sum_mm": 100.0, "nadir_sum_mm": 70.0, "current_sum_mm": 70.0,                      # exactly -30 %
         **_STABLE_TARGETS, "non_target_status": "none_at_baseline"},
        {"baseline_sum_mm": 100.0, "nadir_sum_mm": 71.0, "current_sum_mm": 71.0, **_STABLE_TARGETS,
         "new_lesions": True},
    ],
    "tumour_growth_rate": [
        CALCULATOR_EXAMPLES["tumour_growth_rate"],
        {"sum_diameters_baseline_mm": 50.0, "sum_diameters_current_mm": 50.0,             # window edge, 2 months
         "interval_months": response.TGR_WINDOW_FROM_MONTHS},
        {"sum_diameters_baseline_mm": 40.0, "sum_diameters_current_mm": 60.0,             # shortest interval
         "interval_months": response.INTERVAL_MINIMUM_MONTHS},
    ],
    "doubling_time": [
        CALCULATOR_EXAMPLES["doubling_time"],
        {"sum_diameters_baseline_mm": 50.0, "sum_diameters_current_mm": 50.0, "interval_months": 6.0},  # no growth
        {"sum_diameters_baseline_mm": 60.0, "sum_diameters_current_mm": 40.0,                            # longest
         "interval_months": response.INTERVAL_MAXIMUM_MONTHS},
    ],
    "netpet_score": [
        CALCULATOR_EXAMPLES["netpet_score"],
        {"sstr_avid_disease": True, "fdg_avid_disease": False},                               # P1
        {"sstr_avid_disease": True, "fdg_avid_disease": True, "fdg_avid_lesion_without_sstr_uptake": True},  # P5
    ],
    "gastric_net_type": [
        CALCULATOR_EXAMPLES["gastric_net_type"],                                           # type 1
        {"gastrin_elevated": True, "atrophic_gastritis": False, "gastrinoma": True},        # type 2
        {"gastrin_elevated": False, "atrophic_gastritis": False},                           # type 3
    ],
    "capd_score": [
        CALCULATOR_EXAMPLES["capd_score"],
        {**{k: "always" for k in ("eye_contact", "purposeful_actions", "aware_of_surroundings",
                                  "communicates_needs")},
         **{k: "never" for k in ("restless", "inconsolable", "underactive", "slow_to_respond")}},  # 0
        {**{k: "never" for k in ("eye_contact", "purposeful_actions", "aware_of_surroundings",
                                 "communicates_needs")},
         **{k: "always" for k in ("restless", "inconsolable", "underactive", "slow_to_respond")}},  # 32
    ],
    "crs_grade": [
        CALCULATOR_EXAMPLES["crs_grade"],
        {**_NO_CRS, "temperature_c": cart.FEVER_THRESHOLD_C},                           # ASTCT: 38.0 °C is fever
        _NO_CRS,                                                                        # 37.9 °C: no CRS
        {**_NO_CRS, "temperature_c": 39.0, "hypotension": True,
         "vasopressors_excluding_vasopressin": cart.MULTIPLE_VASOPRESSORS,              # two pressors: grade 4
         "oxygen_support": "low_flow_nasal_cannula", "oxygen_flow_l_min": cart.LOW_FLOW_MAXIMUM_L_MIN},
    ],
    "ice_score": [
        CALCULATOR_EXAMPLES["ice_score"],
        {"orientation_points": 4, "naming_points": 3, "commands_points": 0, "writing_points": 0,  # exactly 7
         "attention_points": 0},
        {"orientation_points": 2, "naming_points": 1, "commands_points": 0, "writing_points": 0,  # exactly 3
         "attention_points": 0},
        {"orientation_points": cart.ICE_ORIENTATION_MAXIMUM, "naming_points": cart.ICE_NAMING_MAXIMUM,
         "commands_points": 1, "writing_points": 1, "attention_points": 1},
    ],
    "icans_grade": [
        CALCULATOR_EXAMPLES["icans_grade"],
        {**_AWAKE, "age_years": cart.ICE_MINIMUM_AGE_YEARS, "ice_score": cart.ICE_GRADE_1_FROM},  # 12 years, ICE 7
        {**_AWAKE, "ice_score": cart.ICE_GRADE_2_FROM, "consciousness": "awakens_to_voice"},      # ICE exactly 3
        {**_AWAKE, "consciousness": "unarousable"},                                               # ICE not scorable
    ],
}

# (form, values as typed, the field netlib must name, why)
BAD_INPUT = [
    ("who_gep_grade", {"differentiation": "well", "ki67_percent": "120"}, "ki67_percent", "above 100 %"),
    ("who_gep_grade", {"differentiation": "well", "ki67_percent": "3,5"}, "ki67_percent", "not a number"),
    ("who_gep_grade", {"differentiation": "", "ki67_percent": "5"}, "differentiation", "required choice left empty"),
    ("ki67_index", {"positive_cells": "600", "total_cells": "500"}, "positive_cells", "more positive than counted"),
    ("recist_response", {"baseline_sum_mm": "80", "nadir_sum_mm": "90", "current_sum_mm": "74",
                         "target_lesions_disappeared": "no", "new_lesions": "no", "non_target_status": "non_cr_non_pd"},
     "nadir_sum_mm", "nadir above baseline"),
    ("patient", {"karnofsky_percent": "85"}, "karnofsky_percent", "Karnofsky is scored in steps of 10"),
]


def _as_typed(value) -> str:
    """What a reader types or picks for a Python value ("" leaves a field not given)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _schema(form: str) -> dict:
    return SCHEMAS["patient"] if form == "patient" else SCHEMAS["calculators"][form]


def _text(locator) -> str:
    return " ".join(locator.inner_text().split())


class LivePage:
    """A chapter opened once, with Pyodide started and every live form ready."""

    def __init__(self, browser, origin: str, path: str):
        self.path = path
        self.visit = Visit(browser, f"{origin}/{path}")
        page = self.visit.page
        holders = page.locator(".netlib-live")
        assert holders.count() == len(LIVE_PAGES[path])
        holders.first.scroll_into_view_if_needed()  # the forms start when they come near the screen
        page.wait_for_function(
            "n => document.querySelectorAll('.netlib-live[data-state=ready][data-busy=false]').length === n",
            arg=holders.count(), timeout=READY_TIMEOUT_MS)
        # What each form shows before anyone types: the notebook's starting values.
        self.first_headlines = [_text(holders.nth(i).locator(".netlib-live-result .netlib-headline"))
                                for i in range(holders.count())]
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / ("live__" + Path(path).stem + ".png")), full_page=True)

    def holder(self, form: str):
        selector = '.netlib-live[data-pathway]' if form == "patient" else f'.netlib-live[data-calculator="{form}"]'
        return self.visit.page.locator(selector).first

    def fill(self, form: str, values: dict[str, str]):
        """Type every field of the form (fields not in ``values`` are emptied), then wait for the answer."""
        holder = self.holder(form)
        schema = _schema(form)
        holder.evaluate("h => h.querySelectorAll('details.netlib-live-group').forEach(d => { d.open = true; })")
        for name in schema["x-order"]:
            control = holder.locator(f'[name="{name}"]')
            text = values.get(name, "")
            if control.count() == 0:
                # One box for two units of one quantity: choose this field's unit, then type.
                if not text:
                    continue
                holder.locator(f'select.netlib-live-unit-choice:has(option[value="{name}"])').select_option(value=name)
                control = holder.locator(f'[name="{name}"]')
            if "enum" in schema["properties"][name] or schema["properties"][name]["type"] == "boolean":
                control.select_option(value=text)
            else:
                control.fill(text)
        self.visit.page.wait_for_function("h => h.dataset.busy === 'false'", arg=holder.element_handle(),
                                          timeout=ANSWER_TIMEOUT_MS)
        assert "Traceback" not in holder.inner_text()
        return holder


@pytest.fixture(scope="module")
def live(browser, origin):
    opened: dict[str, LivePage] = {}

    def open_page(path: str) -> LivePage:
        if path not in opened:
            opened[path] = LivePage(browser, origin, path)
        return opened[path]

    yield open_page
    for page in opened.values():
        page.visit.close()


# --- The forms ---------------------------------------------------------------------------------

def test_a_form_outputs_the_widget_for_jupyter_and_the_placeholder_for_the_site():
    """Jupyter renders the widget view (its renderer ranks first); the site prefers text/html."""
    from html import unescape

    from netlib.widgets import CalculatorForm, PatientForm

    values = {"differentiation": "well", "ki67_percent": grading.KI67_G2_FROM_PERCENT}
    bundle = CalculatorForm("who_gep_grade", **values)._repr_mimebundle_()
    assert "model_id" in bundle["application/vnd.jupyter.widget-view+json"]
    placeholder = re.fullmatch(r'<div class="netlib-live" data-calculator="who_gep_grade" '
                               r'data-initial="([^"]*)">.*</div>', bundle["text/html"], re.DOTALL)
    assert placeholder and json.loads(unescape(placeholder.group(1))) == values
    patient = PATIENT_EXAMPLES["progressive-midgut-on-ssa"]
    bundle = PatientForm(**patient)._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    initial = re.search(r'data-pathway="recommend" data-initial="([^"]*)"', bundle["text/html"])
    assert initial and json.loads(unescape(initial.group(1))) == patient


def test_every_calculator_has_a_live_form_and_cases():
    assert set(CASES) == set(netlib.calculators.list_ids())
    for calculator_id, cases in CASES.items():
        assert len(cases) >= 3, calculator_id
        _page_of(calculator_id)
    _page_of("patient")


@pytest.mark.parametrize("path", sorted(LIVE_PAGES))
def test_forms_start_from_the_notebooks_values(path, live):
    """Before anyone types, each form shows what netlib computes for the notebook's starting values."""
    page = live(path)
    holders = page.visit.page.locator(".netlib-live")
    for index, form in enumerate(LIVE_PAGES[path]):
        initial = json.loads(holders.nth(index).get_attribute("data-initial"))
        if form == "patient":
            expected = f"Pathway: {recommend(initial).as_dict()['pathway']}"
        else:
            expected = netlib.calculators.get(form).evaluate(initial).headline()
        assert page.first_headlines[index] == expected, f"{path}, form {index} ({form})"


@pytest.mark.parametrize("calculator_id, case", [(c, case) for c, cases in CASES.items() for case in cases],
                         ids=[f"{c}-{i}" for c, cases in CASES.items() for i in range(len(cases))])
def test_live_form_shows_what_netlib_computes(calculator_id, case, live):
    expected = netlib.calculators.get(calculator_id).evaluate(case)
    page = live(_page_of(calculator_id))
    holder = page.fill(calculator_id, {name: _as_typed(value) for name, value in case.items()})
    headline = _text(holder.locator(".netlib-live-result .netlib-headline"))
    assert headline == expected.headline()
    if expected.category is not None:
        assert expected.category in headline
    # The page shows netlib's sentences in the reader's words (a field id that slipped in becomes its label).
    plain = bridge._plain_result(expected.as_dict(), _schema(calculator_id))
    assert _text(holder.locator(".netlib-live-interpretation")) == " ".join(plain["interpretation"].split())
    warnings = [" ".join(w.split()).removeprefix("\u26a0 ") for w in
                holder.locator(".netlib-live-warnings li").all_inner_texts()]
    assert warnings == [" ".join(w.split()) for w in plain["warnings"]]
    assert holder.locator(".netlib-live-invalid").count() == 0


@pytest.mark.parametrize("form, typed, field, why", BAD_INPUT, ids=[f"{b[0]}-{b[2]}" for b in BAD_INPUT])
def test_bad_input_is_shown_next_to_its_field(form, typed, field, why, live):
    page = live(_page_of(form))
    holder = page.fill(form, typed)
    if form == "patient":
        answer = json.loads(bridge.recommend(json.dumps(typed)))
    else:
        answer = json.loads(bridge.calculate(form, json.dumps(typed)))
    # A calculator gives no result until the field is corrected; the patient form sets the field aside.
    assert answer["ok"] is (form == "patient") and answer["error"]["field"] == field, (why, answer)
    invalid = holder.locator(".netlib-live-invalid")
    assert invalid.count() == 1, why
    assert invalid.get_attribute("data-field") == field, why
    message = _text(invalid.locator(".netlib-live-error"))
    assert message == "\u26a0 " + " ".join(answer["error"]["message"].split())
    assert invalid.locator(f'[name="{field}"]').get_attribute("aria-invalid") == "true"
    assert "Check the highlighted field" in _text(holder.locator(".netlib-live-result"))
    assert answer["error"]["label"] in _text(holder.locator(".netlib-live-errors")), "the result names the field"
    if form == "patient":
        # The field is set aside and the rest of the recommendation stays.
        assert holder.locator(".netlib-live-result .netlib-headline").count() == 1
    else:
        assert holder.locator(".netlib-live-result .netlib-headline").count() == 0


def test_correcting_the_input_clears_the_error(live):
    page = live(_page_of("who_gep_grade"))
    holder = page.fill("who_gep_grade", {"differentiation": "well", "ki67_percent": "120"})
    assert holder.locator(".netlib-live-invalid").count() == 1
    holder.locator('[name="ki67_percent"]').fill("12")
    page.visit.page.wait_for_function("h => h.dataset.busy === 'false'", arg=holder.element_handle())
    assert holder.locator(".netlib-live-invalid").count() == 0
    assert _text(holder.locator(".netlib-headline")) == netlib.calculators.get("who_gep_grade").evaluate(
        {"differentiation": "well", "ki67_percent": 12.0}).headline()


# --- The decision algorithm --------------------------------------------------------------------

@pytest.mark.parametrize("scenario", sorted(PATIENT_EXAMPLES))
def test_algorithm_page_recommends_what_recommend_returns(scenario, live):
    patient = PATIENT_EXAMPLES[scenario]
    expected = recommend(patient).as_dict()
    page = live(_page_of("patient"))
    holder = page.fill("patient", {name: _as_typed(value) for name, value in patient.items()})
    options = holder.locator(".netlib-live-options > li")
    shown = [(options.nth(i).get_attribute("data-option"), options.nth(i).get_attribute("data-tier"))
             for i in range(options.count())]
    assert shown == [(r["option"], r["tier"]) for r in expected["recommendations"]]
    assert [_text(options.nth(i).locator(".netlib-live-tier")) for i in range(options.count())] == [
        r["tier"] for r in expected["recommendations"]]
    assert holder.locator(".netlib-live-option-name").all_inner_texts() == [
        r["name"] for r in expected["recommendations"]]
    excluded = holder.locator(".netlib-live-excluded > li")
    assert [excluded.nth(i).get_attribute("data-option") for i in range(excluded.count())] == [
        e["option"] for e in expected["excluded"]]
    assert " ".join(expected["car_t"]["position"].split()) in _text(holder.locator(".netlib-live-car-t"))
    trace = holder.locator(".netlib-live-trace tbody tr")
    assert trace.count() == len(expected["trace"])
    # The trace sits in a closed <details>: read its text, not its rendering.
    assert holder.locator(".netlib-live-trace tr.netlib-live-fired td:first-child").all_text_contents() == [
        step["rule_id"] for step in expected["trace"] if step["fired"]]


# --- Offline, quiet, and honest about file:// -----------------------------------------------------

@pytest.mark.parametrize("path", sorted(LIVE_PAGES))
def test_live_pages_stay_on_the_origin_without_console_errors(path, live, origin):
    visit = live(path).visit
    assert not visit.outside(origin), f"{path} requested other hosts: {visit.outside(origin)}"
    assert not visit.failures, f"{path}: failed requests: {visit.failures}"
    assert not visit.errors, f"{path}: console errors: {visit.errors}"
    assert any("/_static/live/pyodide/pyodide.asm.wasm" in url for url in visit.requests)


def test_a_page_opened_from_a_file_says_how_to_serve_the_site(browser):
    path = _page_of("who_gep_grade")
    context = browser.new_context()
    try:
        page = context.new_page()
        requests = []
        context.on("request", lambda r: requests.append(r.url))
        page.goto((HTML / path).as_uri(), wait_until="load")
        holders = page.locator(".netlib-live")
        page.wait_for_function("n => document.querySelectorAll('.netlib-live[data-state=file]').length === n",
                               arg=holders.count(), timeout=15_000)
        message = _text(holders.first)
        assert ".venv/bin/python -m http.server -d _build/html 8000" in message
        assert f"http://127.0.0.1:8000/{path}" in message
        assert not [url for url in requests if "pyodide" in url or "netlib-worker" in url]
    finally:
        context.close()


# --- As clinicians use it: plain words, units, tones, copying, phones, keyboard ---------------------

PHONE = {"width": 390, "height": 844}


def _field_ids(form: str) -> list[str]:
    """Field ids a reader must never see: the ones that are not plain words."""
    return [name for name in _schema(form)["properties"] if "_" in name]


def _assert_no_field_ids(holder, form: str) -> None:
    shown = holder.locator(".netlib-live-result").inner_text() + " " + " ".join(
        holder.locator(".netlib-live-error").all_inner_texts())
    leaked = [name for name in _field_ids(form) if re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", shown)]
    assert not leaked, f"{form}: field ids on the page: {leaked}"


# (form, values as typed, field, words the message must contain)
PLAIN_MESSAGES = [
    ("who_gep_grade", {"differentiation": "well", "ki67_percent": "120"}, "ki67_percent", ["Ki-67", "120"]),
    ("who_gep_grade", {"differentiation": "well", "ki67_percent": "3,5"}, "ki67_percent", ["use a point", "3.5"]),
    ("who_gep_grade", {"differentiation": "", "ki67_percent": "5"}, "differentiation", ["is required"]),
    ("ki67_index", {"positive_cells": "1,000", "total_cells": "2000"}, "positive_cells", ["without separators"]),
    ("cockcroft_gault", {"age_years": "60", "weight_kg": "70", "sex": "male", "creatinine_mg_dl": "88"},
     "creatinine_mg_dl", ["µmol/L", "mg/dL"]),
]


@pytest.mark.parametrize("form, typed, field, words", PLAIN_MESSAGES, ids=[f"{m[0]}-{m[2]}" for m in PLAIN_MESSAGES])
def test_messages_speak_the_label_and_unit_not_the_id(form, typed, field, words, live):
    page = live(_page_of(form))
    holder = page.fill(form, typed)
    label = _schema(form)["properties"][field]["title"]
    message = _text(holder.locator(f'.netlib-live-invalid[data-field="{field}"] .netlib-live-error'))
    assert label in message, message
    for word in words:
        assert word in message, (word, message)
    _assert_no_field_ids(holder, form)


@pytest.mark.parametrize("form", sorted({form for forms in LIVE_PAGES.values() for form in forms}))
def test_results_never_show_a_field_id(form, live):
    """The starting result of every form, and its sentences, in the reader's words."""
    page = live(_page_of(form))
    _assert_no_field_ids(page.holder(form), form)


def test_a_quantity_in_two_units_is_one_box_with_a_unit_choice(live):
    page = live(_page_of("cockcroft_gault"))
    holder = page.holder("cockcroft_gault")
    units = holder.locator("select.netlib-live-unit-choice")
    assert units.count() == 1 and units.locator("option").count() == 2
    case = {"age_years": 60, "weight_kg": 70.0, "sex": "male", "creatinine_umol_l": 88.4}
    holder = page.fill("cockcroft_gault", {k: _as_typed(v) for k, v in case.items()})
    expected = netlib.calculators.get("cockcroft_gault").evaluate(case).headline()
    assert _text(holder.locator(".netlib-headline")) == expected


@pytest.mark.parametrize("calculator_id, case, tone", [
    ("crs_grade", {**_NO_CRS, "temperature_c": 39.0, "hypotension": True,
                   "vasopressors_excluding_vasopressin": cart.MULTIPLE_VASOPRESSORS,
                   "oxygen_support": "low_flow_nasal_cannula", "oxygen_flow_l_min": cart.LOW_FLOW_MAXIMUM_L_MIN}, "bad"),
    ("crs_grade", _NO_CRS, "good"),
    ("prrt_eligibility", _ON_SSA, None),
    ("prrt_eligibility", {**_ON_SSA, "ki67_percent": 20.1}, None),
])
def test_results_carry_their_severity_in_colour_and_words(calculator_id, case, tone, live):
    expected = json.loads(bridge.calculate(calculator_id, json.dumps(case)))
    severity = expected["severity"]
    if tone is not None:
        assert severity["tone"] == tone
    page = live(_page_of(calculator_id))
    holder = page.fill(calculator_id, {k: _as_typed(v) for k, v in case.items()})
    result = holder.locator(".netlib-live-result")
    assert result.get_attribute("data-tone") == severity["tone"]
    words = _text(holder.locator(".netlib-live-tone-text"))
    assert {"good": "favourable", "bad": "unfavourable", "caution": "caution", "neutral": "no grade"}[
        severity["tone"]] in words
    if severity["rank"]:
        assert f"step {severity['rank']} of {severity['of']}" in words
        assert _text(holder.locator(".netlib-live-step-current")) == expected["result"]["category"]
    colour = result.evaluate("e => getComputedStyle(e).borderLeftColor")
    assert colour != "rgb(31, 95, 139)" or severity["tone"] == "neutral", "the tone has no colour of its own"


def test_eligible_and_not_eligible_look_different(live):
    page = live(_page_of("prrt_eligibility"))
    tones = []
    for case in (_ON_SSA, {**_ON_SSA, "ki67_percent": 20.1}):
        holder = page.fill("prrt_eligibility", {k: _as_typed(v) for k, v in case.items()})
        result = holder.locator(".netlib-live-result")
        tones.append((result.get_attribute("data-tone"), result.evaluate("e => getComputedStyle(e).backgroundColor"),
                      _text(holder.locator(".netlib-live-tone-text"))))
    assert len(set(tones)) == 2 and tones[0][1] != tones[1][1] and tones[0][2] != tones[1][2], tones


def test_sources_are_named_like_a_reference_and_link_to_the_bibliography(live):
    page = live(_page_of("who_gep_grade"))
    page.fill("who_gep_grade", {"differentiation": "well", "ki67_percent": "12"})
    links = page.holder("who_gep_grade").locator(".netlib-live-sources a")
    assert links.count() >= 1
    for i in range(links.count()):
        key = links.nth(i).get_attribute("data-key")
        text = _text(links.nth(i))
        assert text != key and re.search(r"[A-Z][a-z]+.*\d{4}", text), (key, text)
        assert links.nth(i).get_attribute("href").endswith("#cite-" + re.sub(r"[^a-z0-9]+", "-", key.lower()))


def test_copy_result_puts_a_plain_summary_on_the_clipboard(browser, origin):
    from netlib import __version__

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
    try:
        page = context.new_page()
        path = _page_of("who_gep_grade")
        page.goto(f"{origin}/{path}#live-who-gep-grade", wait_until="load")
        holder = page.locator('.netlib-live[data-calculator="who_gep_grade"]').first
        page.wait_for_function("h => h.dataset.state === 'ready' && h.dataset.busy === 'false'",
                               arg=holder.element_handle(), timeout=READY_TIMEOUT_MS)
        holder.get_by_role("button", name="Copy result").click()
        page.wait_for_function("h => h.querySelector('.netlib-live-copy-status').textContent === 'Copied.'",
                               arg=holder.element_handle())
        text = page.evaluate("navigator.clipboard.readText()")
        initial = json.loads(holder.get_attribute("data-initial"))
        headline = netlib.calculators.get("who_gep_grade").evaluate(initial).headline()
        assert headline in text and "Ki-67" in text and f"netlib {__version__}" in text
        assert re.search(r"\d{4}-\d{2}-\d{2}", text)
        assert "ki67_percent" not in text
    finally:
        context.close()


def _edit_and_check_result_in_view(page, holder, field: str, value: str):
    control = holder.locator(f'[name="{field}"]')
    control.scroll_into_view_if_needed()
    control.fill(value)
    page.wait_for_function("h => h.dataset.busy === 'false'", arg=holder.element_handle(), timeout=ANSWER_TIMEOUT_MS)
    page.wait_for_timeout(300)  # the result bar follows the scroll position
    in_view = holder.evaluate("""h => {
        const v = window.innerHeight, box = e => e && e.getBoundingClientRect();
        const headline = box(h.querySelector('.netlib-live-result .netlib-headline'));
        const bar = h.querySelector('.netlib-live-bar');
        const barBox = bar && !bar.hidden ? box(bar) : null;
        return {headline: !!headline && headline.top >= 0 && headline.bottom <= v,
                bar: !!barBox && barBox.top >= 0 && barBox.bottom <= v + 1 ? bar.innerText : ''};
    }""")
    return in_view


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("form, field, value", [("who_gep_grade", "ki67_percent", "25"),
                                                ("patient", "karnofsky_percent", "70")])
def test_the_result_is_in_view_after_an_edit(form, field, value, viewport, browser, origin):
    context = browser.new_context(viewport=viewport, is_mobile=viewport is PHONE, has_touch=viewport is PHONE)
    try:
        page = context.new_page()
        path = _page_of(form)
        anchor = "live-patient" if form == "patient" else "live-" + form.replace("_", "-")
        page.goto(f"{origin}/{path}#{anchor}", wait_until="load")
        selector = '.netlib-live[data-pathway]' if form == "patient" else f'.netlib-live[data-calculator="{form}"]'
        holder = page.locator(selector).first
        page.wait_for_function("h => h.dataset.state === 'ready' && h.dataset.busy === 'false'",
                               arg=holder.element_handle(), timeout=READY_TIMEOUT_MS)
        holder.evaluate("h => h.querySelectorAll('details.netlib-live-group').forEach(d => { d.open = true; })")
        seen = _edit_and_check_result_in_view(page, holder, field, value)
        headline = _text(holder.locator(".netlib-live-result .netlib-headline"))
        assert seen["headline"] or headline in " ".join(seen["bar"].split()), (viewport, seen, headline)
        if viewport is PHONE and not seen["headline"]:
            holder.locator(".netlib-live-bar a").click()
            page.wait_for_timeout(300)
            assert holder.evaluate("h => { const r = h.querySelector('.netlib-headline').getBoundingClientRect();"
                                   " return r.top >= 0 && r.top < window.innerHeight; }")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"in-view__{form}__{viewport['width']}.png"))
    finally:
        context.close()


def test_the_patient_form_is_grouped_and_opens_what_is_given(browser, origin):
    page = LivePage(browser, origin, _page_of("patient"))  # as the page opens, before anyone types
    holder = page.holder("patient")
    groups = holder.locator("details.netlib-live-group")
    assert groups.count() >= 4
    initial = json.loads(holder.get_attribute("data-initial"))
    required = set(_schema("patient").get("required", []))
    for group in _schema("patient")["x-groups"]:
        needed = any(initial.get(name) not in (None, "") or name in required for name in group["fields"])
        shown = holder.locator(f'details.netlib-live-group[data-group="{group["title"]}"]')
        assert shown.count() == 1, group["title"]
        assert shown.evaluate("d => d.open") is needed, f'{group["title"]}: open should be {needed}'
    # An empty form opens only what the rules need (the required fields).
    empty = [g for g in _schema("patient")["x-groups"] if not required.intersection(g["fields"])]
    assert empty, "every group holds a required field"
    # Order: the groups keep the schema's order inside each group.
    order = _schema("patient")["x-order"]
    shown = holder.locator(".netlib-live-field").evaluate_all("rows => rows.map(r => r.dataset.field)")
    for group in _schema("patient").get("x-groups", []):
        inside = [name for name in shown if name in group["fields"]]
        assert inside == sorted(inside, key=order.index)
    page.visit.close()


def test_one_bad_patient_field_keeps_the_rest_of_the_recommendation(live):
    patient = dict(PATIENT_EXAMPLES["progressive-midgut-on-ssa"])
    typed = {name: _as_typed(value) for name, value in patient.items()}
    typed["karnofsky_percent"] = "85"
    page = live(_page_of("patient"))
    holder = page.fill("patient", typed)
    without = {k: v for k, v in patient.items() if k != "karnofsky_percent"}
    expected = recommend(without).as_dict()
    options = holder.locator(".netlib-live-options > li")
    assert [options.nth(i).get_attribute("data-option") for i in range(options.count())] == [
        r["option"] for r in expected["recommendations"]]
    label = _schema("patient")["properties"]["karnofsky_percent"]["title"]
    assert label in _text(holder.locator(".netlib-live-errors"))
    _assert_no_field_ids(holder, "patient")


def test_the_flowchart_lights_up_the_patients_path(live):
    patient = PATIENT_EXAMPLES["progressive-midgut-on-ssa"]
    page = live(_page_of("patient"))
    page.fill("patient", {name: _as_typed(value) for name, value in patient.items()})
    fired = {step["rule_id"] for step in recommend(patient).as_dict()["trace"] if step["fired"]}
    lit = page.visit.page.locator(".netlib-chart g.node.netlib-on-path").evaluate_all(
        "nodes => nodes.map(n => n.dataset.rules.split(' '))")
    assert lit and all(fired.intersection(rules) for rules in lit)
    boxes = page.visit.page.locator(".netlib-chart g.node[data-rules]").evaluate_all(
        "nodes => nodes.map(n => n.dataset.rules.split(' '))")
    assert len(lit) == sum(1 for rules in boxes if fired.intersection(rules))


def test_a_calculator_works_from_the_keyboard_alone(browser, origin):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
    try:
        page = context.new_page()
        path = _page_of("who_gep_grade")
        page.goto(f"{origin}/{path}#live-who-gep-grade", wait_until="load")
        holder = page.locator('.netlib-live[data-calculator="who_gep_grade"]').first
        page.wait_for_function("h => h.dataset.state === 'ready' && h.dataset.busy === 'false'",
                               arg=holder.element_handle(), timeout=READY_TIMEOUT_MS)
        inside = "h => h.contains(document.activeElement)"
        for _ in range(400):
            page.keyboard.press("Tab")
            if holder.evaluate(inside):
                break
        assert holder.evaluate(inside), "Tab never reaches the form"
        while holder.evaluate("h => document.activeElement.name") != "ki67_percent":
            page.keyboard.press("Tab")
            assert holder.evaluate(inside)
        page.keyboard.press("Control+A")
        page.keyboard.type("25")
        page.wait_for_function("h => h.dataset.busy === 'false'", arg=holder.element_handle())
        expected = netlib.calculators.get("who_gep_grade").evaluate({**json.loads(holder.get_attribute("data-initial")),
                                                                     "ki67_percent": 25.0}).headline()
        assert _text(holder.locator(".netlib-headline")) == expected
        for _ in range(40):
            page.keyboard.press("Tab")
            if holder.evaluate("h => document.activeElement.classList.contains('netlib-live-copy')"):
                break
        assert holder.evaluate("h => document.activeElement.classList.contains('netlib-live-copy')")
        outline = holder.evaluate("h => getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none", "no focus ring on the button"
        page.keyboard.press("Enter")
        page.wait_for_function("h => h.querySelector('.netlib-live-copy-status').textContent === 'Copied.'",
                               arg=holder.element_handle())
    finally:
        context.close()


def test_field_groups_open_and_close_from_the_keyboard(live):
    page = live(_page_of("patient"))
    holder = page.holder("patient")
    closed = holder.locator("details.netlib-live-group > summary").last
    closed.evaluate("s => { s.parentElement.open = false; }")
    closed.focus()
    page.visit.page.keyboard.press("Enter")
    assert closed.evaluate("s => s.parentElement.open")
    page.visit.page.keyboard.press("Space")
    assert not closed.evaluate("s => s.parentElement.open")


@pytest.mark.parametrize("path", sorted(LIVE_PAGES))
def test_live_pages_have_no_serious_accessibility_violations(path, live):
    from test_site import axe_violations

    violations = axe_violations(live(path).visit.page)
    assert not violations, f"{path}: {violations}"
