"""The notebook forms (netlib.widgets): numbers read by the declarations, every keystroke, errors named."""

from __future__ import annotations

import pytest

pytest.importorskip("ipywidgets")

from netlib import grading  # noqa: E402
from netlib.inputs import InputError  # noqa: E402
from netlib.registry import get  # noqa: E402
from netlib.widgets import CalculatorForm, PatientForm  # noqa: E402


def _type(form, name: str, text: str) -> None:
    """What the browser sends for one keystroke: the box's whole text."""
    form.controls[name].control.value = text


def test_every_keystroke_that_forms_a_valid_value_recomputes():
    form = CalculatorForm("who_gep_grade", differentiation="well", ki67_percent=25)
    assert form.result.category == "NET G3"
    _type(form, "ki67_percent", "1")  # the reader deleted "25" and typed 1: no Enter, no Tab
    assert form.result.category == "NET G1"
    assert "NET G1" in form.result_area.value


@pytest.mark.parametrize("text", ["3,5", "12O", "1e400", "nan"])
def test_a_value_netlib_refuses_is_never_misread(text):
    form = CalculatorForm("who_gep_grade", differentiation="well", ki67_percent=25)
    _type(form, "ki67_percent", text)
    with pytest.raises(InputError) as refused:
        get("who_gep_grade").form.by_name["ki67_percent"].validate(text)
    assert form.result is None  # no stale "NET G3" beside the new text
    area, beside = form.result_area.value, form.controls["ki67_percent"].error.value
    assert "Result pending" in area and "Ki-67" in area
    from html import unescape
    assert str(refused.value) in unescape(beside)
    assert form.controls["ki67_percent"].row.layout.border.endswith("#b00020")


def test_an_empty_number_box_means_not_given():
    form = CalculatorForm("who_gep_grade", differentiation="well", ki67_percent=4.5, mitoses_per_2mm2=1)
    _type(form, "mitoses_per_2mm2", "")
    assert form.values()["mitoses_per_2mm2"] is None
    assert form.result.category == get("who_gep_grade")(differentiation="well", ki67_percent=4.5).category


def test_starting_numbers_show_as_typed():
    form = CalculatorForm("who_gep_grade", differentiation="well", ki67_percent=grading.KI67_G2_FROM_PERCENT)
    assert form.controls["ki67_percent"].control.value == f"{grading.KI67_G2_FROM_PERCENT:g}"


def test_the_decision_form_names_and_outlines_the_field_in_error():
    form = PatientForm(ki67_percent=150)
    label = form.controls["ki67_percent"].field.label
    assert f"Check {label}" in form.result_area.value
    assert form.controls["ki67_percent"].row.layout.border.endswith("#b00020")
    _type(form, "ki67_percent", "15")
    assert form.result is not None
    assert not form.controls["ki67_percent"].row.layout.border.endswith("#b00020")
