"""Calculators: a declared form, a pure function and a frozen result.

A calculator is declared with :func:`calculator` around a pure function whose
keyword-only arguments are the form's fields (or, declared with ``whole_form=True``, whose one
argument is the dict of every field).  Calling the decorated function
validates its inputs against the declaration first, so every route in (Python,
CLI, widgets, browser, reports) gets the same checks and the same errors.
"""

from __future__ import annotations

import functools
import inspect
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Callable, Iterable, Mapping

from .inputs import Field, Form, InputError, Rule

_EMPTY: Mapping[str, Any] = MappingProxyType({})

__all__ = ["Result", "Calculator", "calculator", "REGISTRY", "get", "all_calculators", "format_value"]


@dataclass(frozen=True, slots=True)
class Result:
    """What a calculator returns.

    ``value`` is the number (with ``unit``) where there is one; ``category`` is the
    class where there is one (from the calculator's declared ``categories``).
    ``details`` holds further named figures (read-only).
    """

    calculator: str
    value: float | None
    unit: str
    category: str | None
    interpretation: str
    warnings: tuple[str, ...] = ()
    citations: tuple[str, ...] = ()
    details: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)

    def as_dict(self) -> dict:
        return {
            "calculator": self.calculator,
            "value": self.value,
            "unit": self.unit,
            "category": self.category,
            "interpretation": self.interpretation,
            "warnings": list(self.warnings),
            "citations": list(self.citations),
            "details": {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.details.items()},
        }

    def headline(self) -> str:
        """One line: the value with its unit and/or the category."""
        parts = []
        if self.value is not None:
            parts.append(f"{format_value(self.value, self.unit)} {self.unit}".strip())
        if self.category is not None:
            parts.append(self.category)
        return " · ".join(parts) if parts else "no result"

    def __repr__(self) -> str:
        # Short: the headline and the counts; as_dict() or the fields give everything.
        extra = f", {len(self.warnings)} warning(s)" if self.warnings else ""
        return f"<Result {self.calculator}: {self.headline()}{extra}>"

    def _repr_html_(self) -> str:
        from html import escape

        items = "".join(f"<li>&#9888; {escape(w)}</li>" for w in self.warnings)
        sources = f"<br><small>Sources: {escape(', '.join(self.citations))}</small>" if self.citations else ""
        return (f'<div class="netlib-result"><strong>{escape(self.headline())}</strong> '
                f"<small>({escape(self.calculator)})</small><br>{escape(self.interpretation)}"
                f"{'<ul>' + items + '</ul>' if items else ''}{sources}</div>")


# Decimals a result is shown with, by unit, wherever its number is written (headline and text alike):
# clearances and eGFR in whole mL/min, as laboratories report them; times in months to one decimal.
# Any other unit: two decimals.  Trailing zeros are dropped (1.50 % is shown as 1.5 %).
DISPLAY_DECIMALS = {"mL/min": 0, "mL/min/1.73 m²": 0, "months": 1}
DEFAULT_DISPLAY_DECIMALS = 2


def format_value(value: float, unit: str = "") -> str:
    """A result's number as the reader sees it: rounded for its unit (DISPLAY_DECIMALS), no trailing zeros.

    Result.headline and the calculators' interpretation texts both use it, so the two never disagree
    (61.98 mL/min is "62" in both).
    """
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    text = f"{value:.{DISPLAY_DECIMALS.get(unit, DEFAULT_DISPLAY_DECIMALS)}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def make_result(calculator_id: str, *, value: float | None = None, unit: str = "",
                category: str | None = None, interpretation: str, warnings: Iterable[str] = (),
                citations: Iterable[str] = (), details: Mapping[str, Any] | None = None) -> Result:
    # Result's generated __init__ sets each slot through object.__setattr__ (it is frozen); the slot
    # descriptors set the same eight fields at half the cost, which counts for a calculator that runs
    # in a few microseconds.  tests/test_declarations.py checks the two give equal results.
    result = _new_result(Result)
    _set_calculator(result, calculator_id)
    _set_value(result, value)
    _set_unit(result, unit)
    _set_category(result, category)
    _set_interpretation(result, interpretation)
    _set_warnings(result, tuple(warnings))
    _set_citations(result, tuple(citations))
    # A dict made for this result (every calculator builds its own) is wrapped, not copied.
    _set_details(result, (MappingProxyType(details) if details.__class__ is dict else MappingProxyType(dict(details)))
                 if details else _EMPTY)
    return result


_new_result = object.__new__
(_set_calculator, _set_value, _set_unit, _set_category, _set_interpretation, _set_warnings, _set_citations,
 _set_details) = (getattr(Result, name).__set__ for name in Result.__dataclass_fields__)


@dataclass(frozen=True)
class Calculator:
    """A registered calculator: stable ``id``, declared inputs and outputs, and its function."""

    id: str
    title: str
    summary: str
    form: Form
    function: Callable[..., Result]
    categories: tuple[str, ...]
    unit: str
    citations: tuple[str, ...]
    module: str
    when_to_use: str = ""
    pearls: tuple[str, ...] = ()
    whole_form: bool = False  # the function takes the validated dict itself, not keyword arguments

    def __post_init__(self) -> None:
        # The validating call without the wrapper's frame: raw function, form's generated validator.
        object.__setattr__(self, "_raw", self.function.raw)
        object.__setattr__(self, "_check", self.form._compiled)

    def __call__(self, **values: Any) -> Result:
        if self.whole_form:
            return self._raw(self._check(values))
        return self._raw(**self._check(values))

    def evaluate(self, values: Mapping[str, Any]) -> Result:
        """Evaluate from a mapping (e.g. parsed form or CLI values)."""
        return self(**values)

    @property
    def fields(self) -> tuple[Field, ...]:
        return self.form.fields

    def schema(self) -> dict:
        schema = self.form.schema(title=self.title, description=self.summary)
        schema["$id"] = f"netlib:calculators/{self.id}"
        schema["x-calculator"] = {
            "id": self.id,
            "categories": list(self.categories),
            "unit": self.unit,
            "citations": list(self.citations),
            "when_to_use": self.when_to_use,
            "pearls": list(self.pearls),
        }
        return schema


REGISTRY: dict[str, Calculator] = {}


def calculator(*, id: str, title: str, summary: str, fields: Iterable[Field],
               rules: Iterable[Rule] = (), categories: Iterable[str] = (), unit: str = "",
               citations: Iterable[str] = (), when_to_use: str = "",
               pearls: Iterable[str] = (),
               whole_form: bool = False) -> Callable[[Callable[..., Result]], Callable[..., Result]]:
    """Declare and register a calculator around a pure function.

    The wrapped function receives validated, typed keyword arguments; optional
    fields that were not given arrive as ``None``.  With ``whole_form`` it receives them as one
    dict instead (every field present), which spares a calculator with many fields the cost of
    binding them one by one; the decorated function is called with keywords either way.
    """
    form = Form(tuple(fields), tuple(rules))
    categories = tuple(categories)

    def decorate(function: Callable[..., Result]) -> Callable[..., Result]:
        validate = form._compiled  # Form.validate without its frame

        if whole_form:
            @functools.wraps(function)
            def wrapper(**values: Any) -> Result:
                return function(validate(values))

            # help() and inspect show the keyword arguments the declaration accepts.
            wrapper.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
                [inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY,
                                   **({} if f.required else {"default": None})) for f in form.fields],
                return_annotation=Result)
        else:
            @functools.wraps(function)
            def wrapper(**values: Any) -> Result:
                return function(**validate(values))

        wrapper.raw = function  # type: ignore[attr-defined]
        if id in REGISTRY:
            raise AssertionError(f"calculator id {id!r} registered twice")
        REGISTRY[id] = Calculator(id=id, title=title, summary=summary, form=form, function=wrapper,
                                  categories=categories, unit=unit, citations=tuple(citations),
                                  module=function.__module__, when_to_use=when_to_use,
                                  pearls=tuple(pearls), whole_form=whole_form)
        wrapper.calculator = REGISTRY[id]  # type: ignore[attr-defined]
        return wrapper

    return decorate


def get(calculator_id: str) -> Calculator:
    _load_all()
    try:
        return REGISTRY[calculator_id]
    except KeyError:
        raise InputError("calculator", calculator_id, "one of " + ", ".join(sorted(REGISTRY))) from None


def all_calculators() -> list[Calculator]:
    _load_all()
    return list(REGISTRY.values())


_MODULES = ("grading", "gastric", "response", "imaging", "renal", "prrt", "staging", "cart")


def _load_all() -> None:
    import importlib

    for name in _MODULES:
        importlib.import_module(f"netlib.{name}")
