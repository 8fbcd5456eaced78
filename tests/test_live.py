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
        forms = re.findall(r'<div class="netlib-live" data-(?:calculator="(\w+)"|(pathway)=)',
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
        for name in schema["x-order"]:
            control = holder.locator(f'[name="{name}"]')
            text = values.get(name, "")
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
    assert _text(holder.locator(".netlib-live-interpretation")) == " ".join(expected.interpretation.split())
    warnings = [" ".join(w.split()).removeprefix("\u26a0 ") for w in
                holder.locator(".netlib-live-warnings li").all_inner_texts()]
    assert warnings == [" ".join(w.split()) for w in expected.warnings]
    assert holder.locator(".netlib-live-invalid").count() == 0


@pytest.mark.parametrize("form, typed, field, why", BAD_INPUT, ids=[f"{b[0]}-{b[2]}" for b in BAD_INPUT])
def test_bad_input_is_shown_next_to_its_field(form, typed, field, why, live):
    page = live(_page_of(form))
    holder = page.fill(form, typed)
    if form == "patient":
        answer = json.loads(bridge.recommend(json.dumps(typed)))
    else:
        answer = json.loads(bridge.calculate(form, json.dumps(typed)))
    assert answer["ok"] is False and answer["error"]["field"] == field, (why, answer)
    invalid = holder.locator(".netlib-live-invalid")
    assert invalid.count() == 1, why
    assert invalid.get_attribute("data-field") == field, why
    message = _text(invalid.locator(".netlib-live-error"))
    assert message == "\u26a0 " + " ".join(answer["error"]["message"].split())
    assert invalid.locator(f'[name="{field}"]').get_attribute("aria-invalid") == "true"
    assert "Check the highlighted field" in _text(holder.locator(".netlib-live-result"))
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
