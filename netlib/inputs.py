"""Input declarations: the one place where validation rules live.

A :class:`Field` declares one input (name with its unit, label, type, range or
choices, whether it is required, help text and source).  A :class:`Form` groups
fields and the cross-field rules between them.  The same declaration validates
Python calls, builds ipywidgets and web forms, CLI options and JSON Schema.

Standard library only: this module also runs in the browser under Pyodide.
"""

from __future__ import annotations

import collections.abc
import math
import re
from dataclasses import dataclass, field as dataclass_field
from typing import Any, Callable, Iterable, Mapping

__all__ = ["InputError", "Field", "Rule", "Form", "number", "integer", "choice", "boolean"]


class InputError(ValueError):
    """Bad input: names the field, the value given and what is accepted."""

    def __init__(self, field: str, value: Any, accepted: str, message: str | None = None):
        self.field = field
        self.value = value
        self.accepted = accepted
        if message is None:
            message = f"{field} must be {accepted}; got {_show(value)}"
        super().__init__(message)

    def as_dict(self) -> dict:
        return {"field": self.field, "value": _jsonable(self.value), "accepted": self.accepted,
                "message": str(self)}


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if value is None:
        return "nothing"
    return str(value)


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    return repr(value)


# Numbers typed as text (command line, CSV cells, YAML/JSON strings, form fields): ASCII digits, an
# optional sign, an optional point with decimals, an optional exponent.  No "1_0" (Python's digit
# separator), no inner spaces, no Arabic-Indic or other non-ASCII digits, no "inf"/"nan": float() accepts
# all of these, a clinician's value is none of them.  Group 1 is the integer part (its length is limited).
_NUMBER_TEXT = re.compile(r"[-+]?([0-9]*)(?:(?<=[0-9])(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
# No clinical value needs more than 30 integer digits; longer ones are refused before int() or float()
# (Python's int() refuses 4,300 digits with its own error; float() of a long integer overflows).
MAX_INTEGER_DIGITS = 30
_INTEGER_LIMIT = 10 ** MAX_INTEGER_DIGITS
_DECIMAL_COMMA = re.compile(r"[-+]?[0-9]+,[0-9]+")
# The commonest texts of all, which _NUMBER_TEXT accepts and float() or int() read as they are: plain ASCII
# digits, with decimals after a point for a number (the generated form validator reads them in line).
_PLAIN_DECIMAL = re.compile(f"[0-9]{{1,{MAX_INTEGER_DIGITS}}}(?:\\.[0-9]+)?").fullmatch
_PLAIN_INTEGER = re.compile(f"[0-9]{{1,{MAX_INTEGER_DIGITS}}}").fullmatch


def _show_short(value: Any, limit: int = 40) -> str:
    """The value as _show prints it, cut to ``limit`` characters plus "…"."""
    text = _show(value)
    return text if len(text) <= limit else text[:limit] + "…"


_TRUE_WORDS = frozenset({"true", "yes", "y", "1"})
_FALSE_WORDS = frozenset({"false", "no", "n", "0"})


@dataclass(frozen=True, slots=True)
class Field:
    """One declared input.

    ``kind`` is one of ``number``, ``integer``, ``choice`` or ``boolean``.
    Bounds are inclusive unless ``exclusive_minimum``/``exclusive_maximum`` is set.
    An optional field that is not given has the value ``None``: never a silent default.
    """

    name: str
    label: str
    kind: str
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    exclusive_maximum: bool = False
    choices: tuple[str, ...] = ()
    choice_labels: tuple[str, ...] = ()
    required: bool = True
    help: str = ""
    source: tuple[str, ...] = ()
    step: float | None = None

    def accepted(self) -> str:
        """What this field accepts, in words, for error messages and help."""
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        if self.kind == "boolean":
            return "true or false"
        noun = "a whole number" if self.kind == "integer" else "a number"
        unit = f" {self.unit}" if self.unit else ""
        low, high = self.minimum, self.maximum
        if low is not None and high is not None:
            if not self.exclusive_minimum and not self.exclusive_maximum:
                return f"{noun} between {_num(low)} and {_num(high)}{unit}"
            lower = f"greater than {_num(low)}" if self.exclusive_minimum else f"at least {_num(low)}"
            upper = f"less than {_num(high)}" if self.exclusive_maximum else f"at most {_num(high)}"
            return f"{noun} {lower} and {upper}{unit}"
        if low is not None:
            return f"{noun} {'greater than' if self.exclusive_minimum else 'at least'} {_num(low)}{unit}"
        if high is not None:
            return f"{noun} {'less than' if self.exclusive_maximum else 'at most'} {_num(high)}{unit}"
        return noun

    def validate(self, value: Any) -> Any:
        """Return the value converted to its declared type, or raise :class:`InputError`."""
        if value is None or (isinstance(value, str) and value.strip() == ""):
            if self.required:
                raise InputError(self.name, value, self.accepted(),
                                 f"{self.name} is required ({self.accepted()})")
            return None
        kind = self.kind
        if kind == "number" or kind == "integer":
            number = self._to_number(value)
            low, high = self.minimum, self.maximum
            if (low is not None and (number < low or (self.exclusive_minimum and number == low))) or (
                high is not None and (number > high or (self.exclusive_maximum and number == high))
            ):
                raise InputError(self.name, value, self.accepted())
            return number
        if kind == "choice":
            if isinstance(value, str) and value in self.choices:
                return value
            raise InputError(self.name, value, self.accepted())
        if kind == "boolean":
            if value is True or value is False:
                return value
            if isinstance(value, str):
                word = value.strip().lower()
                if word in _TRUE_WORDS:
                    return True
                if word in _FALSE_WORDS:
                    return False
            raise InputError(self.name, value, self.accepted())
        raise AssertionError(f"unknown field kind {kind!r}")  # a declaration bug, not user input

    def _to_number(self, value: Any) -> float | int:
        """The one number parser of every face (CLI, patient files, CSV, widgets): see :data:`_NUMBER_TEXT`.

        Python numbers pass (finite, at most MAX_INTEGER_DIGITS digits); text must be a plain decimal
        number in ASCII digits; anything else raises InputError naming the field and what is accepted.
        """
        integer = self.kind == "integer"
        cls = value.__class__
        if cls is str or isinstance(value, str):
            text = value.strip()
            match = _NUMBER_TEXT.fullmatch(text)
            if match is None:
                raise self._not_a_number(value, text)
            if len(match.group(1)) > MAX_INTEGER_DIGITS:
                raise InputError(self.name, value, self.accepted(),
                                 f"{self.name} must be {self.accepted()}; got a number of more than "
                                 f"{MAX_INTEGER_DIGITS} digits ({_show_short(value)})")
            if integer and "." not in text and "e" not in text and "E" not in text:
                value = int(text)
            else:
                value = float(text)
        elif cls is bool or isinstance(value, bool):
            raise InputError(self.name, value, self.accepted())
        elif isinstance(value, int) and not -_INTEGER_LIMIT < value < _INTEGER_LIMIT:
            raise InputError(self.name, value, self.accepted(),
                             f"{self.name} must be {self.accepted()}; got a number of more than "
                             f"{MAX_INTEGER_DIGITS} digits")
        if integer:
            if isinstance(value, int):
                return int(value)
            if isinstance(value, float) and math.isfinite(value) and value == int(value):
                return int(value)
            raise InputError(self.name, value, self.accepted())
        if isinstance(value, (int, float)):
            number = float(value)
            if not math.isfinite(number):
                raise InputError(self.name, value, self.accepted())
            return number
        raise InputError(self.name, value, self.accepted())

    def _not_a_number(self, value: str, text: str) -> InputError:
        accepted = self.accepted()
        if _DECIMAL_COMMA.fullmatch(text):
            hint = f"use a point as the decimal separator ({text.replace(',', '.')})"
            return InputError(self.name, value, f"{accepted}; {hint}",
                              f"{self.name} must be {accepted}; got {_show_short(value)}: {hint}")
        return InputError(self.name, value, accepted, f"{self.name} must be {accepted}; got {_show_short(value)}")

    def schema(self) -> dict:
        """JSON Schema for this field (with ``x-`` keys for label, unit and source)."""
        out: dict[str, Any] = {"title": self.label, "description": self.help}
        if self.kind == "number":
            out["type"] = "number"
        elif self.kind == "integer":
            out["type"] = "integer"
        elif self.kind == "boolean":
            out["type"] = "boolean"
        else:
            out["type"] = "string"
            out["enum"] = list(self.choices)
            if self.choice_labels:
                out["x-enum-labels"] = list(self.choice_labels)
        if self.minimum is not None:
            out["exclusiveMinimum" if self.exclusive_minimum else "minimum"] = self.minimum
        if self.maximum is not None:
            out["exclusiveMaximum" if self.exclusive_maximum else "maximum"] = self.maximum
        if self.step is not None:
            out["x-step"] = self.step
        out["x-unit"] = self.unit
        out["x-accepted"] = self.accepted()
        out["x-source"] = list(self.source)
        return out

    def label_for(self, choice_value: str) -> str:
        if self.choice_labels and choice_value in self.choices:
            return self.choice_labels[self.choices.index(choice_value)]
        return choice_value


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


@dataclass(frozen=True, slots=True)
class Rule:
    """A cross-field rule: ``check(values)`` returns None when the values agree, or an
    :class:`InputError` describing the contradiction.

    ``given``: fields the check needs, every one of them, before it can fail (it returns None when one
    is missing); ``any_given``: fields of which it needs at least one (it returns None when all are
    missing). The generated validator calls the check only then; the reference validator always calls
    it, and tests compare the two.
    """

    fields: tuple[str, ...]
    description: str
    check: Callable[[Mapping[str, Any]], "InputError | None"]
    given: tuple[str, ...] = ()
    any_given: tuple[str, ...] = ()


@dataclass(frozen=True)
class Form:
    """An ordered set of fields plus the rules that relate them."""

    fields: tuple[Field, ...]
    rules: tuple[Rule, ...] = ()
    by_name: Mapping[str, Field] = dataclass_field(init=False, repr=False, compare=False)
    _validators: tuple = dataclass_field(init=False, repr=False, compare=False)
    _checks: Mapping[str, Callable[[Any], Any]] = dataclass_field(init=False, repr=False, compare=False)
    _empty: Mapping[str, None] = dataclass_field(init=False, repr=False, compare=False)
    _required: tuple[str, ...] = dataclass_field(init=False, repr=False, compare=False)
    _compiled: Callable[[Mapping[str, Any]], dict | None] = dataclass_field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = [f.name for f in self.fields]
        if len(set(names)) != len(names):
            raise AssertionError(f"duplicate field names in form: {names}")
        object.__setattr__(self, "by_name", {f.name: f for f in self.fields})
        object.__setattr__(self, "_validators", tuple((f.name, f.required, _fast_validator(f)) for f in self.fields))
        object.__setattr__(self, "_checks", {name: check for name, _required, check in self._validators})
        object.__setattr__(self, "_empty", dict.fromkeys(names))
        object.__setattr__(self, "_required", tuple(f.name for f in self.fields if f.required))
        for rule in self.rules:
            unknown = [name for name in rule.given + rule.any_given if name not in rule.fields]
            if unknown:
                raise AssertionError(f"rule {rule.description!r}: given names fields it does not read: {unknown}")
        object.__setattr__(self, "_compiled", _compile_validator(self.fields, self.rules, self._validate_slowly))

    def validate(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Validate every field and rule; unknown fields are refused, never ignored."""
        return self._compiled(values)

    def _validate_slowly(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The reference implementation: the same result as the compiled validator, and the error for
        an unknown field (which the compiled validator leaves to it). It calls every rule."""
        by_name = self.by_name
        for name in values:
            if name not in by_name:
                raise InputError(name, values[name], "one of the fields " + ", ".join(by_name),
                                 f"{name} is not an input here; accepted fields: {', '.join(by_name)}")
        # Only the given values are checked (a field not given is None), then the required ones; on an
        # error the fields are re-checked in declaration order, so the first bad field of the form is named.
        clean = dict(self._empty)
        checks = self._checks
        try:
            for name, value in values.items():
                if value is not None:
                    clean[name] = checks[name](value)
            for name in self._required:
                if clean[name] is None:
                    checks[name](values.get(name))
        except InputError:
            get = values.get
            for name, required, check in self._validators:
                if required or get(name) is not None:
                    check(get(name))
            raise
        for rule in self.rules:
            problem = rule.check(clean)
            if problem is not None:
                raise problem
        return clean

    def schema(self, title: str = "", description: str = "") -> dict:
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": title,
            "description": description,
            "type": "object",
            "properties": {f.name: f.schema() for f in self.fields},
            "required": [f.name for f in self.fields if f.required],
            "additionalProperties": False,
            "x-order": [f.name for f in self.fields],
            "x-rules": [{"fields": list(r.fields), "description": r.description} for r in self.rules],
        }


# Text a field has already parsed (a CSV cohort repeats the same few hundred values in a column): at most
# this many texts per field are remembered, so memory stays bounded whatever the input (about 0.1 MB a field).
REMEMBERED_TEXTS_PER_FIELD = 1024
# The kinds of field that remember the texts they parsed (a choice's text is its value already).
_REMEMBERING_KINDS = ("number", "integer", "boolean")


def _remembering_text(validate: Callable[[Any], Any], parsed: dict[str, Any] | None = None) -> Callable[[Any], Any]:
    """``validate``, remembering in ``parsed`` what each text it accepted was parsed to (pure: the same text
    always gives the same value).  A text it refuses raises again each time; other types go straight to it."""
    if parsed is None:
        parsed = {}

    def check(value, validate=validate, parsed=parsed):
        if value.__class__ is not str:
            return validate(value)
        known = parsed.get(value)
        if known is not None:
            return known
        known = validate(value)
        if known is not None and len(parsed) < REMEMBERED_TEXTS_PER_FIELD:
            parsed[value] = known
        return known
    return check


def _fast_validator(field: Field, parsed: dict[str, Any] | None = None) -> Callable[[Any], Any]:
    """``field.validate`` with a shortcut for the common, already well-typed value.

    The shortcut accepts exactly what ``validate`` accepts for that type and returns the same value;
    anything else (strings to parse, out-of-range or non-finite numbers, errors) goes to ``validate``.
    A number, integer or yes/no field remembers its parsed texts in ``parsed`` (a new dict when not given).
    """
    validate = field.validate
    if field.kind in _REMEMBERING_KINDS:
        validate = _remembering_text(validate, parsed)
    if field.kind == "choice":
        choices = frozenset(field.choices)

        def check(value, choices=choices, validate=validate):
            return value if value.__class__ is str and value in choices else validate(value)
        return check
    if field.kind == "boolean":
        def check(value, validate=validate):
            return value if value is True or value is False else validate(value)
        return check
    if field.kind == "number":
        low = -math.inf if field.minimum is None else field.minimum
        high = math.inf if field.maximum is None else field.maximum
        open_low, open_high = field.exclusive_minimum, field.exclusive_maximum

        def check(value, validate=validate, low=low, high=high):
            cls = value.__class__
            if (cls is float or cls is int) and low < value < high and math.isfinite(value):
                return float(value)
            return validate(value)
        if not open_low and not open_high:
            def check(value, validate=validate, low=low, high=high):  # noqa: F811 - inclusive bounds
                cls = value.__class__
                if (cls is float or cls is int) and low <= value <= high and math.isfinite(value):
                    return float(value)
                return validate(value)
        return check
    return validate


def _as_float_bound(bound: float) -> float:
    """A number field's bound as a float when that is the same number: the interpreter compares two floats
    faster than a float with an int, and the result is the same."""
    return float(bound) if isinstance(bound, int) and float(bound) == bound else bound


def _compile_validator(fields: tuple[Field, ...], rules: tuple[Rule, ...],
                       reference: Callable[[Mapping[str, Any]], dict]) -> Callable[[Mapping[str, Any]], dict]:
    """One generated function validating a whole form, fields then rules: ``check(values) -> clean dict``.
    When ``values`` holds a name that is not a field, ``reference`` (Form._validate_slowly) names it.
    A rule is called only when every field of its ``given``, and one of its ``any_given``, is given.

    Fields are checked in declaration order, so the first bad field of the form raises, as in the
    reference implementation.  A well-typed value inside its range is accepted in line, and so are a number
    or yes/no text the field has parsed before and plain digits inside a number's range; anything else (other
    text to parse, a value out of range, a required field left empty) goes to the field's own checker, which
    converts it or raises the field's InputError.  tests/test_declarations.py compares the two
    implementations on generated good and bad inputs and on number texts at every edge.
    """
    # The clean dict starts as every field empty, in declaration order, updated with the given values (both
    # in C); the values are then read back all at once, and one is written again only when its checker
    # converts it.
    # A name that is not a field adds a key to the copy: the reference then names it.  Anything but a
    # mapping goes to the reference as it is.
    empty = dict.fromkeys(f.name for f in fields)
    namespace: dict[str, Any] = {"COUNT": len(empty), "REFERENCE": reference, "EMPTY": empty,
                                 "Mapping": collections.abc.Mapping, "PLAIN_DECIMAL": _PLAIN_DECIMAL,
                                 "PLAIN_INTEGER": _PLAIN_INTEGER, "REMEMBERED": REMEMBERED_TEXTS_PER_FIELD}
    lines = ["def validate(values):",
             "    if values.__class__ is not dict and not isinstance(values, Mapping):",
             "        return REFERENCE(values)",
             "    clean = EMPTY.copy()", "    clean.update(values)",
             "    if len(clean) != COUNT:", "        return REFERENCE(values)"]
    if fields:  # every field's value into its local: the copy's keys are the fields, in declaration order
        lines.append("    " + "".join(f"v{index}, " for index in range(len(fields))) + "= clean.values()")
    variable = {field.name: f"v{index}" for index, field in enumerate(fields)}
    for index, field in enumerate(fields):
        v, check = f"v{index}", f"c{index}"
        kind = field.kind
        # A number or yes/no text that the field's checker parsed before (a CSV cohort repeats them) is read
        # back in line from the checker's own memory: the same value, without two calls.
        texts = None
        if kind in _REMEMBERING_KINDS:
            texts = namespace[f"t{index}"] = {}
        namespace[check] = _fast_validator(field, texts)
        converted = f"clean[{field.name!r}] = {v} = "
        remembered = f"{v}.__class__ is str and {v} in t{index}"
        if kind == "choice":
            namespace[f"s{index}"] = frozenset(field.choices)
            lines.append(f"    if {v} is not None and ({v}.__class__ is not str or {v} not in s{index}):")
            lines.append(f"        {converted}{check}({v})")
        elif kind == "boolean":
            lines.append(f"    if {v} is not None and {v} is not True and {v} is not False:")
            lines.append(f"        if {remembered}:")
            lines.append(f"            {converted}t{index}[{v}]")
            lines.append(f"        else:")
            lines.append(f"            {converted}{check}({v})")
        elif kind in ("number", "integer"):
            if field.minimum is not None:
                namespace[f"lo{index}"] = _as_float_bound(field.minimum) if kind == "number" else field.minimum
            if field.maximum is not None:
                namespace[f"hi{index}"] = _as_float_bound(field.maximum) if kind == "number" else field.maximum

            def inside_bounds(x: str, then: str = "", field: Field = field, index: int = index) -> str:
                """The test that ``x`` (evaluated first) lies inside the field's bounds, ``then`` the name
                its value is read again by."""
                bounds = []
                if field.minimum is not None:
                    bounds.append(f"lo{index} {'<' if field.exclusive_minimum else '<='} {x}")
                    x = then or x
                if field.maximum is not None:
                    bounds.append(f"{x} {'<' if field.exclusive_maximum else '<='} hi{index}")
                    x = then or x
                if field.minimum is None or field.maximum is None:
                    bounds.append(f"{x} - {then or x} == 0")  # finite (inf - inf and nan are not 0)
                return " and ".join(bounds)
            inside = inside_bounds(v)
            lines.append(f"    if {v} is not None:")
            if kind == "number":  # a float inside the bounds stands; an int inside them becomes a float
                lines.append(f"        if {v}.__class__ is float:")
                lines.append(f"            if not ({inside}):")
                lines.append(f"                {converted}{check}({v})")
                lines.append(f"        elif {v}.__class__ is int and {inside}:")
                lines.append(f"            {converted}float({v})")
            else:
                lines.append(f"        if {v}.__class__ is int and {inside}:")
                lines.append(f"            pass")
            lines.append(f"        elif {remembered}:")
            lines.append(f"            {converted}t{index}[{v}]")
            # Plain digits, with decimals for a number, inside the bounds: what the checker would return.
            plain, to_type = ("PLAIN_DECIMAL", "float") if kind == "number" else ("PLAIN_INTEGER", "int")
            lines.append(f"        elif {v}.__class__ is str and {plain}({v}) is not None and "
                         f"{inside_bounds(f'(parsed := {to_type}({v}))', 'parsed')}:")
            lines.append(f"            if len(t{index}) < REMEMBERED:")
            lines.append(f"                t{index}[{v}] = parsed")
            lines.append(f"            {converted}parsed")
            lines.append(f"        else:")
            lines.append(f"            {converted}{check}({v})")
        else:  # a kind without an in-line check
            lines.append(f"    if {v} is not None:")
            lines.append(f"        {converted}{check}({v})")
        if field.required:
            lines.append(f"    if {v} is None:")
            lines.append(f"        {check}({v})")
    for index, rule in enumerate(rules):
        namespace[f"r{index}"] = rule.check
        indent = "    "
        needed = [f"{variable[name]} is not None" for name in rule.given]
        if rule.any_given:
            needed.append("(" + " or ".join(f"{variable[name]} is not None" for name in rule.any_given) + ")")
        if needed:
            lines.append("    if " + " and ".join(needed) + ":")
            indent += "    "
        lines.append(f"{indent}problem = r{index}(clean)")
        lines.append(f"{indent}if problem is not None:")
        lines.append(f"{indent}    raise problem")
    lines.append("    return clean")
    exec(compile("\n".join(lines), "<netlib form validator>", "exec"), namespace)  # noqa: S102 - our declarations
    return namespace["validate"]


# Short constructors keep declarations readable.

def number(name: str, label: str, unit: str, minimum: float | None = None, maximum: float | None = None,
           *, required: bool = True, help: str = "", source: Iterable[str] = (),
           exclusive_minimum: bool = False, exclusive_maximum: bool = False,
           step: float | None = None) -> Field:
    return Field(name=name, label=label, kind="number", unit=unit, minimum=minimum, maximum=maximum,
                 exclusive_minimum=exclusive_minimum, exclusive_maximum=exclusive_maximum,
                 required=required, help=help, source=tuple(source), step=step)


def integer(name: str, label: str, unit: str, minimum: int | None = None, maximum: int | None = None,
            *, required: bool = True, help: str = "", source: Iterable[str] = ()) -> Field:
    return Field(name=name, label=label, kind="integer", unit=unit, minimum=minimum, maximum=maximum,
                 required=required, help=help, source=tuple(source), step=1)


def choice(name: str, label: str, choices: Iterable[str] | Mapping[str, str], *, required: bool = True,
           help: str = "", source: Iterable[str] = ()) -> Field:
    """``choices`` is a sequence of values, or a mapping value -> human label."""
    if isinstance(choices, Mapping):
        values, labels = tuple(choices), tuple(choices.values())
    else:
        values, labels = tuple(choices), ()
    return Field(name=name, label=label, kind="choice", choices=values, choice_labels=labels,
                 required=required, help=help, source=tuple(source))


def boolean(name: str, label: str, *, required: bool = True, help: str = "",
            source: Iterable[str] = ()) -> Field:
    return Field(name=name, label=label, kind="boolean", required=required, help=help,
                 source=tuple(source))


# Reusable cross-field rules.

def exactly_one_of(*names: str) -> Rule:
    joined = " or ".join(names)

    def check(values: Mapping[str, Any]) -> InputError | None:
        given = [n for n in names if values.get(n) is not None]
        if len(given) == 1:
            return None
        shown = {n: values.get(n) for n in given} if given else None
        return InputError(names[0] if not given else given[-1], shown,
                          f"exactly one of {joined}",
                          f"give exactly one of {joined}; got "
                          + ("neither" if not given else ", ".join(f"{n}={values[n]}" for n in given)))

    return Rule(fields=names, description=f"exactly one of {joined}", check=check)


def at_least_one_of(*names: str) -> Rule:
    joined = " or ".join(names)

    def check(values: Mapping[str, Any]) -> InputError | None:
        if any(values.get(n) is not None for n in names):
            return None
        return InputError(names[0], None, f"at least one of {joined}",
                          f"give at least one of {joined}; got neither")

    return Rule(fields=names, description=f"at least one of {joined}", check=check)


def not_greater(smaller: str, larger: str, reason: str) -> Rule:
    def check(values: Mapping[str, Any]) -> InputError | None:
        a, b = values.get(smaller), values.get(larger)
        if a is None or b is None or a <= b:
            return None
        return InputError(smaller, a, f"at most {larger} ({_num(b)})",
                          f"{smaller} must not exceed {larger} ({reason}); got {_num(a)} > {_num(b)}")

    return Rule(fields=(smaller, larger), description=f"{smaller} <= {larger}: {reason}", check=check)
