"""Interactive forms and calculator-page sections, generated from the declarations.

Nothing here is written per calculator: :class:`CalculatorForm` reads a calculator's
declared fields (``netlib.calculators.get(id)``) and builds one control per field, a
result area and an error line beside each field; the ``*_markdown`` helpers turn the
same declaration into the "when to use", "inputs", "pearls" and "references"
sections of a calculator page.  :class:`PatientForm` does the same for the decision
algorithm's patient record.  The remaining helpers glue netlib's constants into the
notebooks' prose and render netlib's data (decision-table rows, doses, trials,
references) as Markdown.  This layer never computes anything: every number and every
message comes from netlib.

ipywidgets is imported only here, so the clinical core (and the browser build under
Pyodide) never needs it.

    from netlib.widgets import CalculatorForm
    CalculatorForm("who_gep_grade", differentiation="well", ki67_percent=3)
"""

from __future__ import annotations

import html
import json
import math
import re
import textwrap
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import ipywidgets as widgets

from . import calculators
from .inputs import Field, Form, InputError
from .registry import Calculator, Result

__all__ = [
    "CalculatorForm", "PatientForm", "DeclaredForm", "form", "control_for", "result_html", "recommendations_html",
    "when_to_use_markdown", "inputs_markdown", "pearls_markdown", "references_markdown",
    "example_text", "markdown", "markdown_table", "cite", "chapter_references",
    "glue_constants", "glue_text", "glue_trial", "recommendations_markdown", "therapy_table",
    "statements_markdown", "trial_summaries",
]

NOT_GIVEN = "not given"
_YES, _NO = "yes", "no"
_LABEL_WIDTH = "17em"
_EXAMPLE_WIDTH = 88
_CONTROL_WIDTH = "14em"


# ---------------------------------------------------------------------------------------------
# One control per declared field
# ---------------------------------------------------------------------------------------------

class FieldControl:
    """The control for one declared field, its "not given" state and its error line.

    A number is typed into a text box and read by the field's own declaration
    (:meth:`netlib.inputs.Field.validate`), the one parser netlib uses everywhere: what it
    refuses ("3,5", "12O") is shown beside the field, never silently changed.  An empty box
    means "not given".  The box sends every keystroke, so each keystroke that forms a valid
    value recomputes the result.
    """

    def __init__(self, field: Field, initial: Any = None):
        self.field = field
        self.control = control_for(field)
        self.error = widgets.HTML(value="", layout=widgets.Layout(margin="0 0 0 0.8em"))
        self.error.add_class("netlib-field-error")
        label_text = html.escape(field.label) + (f" <small>({html.escape(field.unit)})</small>"
                                                 if field.unit else "")
        if not field.required:
            label_text += " <small><em>optional</em></small>"
        label = widgets.HTML(value=label_text, layout=widgets.Layout(width=_LABEL_WIDTH))
        self.row = widgets.HBox([label, self.control, self.error],
                                layout=widgets.Layout(align_items="center", border=_NO_BORDER))
        self.row.add_class("netlib-field")
        self.set(initial)

    def set(self, value: Any) -> None:
        """Show ``value`` (``None`` = not given) in the control."""
        field = self.field
        if field.kind in ("number", "integer"):
            self.control.value = "" if value is None else _number_text(value)
        elif field.kind == "choice":
            self.control.value = NOT_GIVEN if value is None and not field.required else (
                value if value is not None else field.choices[0])
        elif field.required:  # boolean
            self.control.value = bool(value)
        else:
            self.control.value = NOT_GIVEN if value is None else (_YES if value else _NO)

    def get(self) -> Any:
        """The value as the calculator receives it; ``None`` when not given.

        A number comes back as the text typed: the calculator's declaration parses it.
        """
        field = self.field
        value = self.control.value
        if field.kind in ("number", "integer"):
            return value if value.strip() else None
        if field.kind == "boolean" and not field.required:
            return None if value == NOT_GIVEN else value == _YES
        if field.kind == "choice" and value == NOT_GIVEN:
            return None
        return value

    def mark(self, message: str | None) -> None:
        """Show ``message`` beside the field and outline its row (``None`` clears both)."""
        self.error.value = "" if message is None else "&#9888; " + html.escape(message)
        self.row.layout.border = _NO_BORDER if message is None else _ERROR_BORDER

    def observe(self, callback) -> None:
        self.control.observe(callback, names="value")


_NO_BORDER = "2px solid transparent"
_ERROR_BORDER = "2px solid #b00020"


def _number_text(value: Any) -> str:
    """A starting number as the reader would type it (4.5, 3, not 3.0)."""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    return str(value)


def control_for(field: Field) -> widgets.Widget:
    """The ipywidgets control for a declared field (without its label and error line).

    Numbers use a text box rather than FloatText: FloatText reads "3,5" as 35 in the browser
    and applies a value only on Enter, and a bounded box silently clamps 120 to 100, where the
    declaration should say "ki67_percent must be between 0 and 100; got 120" beside the field.
    """
    layout = widgets.Layout(width=_CONTROL_WIDTH)
    kind = field.kind
    if kind in ("number", "integer"):
        control = widgets.Text(value="", placeholder=NOT_GIVEN if not field.required else field.accepted(),
                               continuous_update=True, layout=layout)
    elif kind == "choice":
        options = [(field.label_for(c), c) for c in field.choices]
        if not field.required:
            options.append((f"({NOT_GIVEN})", NOT_GIVEN))
        control = widgets.Dropdown(options=options, layout=layout)
    elif kind == "boolean":
        if field.required:
            control = widgets.Checkbox(value=False, indent=False, layout=widgets.Layout(width=_CONTROL_WIDTH))
        else:
            control = widgets.ToggleButtons(options=[("Yes", _YES), ("No", _NO), ("Not given", NOT_GIVEN)],
                                            value=NOT_GIVEN, style={"button_width": "6.8em"})
    else:
        raise AssertionError(f"no control for field kind {kind!r}")  # a declaration bug
    if field.help:
        control.tooltip = field.help
    return control


# ---------------------------------------------------------------------------------------------
# The form
# ---------------------------------------------------------------------------------------------

class DeclaredForm:
    """A live form built from a declared :class:`~netlib.inputs.Form`.

    Every change re-evaluates ``evaluate(values)``; the result area shows ``render(result)``,
    and an :class:`InputError` is shown beside the field it names.  ``values`` fill the form.
    """

    def __init__(self, title: str, declaration: Form, evaluate: Callable[[dict], Any],
                 render: Callable[[Any], str], values: Mapping[str, Any]):
        unknown = sorted(set(values) - set(declaration.by_name))
        if unknown:
            raise InputError(unknown[0], values[unknown[0]], "one of the fields " + ", ".join(declaration.by_name))
        self._evaluate, self._render = evaluate, render
        self._title, self._initial = title, dict(values)
        self.controls = {f.name: FieldControl(f, values.get(f.name)) for f in declaration.fields}
        self.result_area = widgets.HTML(value="")
        self.result: Any = None
        self.error: InputError | None = None
        heading = widgets.HTML(value=f"<strong>{html.escape(title)}</strong>")
        self.widget = widgets.VBox([heading, *(c.row for c in self.controls.values()), self.result_area])
        self.widget.add_class("netlib-form")
        for control in self.controls.values():
            control.observe(self._changed)
        self.evaluate()

    def values(self) -> dict[str, Any]:
        """The values the form passes on (``None`` for fields not given)."""
        return {name: control.get() for name, control in self.controls.items()}

    def set_values(self, **values: Any) -> Any:
        """Fill some fields and evaluate once (used by tests and examples)."""
        for name, value in values.items():
            if name not in self.controls:
                raise InputError(name, value, "one of the fields " + ", ".join(self.controls))
        self._hold = True
        try:
            for name, value in values.items():
                self.controls[name].set(value)
        finally:
            self._hold = False
        return self.evaluate()

    _hold = False

    def _changed(self, change: Mapping[str, Any]) -> None:
        if not self._hold:
            self.evaluate()

    def evaluate(self) -> Any:
        """Evaluate the form's values; on bad input name the field, outline it and mark the result pending."""
        for control in self.controls.values():
            control.mark(None)
        values = {name: value for name, value in self.values().items() if value is not None}
        try:
            result = self._evaluate(values)
        except InputError as error:
            self.result, self.error = None, error
            target = self.controls.get(error.field)
            if target is not None:
                target.mark(str(error))
                self.result_area.value = _pending_html(
                    f"Check {target.field.label}: {error}", "The result is shown again once this field holds a "
                    "value netlib accepts.")
            else:
                self.result_area.value = _pending_html(str(error), "")
            return None
        self.result, self.error = result, None
        self.result_area.value = self._render(result)
        return result

    # What the book's website shows instead of the widget (see placeholder_html).
    _live_attributes: Mapping[str, str] = {}

    def placeholder_html(self) -> str:
        """The stand-in for this form on the book's website.

        A saved widget cannot compute without a kernel, so the site shows this ``<div>``
        instead (``nb_mime_priority_overrides`` in _config.yml prefers text/html), and
        ``_assets/live/netlib-live.js`` turns it into a live form computed by netlib under
        Pyodide, filled with the same starting values (``data-initial``).
        """
        attributes = "".join(f' {name}="{html.escape(value)}"' for name, value in self._live_attributes.items())
        # JSON has no NaN or infinity: such a value goes in as text, and the live form shows it with
        # netlib's message beside it.
        values = {name: str(value) if isinstance(value, float) and not math.isfinite(value) else value
                  for name, value in self._initial.items()}
        initial = html.escape(json.dumps(values, ensure_ascii=False), quote=True)
        return (f'<div class="netlib-live"{attributes} data-initial="{initial}">'
                f'<p class="netlib-live-title"><strong>{html.escape(self._title)}</strong></p>'
                '<p class="netlib-live-status">This form is live once its cell has run: in Jupyter, run the '
                "cell (or Run All); on the book's website, netlib computes it in your browser.</p></div>")

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        """The widget view (Jupyter renders it) plus the website's placeholder as text/html."""
        bundle = dict(self.widget._repr_mimebundle_(include=include, exclude=exclude) or {})
        bundle["text/html"] = self.placeholder_html()
        return bundle


class CalculatorForm(DeclaredForm):
    """The form of one calculator, from its declaration (``netlib.calculators.get(id)``).

    The result area shows the headline, the interpretation, the warnings and the
    citation keys.  Keyword arguments fill the form, e.g. with a worked example.
    """

    def __init__(self, calculator_id: str, **values: Any):
        self.calculator: Calculator = calculators.get(calculator_id)
        self._live_attributes = {"data-calculator": self.calculator.id}
        super().__init__(self.calculator.title, self.calculator.form, self.calculator.evaluate, result_html,
                         values)


class PatientForm(DeclaredForm):
    """The decision algorithm's patient record (``netlib.pathway.PATIENT_FORM``) and its answer.

    Every field is optional; the answer lists the ranked options, the exclusions, what is
    missing and how to obtain it, from ``netlib.pathway.recommend``.
    """

    def __init__(self, **values: Any):
        from . import pathway

        self._live_attributes = {"data-pathway": "recommend"}
        super().__init__("What would the algorithm recommend?", pathway.PATIENT_FORM, pathway.recommend,
                         recommendations_html, values)


def form(calculator_id: str, **values: Any) -> CalculatorForm:
    """Shortcut: ``form("krenning_score", score=3, modality="sstr_pet")``."""
    return CalculatorForm(calculator_id, **values)


def result_html(result: Result) -> str:
    """The result area: headline, interpretation, warnings, further figures and citations."""
    parts = [f'<div class="netlib-result"><div class="netlib-headline">{html.escape(result.headline())}</div>',
             f"<p>{html.escape(result.interpretation)}</p>"]
    if result.warnings:
        parts.append("<ul>" + "".join(f'<li class="netlib-warning">&#9888; {html.escape(w)}</li>'
                                      for w in result.warnings) + "</ul>")
    shown = [(k, v) for k, v in result.details.items() if v is not None and not isinstance(v, Mapping)]
    if shown:
        parts.append("<details><summary>Further figures</summary><table>" + "".join(
            f"<tr><td>{html.escape(k.replace('_', ' '))}</td><td>{html.escape(_plain(v))}</td></tr>"
            for k, v in shown) + "</table></details>")
    if result.citations:
        parts.append("<p><small>Sources: " + ", ".join(html.escape(c) for c in result.citations)
                     + " (see References)</small></p>")
    parts.append("</div>")
    return "".join(parts)


def recommendations_html(result: Any) -> str:
    """The decision algorithm's answer: options best first, exclusions, missing information."""
    esc = html.escape
    parts = [f'<div class="netlib-result"><div class="netlib-headline">Pathway: {esc(result.pathway)}</div>']
    if result.redirect:
        parts.append(f"<p>{esc(result.redirect)}</p>")
    if result.recommendations:
        parts.append("<p><strong>Options, best first</strong></p><ol>")
        for rec in result.recommendations:
            dose = f"<br><small>Dose: {esc(rec.dose)}</small>" if rec.dose else ""
            note = f"<br><small>{esc(rec.car_t_note)}</small>" if rec.car_t_note else ""
            parts.append(f"<li><strong>{esc(rec.name)}</strong>: <em>{esc(rec.tier)}</em> "
                         f"(evidence {esc(rec.evidence)}; {esc(', '.join(rec.rule_ids))}). {esc(rec.rationale)}"
                         f"{dose}{note}<br><small>Sources: {esc(', '.join(rec.citations))}</small></li>")
        parts.append("</ol>")
    if result.excluded:
        parts.append("<p><strong>Not recommended</strong></p><ul>" + "".join(
            f"<li>{esc(item.name)} ({esc(item.rule_id)}): {esc(item.reason)}</li>" for item in result.excluded)
            + "</ul>")
    if result.missing:
        parts.append("<p><strong>Missing information</strong></p><ul>" + "".join(
            f'<li class="netlib-warning">{esc(item.item)}: {esc(item.how)}</li>' for item in result.missing)
            + "</ul>")
    if result.advice:
        parts.append("<p><strong>Work-up</strong></p><ul>" + "".join(
            f"<li>{esc(statement)} <small>Sources: {esc(', '.join(keys))}</small></li>"
            for statement, keys in result.advice) + "</ul>")
    parts.append("</div>")
    return "".join(parts)


def _pending_html(message: str, note: str) -> str:
    """The result area while the form holds a value netlib refuses: no stale result, the reason instead."""
    note = f"<br><small>{html.escape(note)}</small>" if note else ""
    return (f'<div class="netlib-result netlib-error netlib-pending" style="border-left: 4px solid #b00020; '
            f'padding-left: 0.6em"><strong>Result pending.</strong> &#9888; {html.escape(message)}{note}</div>')


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (tuple, list)):
        return ", ".join(_plain(v) for v in value) if value else "none"
    return str(value)


# ---------------------------------------------------------------------------------------------
# Calculator-page sections (MDCalc pattern), as MyST Markdown from the declaration
# ---------------------------------------------------------------------------------------------

def markdown(text: str):
    """MyST Markdown as a display object (rendered as Markdown in the notebook and in the book)."""
    from IPython.display import Markdown

    return Markdown(text)




# Keys cited by the Markdown this module generates, for the chapter's reference list.
_CITED: dict[str, None] = {}


def cite(keys: Iterable[str]) -> str:
    """``{cite:p}`a,b``` for the given keys ('' when there are none)."""
    keys = list(dict.fromkeys(keys))
    _CITED.update(dict.fromkeys(keys))
    return "{cite:p}`" + ",".join(keys) + "`" if keys else ""


def _escape_cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]):
    """A Markdown table (displayed as a table in notebooks and in the book)."""
    lines = ["| " + " | ".join(_escape_cell(h) for h in headers) + " |",
             "|" + "|".join(" --- " for _ in headers) + "|"]
    lines += ["| " + " | ".join(_escape_cell(c) for c in row) + " |" for row in rows]
    return markdown("\n".join(lines))


def when_to_use_markdown(calculator_id: str):
    calc = calculators.get(calculator_id)
    return markdown(f"{calc.when_to_use}\n\n*{calc.summary}*")


def inputs_markdown(calculator_id: str):
    """One row per declared field: label, name, what is accepted, help and source."""
    calc = calculators.get(calculator_id)
    rows = []
    for field in calc.fields:
        accepted = field.accepted()
        if field.kind == "choice" and field.choice_labels:
            accepted = "; ".join(f"`{c}` ({field.label_for(c)})" for c in field.choices)
        name = f"{field.label}, `{field.name}`" + ("" if field.required else " (optional: may be not given)")
        rows.append((name, accepted, f"{field.help} {cite(field.source)}".strip()))
    for rule in calc.form.rules:
        rows.append(("Rule: " + ", ".join(f"`{n}`" for n in rule.fields), rule.description, ""))
    return markdown_table(("Input", "Accepted", "Notes and source"), rows)


def pearls_markdown(calculator_id: str):
    calc = calculators.get(calculator_id)
    return markdown("\n".join(f"- {p}" for p in calc.pearls) or "- None recorded.")


def references_markdown(calculator_id: str):
    """The calculator's declared citations plus the sources of its fields."""
    calc = calculators.get(calculator_id)
    keys = list(calc.citations) + [k for f in calc.fields for k in f.source]
    return markdown(f"Sources for this calculator: {cite(keys)}." if keys else "No sources declared.")


def example_text(calculator_id: str, **values: Any) -> str:
    """A worked example as plain text: the inputs, then the headline and warnings.

    Returned as a string for ``print`` so the output is plain text that nbval can compare.
    """
    calc = calculators.get(calculator_id)
    result = calc.evaluate(values)
    call = f"{calc.id}(" + ", ".join(f"{k}={v!r}" for k, v in values.items()) + ")"
    lines = textwrap.wrap(call, width=_EXAMPLE_WIDTH, subsequent_indent="    ")
    lines.append(f"-> {result.headline()}")
    lines += textwrap.wrap(result.interpretation, width=_EXAMPLE_WIDTH, initial_indent="   ",
                           subsequent_indent="   ")
    for warning in result.warnings:
        lines += textwrap.wrap(warning, width=_EXAMPLE_WIDTH, initial_indent="   warning: ",
                               subsequent_indent="            ")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Book helpers: glue netlib's numbers into prose, render netlib's data as tables
# ---------------------------------------------------------------------------------------------

_GLUED: set[str] = set()


def _glue(name: str, value: Any) -> None:
    from myst_nb import glue

    glue(name, value, display=False)


def glue_constants(*modules: Any) -> list[str]:
    """Glue every module-level UPPER_CASE number of the given netlib modules under its own name.

    Prose then writes {glue:text}`KI67_G2_FROM_PERCENT:g` and never retypes the number.
    The same name in two modules must hold the same value.
    """
    seen: dict[str, Any] = {}
    for module in modules:
        if isinstance(module, str):
            raise TypeError("glue_constants takes modules, not names")
        for name, value in vars(module).items():
            if not name.isupper() or name.startswith("_") or isinstance(value, bool):
                continue
            if not isinstance(value, (int, float)):
                continue
            if name in seen:
                if seen[name] != value:
                    raise AssertionError(f"constant {name} differs between the glued modules")
                continue  # re-exported by another module: glue once (myst-nb refuses duplicates)
            seen[name] = value
            if name not in _GLUED:
                _GLUED.add(name)
                _glue(name, value)
    return sorted(seen)


def glue_text(name: str, text: str) -> None:
    """Glue a piece of generated text (Markdown), shown inline with {glue:md}`name`."""
    from IPython.display import Markdown

    from myst_nb import glue

    glue(name, Markdown(text), display=False)


def glue_trial(trial_id: str) -> None:
    """Glue one trial's figures as ``<id>_hr``, ``<id>_ci_low``, ``<id>_ci_high``, ``<id>_n``,
    ``<id>_median_experimental``, ``<id>_median_control`` and ``<id>_year`` (those it reports)."""
    from . import evidence

    t = evidence.trial(trial_id)
    figures = {"hr": t.hazard_ratio, "ci_low": t.ci_low, "ci_high": t.ci_high, "n": t.n_randomised,
               "median_experimental": t.median_experimental_months,
               "median_control": t.median_control_months, "year": t.year}
    for key, value in figures.items():
        if value is not None:
            _glue(f"{t.id}_{key}", value)
    glue_text(f"{t.id}_median_text", t.median_text)


def recommendations_markdown(*tables: str, options: Iterable[str] | None = None, prefix: str = ""):
    """The decision-table rows of ``netlib.pathway`` for the given tables, as a cited list.

    Each item: the option, its preference tier and evidence level, the rationale, the
    rule id and the citations.  Nothing is retyped: the rows are the pathway's own.
    """
    from . import pathway, therapies

    wanted = set(options) if options is not None else None
    lines = []
    for rule in pathway.RULES:
        if rule.table not in tables or (wanted is not None and rule.option not in wanted) or \
                not rule.id.startswith(prefix):
            continue
        if rule.kind == "missing":
            lines.append(f"- **Missing: {rule.item}**. {rule.rationale} <small>[rule {rule.id}]</small>")
            continue
        if rule.kind == "advice":
            lines.append(f"- **Work-up**: {rule.rationale} {cite(rule.citations)} <small>[rule {rule.id}]</small>")
            continue
        name = therapies.THERAPIES[rule.option].name
        lines.append(f"- **{name}**: *{rule.tier}* (evidence {rule.evidence}). {rule.rationale} "
                     f"{cite(rule.citations)} <small>[rule {rule.id}]</small>")
    return markdown("\n".join(lines) if lines else "- No decision-table rows for this section.")


def therapy_table(option_ids: Iterable[str]):
    """Doses and evidence of treatment options from ``netlib.therapies``."""
    from . import evidence, therapies

    rows = []
    for option in option_ids:
        t = therapies.therapy(option)
        trials = ", ".join(evidence.trial(i).label for i in t.pivotal_trials) or "none"
        verified = {True: "yes", False: "no", None: "not applicable"}[t.dose_verified]
        rows.append((t.name, t.dose_text or "no drug dose", trials, verified, cite(t.citations)))
    return markdown_table(("Option", "Dose and schedule", "Pivotal trials", "Dose verified", "Sources"), rows)


def _find(relative: str) -> Path:
    """A book file, from the current directory (a notebook runs in notebooks/) or the repository."""
    for base in (Path.cwd(), Path.cwd().parent, Path(__file__).resolve().parent.parent):
        if (base / relative).exists():
            return base / relative
    raise FileNotFoundError(relative)


_TEX_SUPERSCRIPT = re.compile(r"\$\^\{?(\d+)\}?\$")
_SUPERSCRIPT_DIGITS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _plain_superscripts(entry):
    """``{$^{177}$Lu}`` in a BibTeX title becomes ¹⁷⁷Lu (no math, so no MathJax on the page)."""
    for name, value in list(entry.fields.items()):
        if "$" in value:
            entry.fields[name] = _TEX_SUPERSCRIPT.sub(lambda m: m.group(1).translate(_SUPERSCRIPT_DIGITS), value)
    return entry


_CITE_ROLE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")


def chapter_references(notebook: str):
    """The chapter's reference list: every key cited in the notebook's Markdown cells or in
    Markdown generated by this module, formatted from book/references.bib.

    Each item links to the entry in the book's bibliography ({cite:t}) and gives the full
    reference.  ``notebook`` is the notebook's file name (it runs in ``notebooks/``).
    """
    import json

    from pybtex.database import parse_file
    from pybtex.plugin import find_plugin

    cells = json.loads(_find(notebook if "/" in notebook else f"notebooks/{notebook}")
                       .read_text(encoding="utf-8"))["cells"]
    keys: dict[str, None] = {}
    for cell in cells:
        if cell["cell_type"] == "markdown":
            text = "".join(cell["source"])
            for match in _CITE_ROLE.finditer(text):
                keys.update(dict.fromkeys(k.strip() for k in match.group(1).split(",")))
    keys.update(_CITED)
    if not keys:
        return markdown("This chapter cites no works.")
    database = parse_file(str(_find("book/references.bib")))
    missing = [k for k in keys if k not in database.entries]
    if missing:
        raise KeyError(f"cited but not in book/references.bib: {', '.join(missing)}")
    style = find_plugin("pybtex.style.formatting", "plain")()
    backend = find_plugin("pybtex.backends", "markdown")()
    entries = [_plain_superscripts(database.entries[k]) for k in keys]
    formatted = {e.key: " ".join(e.text.render(backend).split()) for e in style.format_entries(entries)}
    order = sorted(keys, key=lambda k: formatted[k].lower())
    return markdown("\n".join(f"- {{cite:t}}`{k}`: {formatted[k]}" for k in order))


def statements_markdown(statements: Iterable[tuple[str, Iterable[str]]]):
    """A bullet list of (statement, citation keys) pairs, e.g. ``netlib.pathway.ALWAYS``."""
    return markdown("\n".join(f"- {text} {cite(keys)}".rstrip() for text, keys in statements))


def trial_summaries(trial_ids: Iterable[str]):
    """One cited bullet per trial, written from ``netlib.evidence`` (no figure retyped)."""
    from . import evidence

    hazard_text = {row["Trial"]: row["HR (95 % CI)"] for row in evidence.trial_table()}
    lines = []
    for trial_id in trial_ids:
        t = evidence.trial(trial_id)
        hazard = ""
        if t.hazard_ratio is not None:
            hazard = "; hazard ratio " + (hazard_text[t.label].replace("(", "(95 % CI ", 1) if t.has_interval
                                          else hazard_text[t.label])
            if not t.verified:
                hazard += ", not every figure verified (see the evidence chapter)"
        other = f" {t.other_results}" if t.other_results else ""
        lines.append(f"- **{t.label}** ({t.reference}; phase {t.phase}, {t.n_randomised} patients): "
                     f"{t.population}. {t.experimental_arm} versus {_lower_first(t.control_arm)}. "
                     f"{t.primary_endpoint}: {t.median_text}{hazard}.{other} {cite([t.citation])}")
    return markdown("\n".join(lines))


def _lower_first(text: str) -> str:
    """"Placebo" -> "placebo", but "LAR" or "SSA" keep their capitals."""
    return text[0].lower() + text[1:] if len(text) > 1 and text[1].islower() else text
