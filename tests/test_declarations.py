"""Every calculator, every field: bad input always raises the one input error naming the field.

These tests are generated from the declarations themselves, so a new field is covered the
moment it is declared.
"""

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import netlib.calculators
from netlib import InputError
from netlib.examples import CALCULATOR_EXAMPLES

CALCULATORS = netlib.calculators.all_calculators()
IDS = [c.id for c in CALCULATORS]
FIELD_CASES = [(c.id, f.name) for c in CALCULATORS for f in c.fields]

EXPECTED_IDS = {
    "who_gep_grade", "ki67_index", "lung_carcinoid", "tumour_growth_rate", "doubling_time", "recist_response",
    "krenning_score", "cockcroft_gault", "ckd_epi_2021", "urine_creatinine_clearance", "prrt_eligibility",
    "tnm_stage", "milan_net", "crs_grade", "ice_score", "icans_grade", "netpet_score", "gastric_net_type",
    "capd_score",
}


def test_registry_has_the_expected_calculators():
    assert set(IDS) == EXPECTED_IDS
    assert len(IDS) == len(set(IDS))


def test_registry_attribute_access_matches_get():
    assert netlib.calculators.who_gep_grade is netlib.calculators.get("who_gep_grade")
    with pytest.raises(AttributeError):
        netlib.calculators.no_such_calculator  # noqa: B018


@pytest.mark.parametrize("calculator_id", IDS)
def test_example_gives_a_declared_result(calculator_id):
    calc = netlib.calculators.get(calculator_id)
    result = calc(**CALCULATOR_EXAMPLES[calculator_id])
    assert result.calculator == calculator_id
    assert result.category is None or result.category in calc.categories
    assert result.value is None or math.isfinite(result.value)
    assert result.interpretation
    assert result.citations
    json.dumps(result.as_dict())


@pytest.mark.parametrize("calculator_id", IDS)
def test_schema_is_json_and_mirrors_the_declaration(calculator_id):
    calc = netlib.calculators.get(calculator_id)
    schema = json.loads(json.dumps(calc.schema()))
    assert schema["type"] == "object" and schema["additionalProperties"] is False
    assert list(schema["properties"]) == [f.name for f in calc.fields]
    assert schema["required"] == [f.name for f in calc.fields if f.required]
    for field in calc.fields:
        prop = schema["properties"][field.name]
        assert prop["x-unit"] == field.unit
        assert prop["title"] == field.label
        if field.kind == "choice":
            assert prop["enum"] == list(field.choices)
        if field.minimum is not None:
            assert prop.get("minimum", prop.get("exclusiveMinimum")) == field.minimum


def _bad_values(field):
    """Values the field must refuse, each with the reason."""
    bad = [("list", [1]), ("dict", {"a": 1}), ("object", object())]
    if field.kind in ("number", "integer"):
        bad += [("nan", float("nan")), ("inf", float("inf")), ("-inf", float("-inf")), ("text", "abc"),
                ("bool", True)]
        if field.minimum is not None:
            bad.append(("below minimum", field.minimum - 1))
            if field.exclusive_minimum:
                bad.append(("at exclusive minimum", field.minimum))
        if field.maximum is not None:
            bad.append(("above maximum", field.maximum + 1))
            if field.exclusive_maximum:
                bad.append(("at exclusive maximum", field.maximum))
        if field.kind == "integer":
            bad.append(("fraction", (field.minimum or 0) + 0.5))
    elif field.kind == "choice":
        bad += [("unknown choice", "no-such-choice"), ("number", 3), ("case", field.choices[0].upper() + "_X")]
    elif field.kind == "boolean":
        bad += [("number", 2), ("word", "maybe")]
    return bad


@pytest.mark.parametrize("calculator_id,field_name", FIELD_CASES)
def test_bad_values_raise_input_error_naming_the_field(calculator_id, field_name):
    calc = netlib.calculators.get(calculator_id)
    field = calc.form.by_name[field_name]
    for reason, value in _bad_values(field):
        values = dict(CALCULATOR_EXAMPLES[calculator_id])
        values[field_name] = value
        with pytest.raises(InputError) as caught:
            calc(**values)
        assert caught.value.field == field_name, (reason, value, str(caught.value))
        assert field_name in str(caught.value)
        assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("calculator_id,field_name",
                         [(c.id, f.name) for c in CALCULATORS for f in c.fields if f.required])
def test_missing_required_field_is_named(calculator_id, field_name):
    calc = netlib.calculators.get(calculator_id)
    values = dict(CALCULATOR_EXAMPLES[calculator_id])
    values.pop(field_name, None)
    with pytest.raises(InputError) as caught:
        calc(**values)
    assert caught.value.field == field_name
    assert "required" in str(caught.value)


@pytest.mark.parametrize("calculator_id", IDS)
def test_unknown_field_is_refused_not_ignored(calculator_id):
    calc = netlib.calculators.get(calculator_id)
    with pytest.raises(InputError) as caught:
        calc(**CALCULATOR_EXAMPLES[calculator_id], not_a_field=1)
    assert caught.value.field == "not_a_field"


@st.composite
def _field_value(draw, field):
    """Any value a field accepts, in Python or as the text a form or CLI would send."""
    if field.kind == "choice":
        return draw(st.sampled_from(field.choices))
    if field.kind == "boolean":
        return draw(st.sampled_from([True, False, "yes", "no", "true", "false"]))
    low = field.minimum if field.minimum is not None else -1e6
    high = field.maximum if field.maximum is not None else 1e6
    if field.kind == "integer":
        value = draw(st.integers(int(math.ceil(low)) + field.exclusive_minimum,
                                 int(math.floor(high)) - field.exclusive_maximum))
    else:
        value = draw(st.floats(low, high, exclude_min=field.exclusive_minimum, exclude_max=field.exclusive_maximum,
                               allow_nan=False, allow_infinity=False))
    return draw(st.sampled_from([value, str(value)]))


@pytest.mark.parametrize("calculator_id,field_name", FIELD_CASES)
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_any_single_valid_value_is_accepted_or_refused_only_by_a_cross_field_rule(calculator_id, field_name, data):
    """Changing one field of a valid example to any value in its declared range never crashes: it gives a
    declared result, or an InputError from a cross-field rule that involves this field."""
    calc = netlib.calculators.get(calculator_id)
    field = calc.form.by_name[field_name]
    values = dict(CALCULATOR_EXAMPLES[calculator_id])
    values[field_name] = data.draw(_field_value(field))
    try:
        result = calc(**values)
    except InputError as error:
        rule_fields = {name for rule in calc.form.rules for name in rule.fields}
        assert field_name in rule_fields and error.field in rule_fields, str(error)
        return
    assert result.category is None or result.category in calc.categories
    assert result.value is None or math.isfinite(result.value)


# --- The compiled form validator agrees with the reference implementation -------------------------

def _outcome(validate, values):
    try:
        return "ok", validate(values)
    except InputError as error:
        return "error", (error.field, str(error))


@pytest.mark.parametrize("calculator_id", IDS)
def test_compiled_validator_matches_the_reference_on_good_and_bad_values(calculator_id):
    """Form.validate runs a generated function; Form._validate_slowly is the plain loop it replaces.
    Both give the same clean values (same types, same order) or the same error, for the example,
    every bad value of every field, every required field left out, and an unknown field."""
    form = netlib.calculators.get(calculator_id).form
    example = CALCULATOR_EXAMPLES[calculator_id]
    cases = [dict(example), {**example, "not_a_field": 1}]
    for field in form.fields:
        cases += [{**example, field.name: value} for _reason, value in _bad_values(field)]
        cases.append({k: v for k, v in example.items() if k != field.name})
        cases.append({**example, field.name: None})
    for values in cases:
        fast, slow = _outcome(form.validate, values), _outcome(form._validate_slowly, values)
        assert fast == slow, values
        if fast[0] == "ok":
            assert list(fast[1]) == list(slow[1])
            assert [type(v) for v in fast[1].values()] == [type(v) for v in slow[1].values()]


@pytest.mark.parametrize("calculator_id", IDS)
def test_compiled_validator_reads_each_value_into_its_own_field_whatever_the_order_given(calculator_id):
    """The generated validator reads every value back in the form's declaration order: values given in the
    reverse order, or as a mapping that is not a dict, land in their own fields, as the reference puts them."""
    from types import MappingProxyType

    form = netlib.calculators.get(calculator_id).form
    example = CALCULATOR_EXAMPLES[calculator_id]
    reverse = dict(reversed(list(example.items())))
    for values in (reverse, MappingProxyType(reverse)):
        fast, slow = _outcome(form.validate, values), _outcome(form._validate_slowly, values)
        assert fast == slow and fast[0] == "ok"
        assert list(fast[1]) == [field.name for field in form.fields]
        assert all(fast[1][name] == form.validate(dict(example))[name] for name in example)


@pytest.mark.parametrize("calculator_id,field_name", FIELD_CASES)
@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_compiled_validator_matches_the_reference_on_any_valid_value(calculator_id, field_name, data):
    form = netlib.calculators.get(calculator_id).form
    values = {**CALCULATOR_EXAMPLES[calculator_id], field_name: data.draw(_field_value(form.by_name[field_name]))}
    assert _outcome(form.validate, values) == _outcome(form._validate_slowly, values)


def test_fast_result_construction_equals_the_dataclass_constructor():
    from netlib.registry import Result, make_result

    made = make_result("x", value=1.5, unit="u", category="c", interpretation="i", warnings=["w"],
                       citations=("a",), details={"k": (1, 2)})
    assert made == Result("x", 1.5, "u", "c", "i", ("w",), ("a",), {"k": (1, 2)})
    assert type(made) is Result and made.details["k"] == (1, 2)
    with pytest.raises(AttributeError):
        made.value = 2.0  # still frozen


def test_a_rule_given_names_only_fields_it_reads():
    from netlib.inputs import Form, Rule, number

    for rule in (Rule(("a",), "a rule", lambda values: None, given=("b",)),
                 Rule(("a",), "a rule", lambda values: None, any_given=("b",))):
        with pytest.raises(AssertionError, match="given names fields it does not read"):
            Form((number("a", "A", ""), number("b", "B", "")), (rule,))


@pytest.mark.parametrize("calculator_id", IDS)
def test_rules_are_silent_while_a_given_field_is_empty(calculator_id):
    """What ``Rule.given`` claims, checked on the rule itself: with one of those fields empty the check passes."""
    form = netlib.calculators.get(calculator_id).form
    clean = form.validate(CALCULATOR_EXAMPLES[calculator_id])
    for rule in form.rules:
        for name in rule.given:
            assert rule.check({**clean, name: None}) is None, (rule.description, name)
        if rule.any_given:
            assert rule.check({**clean, **dict.fromkeys(rule.any_given)}) is None, rule.description


def test_patient_rules_are_silent_while_their_fields_are_empty():
    from netlib.pathway import PATIENT_FORM
    from netlib.synthetic import random_patient

    rng = __import__("random").Random(11)
    checked = 0
    for _ in range(300):
        try:
            clean = PATIENT_FORM.validate(random_patient(rng))
        except InputError:
            continue
        for rule in PATIENT_FORM.rules:
            for name in rule.given:
                assert rule.check({**clean, name: None}) is None, (rule.description, name)
            if rule.any_given:
                assert rule.check({**clean, **dict.fromkeys(rule.any_given)}) is None, rule.description
        checked += 1
    assert checked > 200


def test_a_whole_form_calculator_is_called_with_keywords_and_shows_them():
    import inspect

    from netlib.prrt import prrt_eligibility

    calc = netlib.calculators.get("prrt_eligibility")
    assert calc.whole_form
    parameters = inspect.signature(prrt_eligibility).parameters
    assert list(parameters) == [f.name for f in calc.fields]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters.values())
    example = CALCULATOR_EXAMPLES["prrt_eligibility"]
    assert prrt_eligibility(**example) == calc(**example) == calc.evaluate(example)
    with pytest.raises(InputError) as error:
        prrt_eligibility(ki67_percent=150)
    assert error.value.field == "ki67_percent"
    with pytest.raises(InputError) as error:
        calc(no_such_field=1)
    assert error.value.field == "no_such_field"


# --- Parsed texts are remembered, within a bound ------------------------------------------------

def test_a_remembered_text_gives_what_the_field_parses_and_a_refused_text_is_refused_every_time():
    from netlib.inputs import _fast_validator
    from netlib.pathway import PATIENT_FORM

    field = PATIENT_FORM.by_name["ki67_percent"]
    check = _fast_validator(field)
    for _ in range(3):  # the first call parses, the next ones remember
        assert check(" 12.5 ") == field.validate(" 12.5 ") == 12.5
        for bad in ("12,5", "12O", "nan", "101"):
            with pytest.raises(InputError) as refused:
                check(bad)
            assert refused.value.field == "ki67_percent"
    boolean = _fast_validator(PATIENT_FORM.by_name["multifocal"])
    assert [boolean("yes"), boolean("no"), boolean("yes")] == [True, False, True]


def test_the_form_reads_remembered_texts_back_per_field_and_refuses_a_bad_text_every_time():
    """The generated validator reads a text the field parsed before from that field's own memory."""
    from netlib.inputs import Form, boolean, integer, number

    form = Form(fields=(number("wide", "Wide", "", 0, 10), number("narrow", "Narrow", "", 0, 5),
                        integer("count", "Count", "", 0, 9), boolean("flag", "Flag")))
    for _ in range(3):  # parsed the first time, remembered after
        assert form.validate({"wide": "7", "narrow": " 2.5", "count": "3", "flag": "yes"}) == \
            {"wide": 7.0, "narrow": 2.5, "count": 3, "flag": True}
        with pytest.raises(InputError) as refused:  # "7" is remembered by the wide field, not the narrow one
            form.validate({"wide": "7", "narrow": "7", "count": "3", "flag": "no"})
        assert refused.value.field == "narrow"
        for field, bad in (("count", "3.5"), ("flag", "maybe"), ("wide", "7,5")):
            values = {"wide": "7", "narrow": "2", "count": "3", "flag": "no", field: bad}
            with pytest.raises(InputError) as refused:
                form.validate(values)
            assert refused.value.field == field
            assert _outcome(form.validate, values) == _outcome(form._validate_slowly, values)


TEXTS_AT_THE_EDGES = ("0", "00", "0.0", "000.5", ".5", "1.", "1e1", "1E1", " 5", "5 ", "1_0", "٣", "+1", "-1", "-0",
                      "2.5", "3", "3.0", "03", "10", "10.0", "10.000000000001", "9.999999999999999999", "11",
                      "9" * 30, "9" * 31, "1" + "0" * 29, "0" * 40 + "1", "1." + "0" * 40, "nan", "inf", "", "  ")


@pytest.mark.parametrize("text", TEXTS_AT_THE_EDGES)
def test_number_texts_read_in_line_agree_with_the_reference_at_every_edge(text):
    """Plain digits are read in line by the generated validator, anything else by the field's checker: the
    same value and type, or the same error, as the reference, whatever the bounds, the first time and when
    remembered."""
    from netlib.inputs import Form, integer, number

    form = Form(fields=(number("closed", "Closed", "", 0, 10, required=False),
                        number("open_low", "Open low", "", 0, 10, exclusive_minimum=True, required=False),
                        number("open_high", "Open high", "", 0, 10, exclusive_maximum=True, required=False),
                        number("unbounded", "Unbounded", "", required=False),
                        number("at_least", "At least", "", 2.5, required=False),
                        integer("whole", "Whole", "", 0, 10, required=False),
                        integer("any_whole", "Any whole", "", required=False)))
    for name in form.by_name:
        for _ in range(2):
            fast, slow = _outcome(form.validate, {name: text}), _outcome(form._validate_slowly, {name: text})
            assert fast == slow, (name, text)
            if fast[0] == "ok":
                assert type(fast[1][name]) is type(slow[1][name]), (name, text)


def test_remembered_texts_are_bounded_per_field():
    from netlib.inputs import REMEMBERED_TEXTS_PER_FIELD, _remembering_text
    from netlib.pathway import PATIENT_FORM

    field = PATIENT_FORM.by_name["months_since_diagnosis"]
    check = _remembering_text(field.validate)
    parsed = check.__defaults__[1]
    texts = [f"{n / 100:.2f}" for n in range(REMEMBERED_TEXTS_PER_FIELD + 500)]
    assert [check(t) for t in texts] == [float(t) for t in texts]  # past the bound: parsed, not remembered
    assert len(parsed) == REMEMBERED_TEXTS_PER_FIELD


def test_texts_read_in_line_are_remembered_within_the_same_bound():
    """The generated validator stores the plain digits it reads in the field's memory, up to the same bound."""
    from netlib.inputs import REMEMBERED_TEXTS_PER_FIELD, Form, integer, number

    form = Form(fields=(number("amount", "Amount", "", 0, 100_000), integer("count", "Count", "", 0, 100_000)))
    memory = form._compiled.__globals__
    texts = [str(n) for n in range(REMEMBERED_TEXTS_PER_FIELD + 500)]
    for _ in range(2):
        assert [form.validate({"amount": t + ".5", "count": t}) for t in texts] == \
            [{"amount": n + 0.5, "count": n} for n in range(len(texts))]
    assert len(memory["t0"]) == len(memory["t1"]) == REMEMBERED_TEXTS_PER_FIELD
    assert memory["t0"]["7.5"] == 7.5 and memory["t1"]["7"] == 7 and type(memory["t1"]["7"]) is int


def test_number_bounds_compared_as_floats_only_when_that_is_the_same_number():
    from netlib.inputs import Form, _as_float_bound, number

    assert _as_float_bound(0) == 0 and type(_as_float_bound(0)) is float
    assert _as_float_bound(2.5) == 2.5
    assert type(_as_float_bound(10**30)) is int  # no float is exactly 10**30: the int bound is kept
    big = Form((number("x", "X", "", 0, 10**30),), ())
    with pytest.raises(InputError):  # the float 1e30 is just above 10**30 (a float bound would take it)
        big.validate({"x": 1e30})
    below = math.nextafter(1e30, 0)
    assert below < 10**30 and big.validate({"x": below}) == {"x": below}
    for form in (Form((number("x", "X", "", 0, 100),), ()),
                 Form((number("x", "X", "", 0, 100, exclusive_minimum=True),), ())):
        for value in (100, 100.0, 99.99999999999999, 1e-300, 0, 0.0, -0.0, 100.00000000000001, 101):
            try:
                expected = ("ok", form._validate_slowly({"x": value}))
            except InputError as error:
                expected = ("error", str(error))
            try:
                got = ("ok", form.validate({"x": value}))
            except InputError as error:
                got = ("error", str(error))
            assert got == expected, value
