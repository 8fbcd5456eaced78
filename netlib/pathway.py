"""The decision engine: loads the guideline's decision tables and runs them for one patient.

The guideline content lives apart from this engine, one decision table per TOML file in
``netlib/guideline/`` (a clinician can review a change in a diff; the standard library's
``tomllib`` reads it here and under Pyodide).  Each row has a stable id, conditions on the facts
that :func:`netlib.patient.derive_facts` computes, and one of four kinds:

* ``option``: recommends an option id of :mod:`netlib.therapies` at a preference tier;
* ``exclude``: marks an option "not recommended" (an excluded option is never recommended);
* ``missing``: names an item that must be obtained and how (PRRT whose eligibility is still
  incomplete appears only here, never at a tier);
* ``advice``: a work-up statement (FDG PET, germline testing, echocardiography).

Conditions are written ``when = { fact = value }`` (a list means "one of"; every entry must hold) and
``unless = { fact = value }`` (the row does not apply when the fact has that value; each entry excludes on
its own, so ``unless = { a = 1, b = 2 }`` means "neither a = 1 nor b = 2").  The engine
knows nothing of any particular row; the loader refuses an unknown fact, value, option, tier,
evidence kind or trial, so a typo in a table fails at import, not silently at the bedside.

Evidence labels are not typed in the tables: a row names its kind (``trial``, ``trial_related``,
``non_randomised``, ``consensus``) and, for the first two, the trial ids of :mod:`netlib.evidence`,
whose phase sets the label.

CAR-T is never a recommended treatment: it appears only inside the clinical-trial item, with the
reasons, and as an explicit exclusion (``car_t_off_trial``).

Standard library only.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from operator import itemgetter as _itemgetter
from types import MappingProxyType
from typing import Any, Mapping

import string

from . import cart, evidence, patient, prrt, response, therapies
from .patient import _FACT_POSITION, FACT_VALUES, PATIENT_FORM, derive, derive_facts, patient_schema

__all__ = ["RULESET_VERSION", "RULES", "TABLES", "ALWAYS", "PATIENT_FORM", "recommend", "rules_table",
           "patient_schema", "derive_facts", "Recommendations"]

RULESET_VERSION = "2026.11-5"

# Preference tiers, best first (NCCN wording).
PREFERRED = "preferred"
OTHER = "other recommended"
CERTAIN = "useful in certain circumstances"
NOT_RECOMMENDED = "not recommended"
TIERS = (PREFERRED, OTHER, CERTAIN, NOT_RECOMMENDED)
_TIER_RANK = {tier: rank for rank, tier in enumerate(TIERS)}
_TIER_WORDS = {"preferred": PREFERRED, "other": OTHER, "certain": CERTAIN}
KINDS = ("option", "exclude", "missing", "advice")

EVIDENCE_CONSENSUS = "consensus: guideline recommendation without randomised evidence"
EVIDENCE_NONRANDOMISED = "low: non-randomised studies"
EVIDENCE_KINDS = ("trial", "trial_related", "non_randomised", "consensus")
_TRIALS_BY_ID = {t.id: t for t in evidence.TRIALS}


def evidence_label(kind: str, trial_ids: tuple[str, ...]) -> str:
    """The evidence label of a row, from its kind and the phase of its trials in netlib.evidence."""
    if kind == "consensus":
        return EVIDENCE_CONSENSUS
    if kind == "non_randomised":
        return EVIDENCE_NONRANDOMISED
    trials = [_TRIALS_BY_ID[t] for t in trial_ids]
    phase = max(t.phase for t in trials)
    names = ", ".join(dict.fromkeys(t.name for t in trials))
    if kind == "trial":
        level = "high" if phase == "3" else "moderate"
        return f"{level}: randomised phase {phase} trial ({names})"
    return f"moderate: randomised phase {phase} trial in a related population ({names})"


PATHWAY_LOW_GRADE = "low-grade NET"
PATHWAY_G3 = "NET G3"
PATHWAY_NEC = "NEC"
PATHWAY_INCOMPLETE = "needs diagnosis"
PATHWAYS = (PATHWAY_LOW_GRADE, PATHWAY_G3, PATHWAY_NEC, PATHWAY_INCOMPLETE)

REDIRECT_NEC = ("Poorly differentiated neuroendocrine carcinoma (NEC) follows its own pathway, led by "
                "platinum-based chemotherapy as for small-cell carcinoma; the options below are that "
                "pathway's first steps, not the low-grade NET algorithm.")
G3_NOTE = ("Well-differentiated NET G3: treated inside this algorithm with the options the evidence "
           "allows; discuss at a NET centre.")


@dataclass(frozen=True, slots=True)
class Condition:
    fact: str
    operator: str  # "is", "in", "not in", "is not"
    value: Any

    def holds(self, facts: Mapping[str, Any]) -> bool:
        actual = facts.get(self.fact)
        op = self.operator
        if op == "is":
            return actual == self.value
        if op == "is not":
            return actual != self.value
        if op == "in":
            return actual in self.value
        if op == "not in":
            return actual not in self.value
        raise AssertionError(f"unknown operator {op!r}")  # a table bug, caught by the tests

    def text(self) -> str:
        value = self.value
        if isinstance(value, tuple):
            value = "{" + ", ".join(str(v) for v in value) + "}"
        return f"{self.fact} {self.operator} {value}"


@dataclass(frozen=True, slots=True)
class DecisionRule:
    id: str
    table: str
    kind: str
    conditions: tuple[Condition, ...]
    option: str | None
    tier: str
    evidence: str
    rationale: str
    citations: tuple[str, ...]
    trials: tuple[str, ...] = ()
    item: str = ""
    details_from: str = ""


# ---------------------------------------------------------------------------------------------
# Loading the tables.
# ---------------------------------------------------------------------------------------------

class TableError(AssertionError):
    """A decision table that cannot be right (unknown fact, value, option, tier ...)."""


def _conditions(rule_id: str, block: Mapping[str, Any], negate: bool) -> list[Condition]:
    out = []
    for fact, value in block.items():
        if fact not in FACT_VALUES:
            raise TableError(f"{rule_id}: unknown fact {fact!r}")
        allowed = FACT_VALUES[fact]
        values = tuple(value) if isinstance(value, list) else (value,)
        bad = [v for v in values if v not in allowed]
        if bad or not values:
            raise TableError(f"{rule_id}: {fact} cannot be {bad or value!r}; it is one of {allowed}")
        if len(values) == 1:
            out.append(Condition(fact, "is not" if negate else "is", values[0]))
        else:
            out.append(Condition(fact, "not in" if negate else "in", values))
    return out


# Numbers in a row's text are never typed: ``{SIZE_LARGE_ABOVE_CM:g}`` names the constant that holds it.
TEXT_CONSTANTS: Mapping[str, float] = MappingProxyType({
    name: value for module in (patient, prrt, response) for name, value in vars(module).items()
    if name.isupper() and not name.startswith("_") and isinstance(value, (int, float)) and not isinstance(value, bool)})


def _fill(rule_id: str, text: str) -> str:
    """The text with every ``{CONSTANT:format}`` replaced by the constant's value."""
    for _literal, name, _spec, _conversion in string.Formatter().parse(text):
        if name is not None and name not in TEXT_CONSTANTS:
            raise TableError(f"{rule_id}: unknown constant {{{name}}} in the text")
    return text.format_map(TEXT_CONSTANTS)


_ROW_KEYS = {"id", "kind", "option", "tier", "evidence", "trials", "when", "unless", "rationale", "citations",
             "item", "details_from"}


def _rule_from_row(table: str, row: Mapping[str, Any]) -> DecisionRule:
    rule_id = row.get("id", "?")
    unknown = set(row) - _ROW_KEYS
    if unknown:
        raise TableError(f"{rule_id}: unknown keys {sorted(unknown)}")
    kind = row.get("kind", "option")
    if kind not in KINDS:
        raise TableError(f"{rule_id}: kind must be one of {KINDS}")
    conditions = _conditions(rule_id, row.get("when", {}), False) + _conditions(rule_id, row.get("unless", {}), True)
    option = row.get("option")
    citations = tuple(row.get("citations", ()))
    if not row.get("rationale") or (kind != "missing" and not citations):
        raise TableError(f"{rule_id}: every row needs a rationale, and every non-missing row a citation")
    trials = tuple(row.get("trials", ()))
    if kind in ("option", "exclude"):
        if option not in therapies.THERAPIES:
            raise TableError(f"{rule_id}: unknown option {option!r}")
        if kind == "option":
            if row.get("tier") not in _TIER_WORDS:
                raise TableError(f"{rule_id}: tier must be one of {tuple(_TIER_WORDS)}")
            if therapies.THERAPIES[option].never_recommend:
                raise TableError(f"{rule_id}: {option} may never be recommended")
            tier = _TIER_WORDS[row["tier"]]
        else:
            tier = NOT_RECOMMENDED
        kind_of_evidence = row.get("evidence")
        if kind_of_evidence not in EVIDENCE_KINDS:
            raise TableError(f"{rule_id}: evidence must be one of {EVIDENCE_KINDS}")
        if kind_of_evidence.startswith("trial"):
            if not trials or any(t not in _TRIALS_BY_ID for t in trials):
                raise TableError(f"{rule_id}: evidence {kind_of_evidence} needs trials from netlib.evidence")
        elif trials:
            raise TableError(f"{rule_id}: trials given with evidence {kind_of_evidence}")
        label = evidence_label(kind_of_evidence, trials)
    else:
        if option is not None or "tier" in row or "evidence" in row:
            raise TableError(f"{rule_id}: {kind} rows carry no option, tier or evidence")
        tier, label = kind, ""
    if kind == "missing" and not row.get("item"):
        raise TableError(f"{rule_id}: a missing row names its item")
    return DecisionRule(rule_id, table, kind, tuple(conditions), option, tier, label,
                        _fill(rule_id, row["rationale"].strip()), citations, trials, _fill(rule_id, row.get("item", "")),
                        row.get("details_from", ""))


def _load() -> tuple[dict[str, str], tuple[DecisionRule, ...], tuple]:
    folder = resources.files(__package__) / "guideline"
    documents = []
    for entry in folder.iterdir():
        if entry.name.endswith(".toml"):
            documents.append(tomllib.loads(entry.read_text(encoding="utf-8")))
    documents.sort(key=lambda d: d["table"]["order"])
    tables: dict[str, str] = {}
    rules: list[DecisionRule] = []
    always: tuple = ()
    for document in documents:
        table = document["table"]
        tables[table["id"]] = table["title"]
        for statement in table.get("always", ()):
            always += ((statement["statement"].strip(), tuple(statement["citations"])),)
        rules.extend(_rule_from_row(table["id"], row) for row in document.get("rule", ()))
    ids = [r.id for r in rules]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise TableError(f"duplicate rule ids: {sorted(duplicates)}")
    return tables, tuple(rules), always


TABLES, RULES, ALWAYS = _load()


# ---------------------------------------------------------------------------------------------
# The result.
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Recommendation:
    option: str
    name: str
    tier: str
    evidence: str
    rationale: str
    rule_ids: tuple[str, ...]
    citations: tuple[str, ...]
    dose: str
    car_t_note: str | None = None

    def as_dict(self) -> dict:
        return {"option": self.option, "name": self.name, "tier": self.tier, "evidence": self.evidence,
                "rationale": self.rationale, "rule_ids": list(self.rule_ids), "citations": list(self.citations),
                "dose": self.dose, "car_t_note": self.car_t_note}


@dataclass(frozen=True)
class Exclusion:
    """An option a fired row excludes, with the row's reason.

    Where a calculator result completes the reason (the PRRT criteria that failed), recommend() leaves the
    reason to be written when it is first read (:meth:`__getattr__`): most readers of a result want the
    excluded options only (``netlib cohort``).  The reason read is the same either way.
    """

    option: str
    name: str
    rule_id: str
    reason: str
    citations: tuple[str, ...]

    def __getattr__(self, name: str) -> Any:  # called only for an attribute not set
        completes = self.__dict__.get("_completes") if name == "reason" else None
        if completes is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        rule, facts = completes
        reason = rule.rationale + _details(rule, facts, "reasons")
        self.__dict__["reason"] = reason
        self.__dict__.pop("_completes", None)
        return reason

    def __reduce__(self):  # a copy or a pickle is a plain exclusion, its reason written
        return Exclusion, (self.option, self.name, self.rule_id, self.reason, self.citations)

    def as_dict(self) -> dict:
        return {"option": self.option, "name": self.name, "rule_id": self.rule_id, "reason": self.reason,
                "citations": list(self.citations)}


_new_exclusion = object.__new__


@dataclass(frozen=True, slots=True)
class TraceEntry:
    rule_id: str
    fired: bool
    decided_by: str
    outcome: str

    def as_dict(self) -> dict:
        return {"rule_id": self.rule_id, "fired": self.fired, "decided_by": self.decided_by,
                "outcome": self.outcome}


@dataclass(frozen=True, slots=True)
class MissingItem:
    item: str
    how: str
    rule_id: str = ""

    def as_dict(self) -> dict:
        return {"item": self.item, "how": self.how, "rule_id": self.rule_id}


@dataclass(frozen=True)
class Recommendations:
    pathway: str
    redirect: str | None
    recommendations: tuple[Recommendation, ...]
    excluded: tuple[Exclusion, ...]
    always: tuple[tuple[str, tuple[str, ...]], ...]
    car_t: Mapping[str, Any]
    missing: tuple[MissingItem, ...]
    fired_rule_ids: tuple[str, ...]
    facts: Mapping[str, Any]
    ruleset_version: str
    advice: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def options(self) -> tuple[str, ...]:
        return tuple(r.option for r in self.recommendations)

    def __repr__(self) -> str:
        # Short: the pathway, the ranked options with their tiers and the counts; as_dict() has the rest.
        options = ", ".join(f"{r.option} ({r.tier})" for r in self.recommendations) or "none"
        return (f"<Recommendations {self.pathway}: {options}; {len(self.excluded)} excluded, "
                f"{len(self.missing)} missing>")

    def _repr_html_(self) -> str:
        from html import escape

        def items(rows) -> str:
            return "<ul>" + "".join(f"<li>{row}</li>" for row in rows) + "</ul>"

        parts = [f'<div class="netlib-result"><strong>Pathway: {escape(self.pathway)}</strong>']
        if self.redirect:
            parts.append(f"<p>{escape(self.redirect)}</p>")
        if self.recommendations:
            parts.append("<p>Options, best first</p><ol>" + "".join(
                f"<li><strong>{escape(r.name)}</strong>: <em>{escape(r.tier)}</em> (evidence {escape(r.evidence)}; "
                f"{escape(', '.join(r.rule_ids))})</li>" for r in self.recommendations) + "</ol>")
        if self.excluded:
            parts.append("<p>Not recommended</p>" + items(
                f"{escape(e.name)} ({escape(e.rule_id)}): {escape(e.reason)}" for e in self.excluded))
        if self.missing:
            parts.append("<p>Missing information</p>" + items(
                f"{escape(m.item)}: {escape(m.how)}" for m in self.missing))
        parts.append(f"<small>Rule set {escape(self.ruleset_version)}</small></div>")
        return "".join(parts)

    @property
    def trace(self) -> tuple[TraceEntry, ...]:
        """Every rule in table order, fired or not, with the condition that decided it (computed on demand)."""
        trace, _fired = _evaluate(_tables(), self.facts)
        return tuple(trace)

    def as_dict(self) -> dict:
        return {
            "pathway": self.pathway,
            "redirect": self.redirect,
            "recommendations": [r.as_dict() for r in self.recommendations],
            "excluded": [e.as_dict() for e in self.excluded],
            "advice": [{"statement": s, "citations": list(c)} for s, c in self.advice],
            "always": [{"statement": s, "citations": list(c)} for s, c in self.always],
            "car_t": {"position": self.car_t["position"],
                      "reasons": [{"statement": r["statement"], "citations": list(r["citations"])}
                                  for r in self.car_t["reasons"]]},
            "missing": [m.as_dict() for m in self.missing],
            "trace": [t.as_dict() for t in self.trace],
            "facts": {k: v for k, v in self.facts.items() if not k.endswith("_result")},
            "derived": {k: (v.as_dict() if v is not None else None) for k, v in self.facts.items()
                        if k.endswith("_result")},
            "ruleset_version": self.ruleset_version,
        }


def car_t_statement() -> dict[str, Any]:
    """The CAR-T position with its reasons, from the CAR-T data module."""
    return {
        "position": cart.CAR_T_POSITION,
        "reasons": [{"statement": s, "citations": list(c)} for s, c in cart.car_t_reasons()],
    }


_CAR_T = MappingProxyType({
    "position": cart.CAR_T_POSITION,
    "reasons": tuple(MappingProxyType({"statement": s, "citations": tuple(c)}) for s, c in cart.car_t_reasons()),
})
_ALWAYS_WITH_CAR_T = ALWAYS + ((cart.CAR_T_POSITION, cart.CAR_T_POSITION_CITATIONS),)


# ---------------------------------------------------------------------------------------------
# Running the tables.  The rules are compiled once into plain tuples so that one patient costs a
# few tens of microseconds; results are identical to evaluating Condition.holds row by row.
# ---------------------------------------------------------------------------------------------

_IS, _IS_NOT, _IN, _NOT_IN = range(4)
_OPERATOR_CODES = {"is": _IS, "is not": _IS_NOT, "in": _IN, "not in": _NOT_IN}
_SHAREABLE_VALUE_TYPES = frozenset({bool, str, int, type(None)})
_SHARED_ENTRIES_LIMIT = 256


@dataclass(frozen=True, slots=True)
class _CompiledTables:
    rules: tuple[DecisionRule, ...]
    rows: tuple
    order: Mapping[str, int]
    recommendations: dict  # supporting row positions -> (sort key, Recommendation) (shared; frozen)
    ranked: dict  # fired option rows -> their (option, Recommendation) pairs, best first (shared; see _ranked)
    ids: tuple[str, ...]  # rule id by row position
    # What a fired row adds, by row position: (kind code, option or item, the prepared Exclusion,
    # MissingItem or advice pair, the rule when a calculator result adds details to its text, else None).
    contributions: tuple
    # The fast path: the tables compiled into one Python function that returns the positions of the
    # fired rules (conditions as membership tests on finite fact domains, FACT_VALUES).
    fire: Any


def _compile(rules: tuple[DecisionRule, ...]) -> _CompiledTables:
    rows = []
    for rule in rules:
        checks = []
        for condition in rule.conditions:
            code = _OPERATOR_CODES[condition.operator]
            checks.append((condition.fact, code, condition.value,
                           f"{condition.text()} is false ({condition.fact} = ", {}))
        decided = "all conditions hold" if rule.conditions else "applies to every patient"
        exclusion = None
        if rule.kind == "exclude":
            outcome = f"excludes {rule.option}"
            exclusion = Exclusion(rule.option, therapies.name(rule.option), rule.id, rule.rationale, rule.citations)
        elif rule.kind == "option":
            outcome = f"{rule.option}: {rule.tier}"
        elif rule.kind == "missing":
            outcome = f"asks for {rule.item}"
        else:
            outcome = "advises"
        rows.append((rule, tuple(checks), TraceEntry(rule.id, True, decided, outcome), exclusion))
    return _CompiledTables(
        rules=rules, rows=tuple(rows), order=MappingProxyType({r.id: i for i, r in enumerate(rules)}),
        recommendations={}, ranked={}, ids=tuple(r.id for r in rules),
        contributions=tuple(_contribution(rule, row[3]) for rule, row in zip(rules, rows)),
        fire=_compile_fire(rules))


_OPTION, _EXCLUDE, _MISSING, _ADVICE, _WITH_DETAILS = range(5)


def _contribution(rule: DecisionRule, exclusion: Exclusion | None) -> tuple:
    if rule.kind == "option":  # options never take details; their text is the row's rationale
        return _OPTION, rule.option, None, rule
    if rule.kind == "exclude":
        # An exclusion whose reason a calculator result completes is made for each patient from its other
        # fields (Exclusion.__getattr__ writes the reason when it is first read).
        made = {name: getattr(exclusion, name) for name in ("option", "name", "rule_id", "citations")} \
            if rule.details_from else exclusion
        kind, key = _EXCLUDE, rule.option
    elif rule.kind == "missing":
        made = MissingItem(rule.item, rule.rationale, rule.id)
        kind, key = _MISSING, rule.item
    else:
        made = (rule.rationale, rule.citations)
        kind, key = _ADVICE, None
    return (_WITH_DETAILS if rule.details_from else kind), key, made, rule


def _compile_fire(rules: tuple[DecisionRule, ...]):
    """One generated function testing every rule: ``fire(view) -> (positions of the fired option rows,
    positions of the other fired rows)``.

    Each condition becomes ``value == constant`` or ``value in frozenset`` (a negated condition keeps the
    rest of the fact's finite domain), so the result is the same as Condition.holds row by row; the
    tests compare the two on every generated patient.  Rows that share a condition are nested under
    one test of it (the condition most rows share first), so a patient is tested against a few dozen
    conditions instead of every row; each list of fired positions is returned in table order.
    """
    constants: dict[frozenset, str] = {}
    variables: dict[str, str] = {}
    fact_of: dict[str, str] = {}  # variable -> fact
    tests_of: dict[str, str] = {}  # test -> its variable
    pending = []  # per row: (position, shareable tests, deferred tests)
    for position, rule in enumerate(rules):
        shared, deferred = [], []
        for condition in rule.conditions:
            domain = FACT_VALUES[condition.fact]
            values = condition.value if isinstance(condition.value, tuple) else (condition.value,)
            keep = set(values) if condition.operator in ("is", "in") else set(domain) - set(values)
            # Deferred facts (patient.LAZY_FACTS) are read in place and after the row's other conditions,
            # so that they are computed only for a patient whose other conditions hold.
            if condition.fact in patient.LAZY_FACTS:
                variable = f"view._lazy({condition.fact!r})"
            else:
                variable = variables.setdefault(condition.fact, f"f{len(variables)}")
                fact_of[variable] = condition.fact
            if len(keep) == 1:
                test = f"{variable} == {next(iter(keep))!r}"
            else:
                name = constants.setdefault(frozenset(keep), f"s{len(constants)}")
                test = f"{variable} in {name}"
            tests_of[test] = variable
            (deferred if condition.fact in patient.LAZY_FACTS else shared).append(test)
        pending.append((position, tuple(dict.fromkeys(shared)), tuple(deferred)))

    body: list[str] = []

    def emit(rows: list, depth: int, bound: set[str]) -> None:
        indent = "    " * depth
        bound = set(bound)  # what this block binds is bound for the rest of it, not after it
        while rows:
            done = [row for row in rows if not row[1]]
            for position, _shared, deferred in done:
                add = f"{'options' if rules[position].kind == 'option' else 'out'}.append({position})"
                if deferred:
                    body.append(f"{indent}if {' and '.join(deferred)}: {add}")
                else:
                    body.append(f"{indent}{add}")
            rows = [row for row in rows if row[1]]
            if not rows:
                return
            counts: dict[str, int] = {}
            for row in rows:
                for test in row[1]:
                    counts[test] = counts.get(test, 0) + 1
            test = max(counts, key=counts.__getitem__)  # the most shared; the first of a tie
            inside = [(p, tuple(t for t in shared if t != test), d) for p, shared, d in rows if test in shared]
            rows = [row for row in rows if test not in row[1]]
            variable = tests_of[test]
            if variable in fact_of and variable not in bound:  # a fact is read where a path first tests it
                fact = fact_of[variable]
                body.append(f"{indent}{variable} = derived[{patient._FACT_POSITION[fact]}]  # {fact}")
                bound.add(variable)
            body.append(f"{indent}if {test}:")
            emit(inside, depth + 1, bound)

    emit(pending, 1, set())
    # The facts derive computes at once are read by position from its list (patient._FACT_POSITION); the deferred
    # ones through the view (patient.FactsView), which makes them.
    lines = ["def fire(view):", "    derived = view._values"]
    lines.append("    options = []")
    lines.append("    out = []")
    lines += body
    lines.append("    options.sort()")
    lines.append("    out.sort()")
    lines.append("    return options, out")
    namespace = {name: value for value, name in constants.items()}
    exec(compile("\n".join(lines), "<netlib decision tables>", "exec"), namespace)  # noqa: S102 - our own tables
    return namespace["fire"]


_compiled: _CompiledTables | None = None


def _tables() -> _CompiledTables:
    """The compiled RULES (recompiled if RULES is replaced, e.g. by a test)."""
    global _compiled
    if _compiled is None or _compiled.rules is not RULES:
        _compiled = _compile(RULES)
    return _compiled


def _failing_entry(rule: DecisionRule, prefix: str, shared: dict, actual: Any) -> TraceEntry:
    if actual.__class__ in _SHAREABLE_VALUE_TYPES:
        key = (actual.__class__, actual)
        entry = shared.get(key)
        if entry is None:
            entry = TraceEntry(rule.id, False, f"{prefix}{actual!r})", "not applied")
            if len(shared) < _SHARED_ENTRIES_LIMIT:
                shared[key] = entry
        return entry
    return TraceEntry(rule.id, False, f"{prefix}{actual!r})", "not applied")


def _evaluate(tables: _CompiledTables, facts: Mapping[str, Any]) -> tuple[list[TraceEntry], list[tuple]]:
    trace: list[TraceEntry] = []
    fired: list[tuple] = []
    get = facts.get
    for row in tables.rows:
        for fact, code, value, prefix, shared in row[1]:
            actual = get(fact)
            if code == _IS:
                holds = actual == value
            elif code == _IN:
                holds = actual in value
            elif code == _IS_NOT:
                holds = actual != value
            else:
                holds = actual not in value
            if not holds:
                entry = shared.get((actual.__class__, actual)) if actual.__class__ in _SHAREABLE_VALUE_TYPES else None
                trace.append(entry or _failing_entry(row[0], prefix, shared, actual))
                break
        else:
            fired.append(row)
            trace.append(row[2])
    return trace, fired


def evaluate_rules(facts: Mapping[str, Any]) -> tuple[list[TraceEntry], list[DecisionRule]]:
    """Run every rule on the facts: the trace (one entry per rule, in table order) and the fired rules."""
    trace, fired = _evaluate(_tables(), facts)
    return trace, [row[0] for row in fired]


def _recommendation(option: str, rules: list[DecisionRule]) -> Recommendation:
    """One option's recommendation: the best tier among its supporting rules (the first on a tie)."""
    chosen = rules[0]
    keys: list[str] = []
    for rule in rules:
        if _TIER_RANK[rule.tier] < _TIER_RANK[chosen.tier]:
            chosen = rule
        keys.extend(k for k in rule.citations if k not in keys)
    note = _CAR_T["position"] if option == "clinical_trial_referral" else None
    return Recommendation(option, therapies.name(option), chosen.tier, chosen.evidence, chosen.rationale,
                          tuple(r.id for r in rules), tuple(keys), therapies.dose(option), note)


def _details(rule: DecisionRule, facts: patient.FactsView, key: str) -> str:
    """Reasons or missing criteria that a calculator result adds to a row's text."""
    if not rule.details_from:
        return ""
    items = facts._result_details(rule.details_from, key)
    if not items:
        return ""
    return (" " + " ".join(items)) if key == "reasons" else (" Still needed: " + ", ".join(items) + ".")


def _pathway(grade: str) -> tuple[str, str | None]:
    if grade == "NEC":
        return PATHWAY_NEC, REDIRECT_NEC
    if grade == "G3":
        return PATHWAY_G3, None
    if grade == "unknown":
        return PATHWAY_INCOMPLETE, None
    return PATHWAY_LOW_GRADE, None


def recommend(patient: Mapping[str, Any] | None = None, /, **fields: Any) -> Recommendations:
    """Evaluate the decision tables for one patient (a mapping and/or keyword fields)."""
    if fields:
        values = dict(patient or {})
        values.update(fields)
    else:
        values = patient if patient is not None else {}
    clean = PATIENT_FORM.validate(values)  # never changes its argument
    facts = derive(clean)
    tables = _tables()
    options, others = tables.fire(facts)
    pathway, redirect = _pathway(facts._values[_GRADE_AT])

    # The first exclusion of an option names it; an option excluded anywhere is never recommended.
    excluded: dict[str, Exclusion] = {}
    missing: dict[str, MissingItem] = {}
    advice: list[tuple[str, tuple[str, ...]]] = []
    contributions = tables.contributions
    exclude_first = excluded.setdefault
    for position in others:
        kind, key, made, rule = contributions[position]
        if kind == _EXCLUDE:  # the commonest row: an exclusion whose text is fixed
            exclude_first(key, made)
        elif kind == _MISSING:
            if key not in missing:
                missing[key] = made
        elif kind == _ADVICE:
            advice.append(made)
        # A row whose text a calculator result completes (e.g. the PRRT criteria that failed).
        elif rule.kind == "exclude":
            if key not in excluded:  # made: the exclusion's fields but its reason, written when first read
                exclusion = excluded[key] = _new_exclusion(Exclusion)
                fields = exclusion.__dict__
                fields.update(made)
                fields["_completes"] = rule, facts
        elif rule.kind == "missing":
            if key not in missing:
                extra = _details(rule, facts, "missing_criteria")
                missing[key] = made if not extra else MissingItem(key, made.how + extra, made.rule_id)
        else:
            extra = _details(rule, facts, "reasons")
            advice.append(made if not extra else (made[0] + extra, made[1]))

    # The options of the fired option rows, ranked (shared: the same rows rank the same), less those excluded.
    key = tuple(options)
    ranked = tables.ranked.get(key)
    if ranked is None:
        ranked = _ranked(tables, options)
        if len(tables.ranked) < _RANKED_LIMIT:
            tables.ranked[key] = ranked
    recommendations = tuple([chosen for option, chosen in ranked if option not in excluded]) if excluded \
        else tuple([chosen for _option, chosen in ranked])

    # Recommendations is frozen; its generated __init__ sets each field through object.__setattr__,
    # which costs more than the rest of this assembly.  The same fields are set directly here.
    # itemgetter gives a tuple for two positions or more (a tuple's bound __getitem__ costs more per call).
    positions = options + others
    positions.sort()
    ids = tables.ids
    fired_ids = _itemgetter(*positions)(ids) if len(positions) > 1 else tuple([ids[p] for p in positions])
    result = _new_recommendations(Recommendations)
    result.__dict__.update(
        pathway=pathway, redirect=redirect, recommendations=recommendations,
        excluded=tuple(excluded.values()), always=_ALWAYS_WITH_CAR_T, car_t=_CAR_T,
        missing=tuple(missing.values()), fired_rule_ids=fired_ids,
        facts=facts, ruleset_version=RULESET_VERSION, advice=tuple(advice))
    return result


def _ranked(tables: _CompiledTables, options: list[int]) -> tuple[tuple[str, Recommendation], ...]:
    """(option, recommendation) for the options of the fired option rows, best first: the best tier, then the
    table order of the first row of the recommendation.  Each set of supporting rows makes one shared, frozen
    recommendation."""
    supporting: dict[str, list[int]] = {}
    for position in options:
        supporting.setdefault(tables.contributions[position][1], []).append(position)
    ranked = []
    shared = tables.recommendations
    for option, rows in supporting.items():
        key = tuple(rows)
        entry = shared.get(key)
        if entry is None:
            chosen = _recommendation(option, [tables.rules[p] for p in rows])
            entry = shared[key] = ((_TIER_RANK[chosen.tier], tables.order[chosen.rule_ids[0]]), chosen)
        ranked.append(entry)
    ranked.sort()  # the sort keys differ between options, so the recommendations are never compared
    return tuple([(entry[1].option, entry[1]) for entry in ranked])


# The ranked options of at most this many sets of fired option rows are kept (random patients fire about a
# thousand sets; each entry is a few hundred bytes).
_RANKED_LIMIT = 4096


_new_recommendations = object.__new__
_GRADE_AT = _FACT_POSITION["grade"]


def rules_table() -> list[dict[str, str]]:
    """The decision tables as plain rows, for `netlib rules` and the book."""
    rows = []
    for rule in RULES:
        if rule.kind in ("option", "exclude"):
            option, tier, name = rule.option, rule.tier, therapies.name(rule.option)
        elif rule.kind == "missing":
            option, tier, name = f"missing: {rule.item}", "asks for information", f"Missing: {rule.item}"
        else:
            option, tier, name = "work-up", "advice", "Work-up"
        rows.append({
            "id": rule.id,
            "table": TABLES[rule.table],
            "conditions": " and ".join(c.text() for c in rule.conditions) or "always",
            "option": option,
            "name": name,
            "tier": tier,
            "evidence": rule.evidence,
            "rationale": rule.rationale,
            "citations": ", ".join(rule.citations),
        })
    return rows
