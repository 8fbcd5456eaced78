"""CDS Hooks cards for a recommend() result (https://cds-hooks.org, card fields summary, indicator,
detail, source, suggestions).  Card identifiers are derived from their content, so the same
patient always gives the same cards."""

from __future__ import annotations

import uuid

from . import NOT_A_MEDICAL_DEVICE

_NAMESPACE = uuid.UUID("6f1c9a52-4b0e-5d7e-9a1f-2c3b4d5e6f70")
SOURCE_LABEL = "Low-grade NET executable guideline"
# CDS Hooks 2.0: a Coding (source.topic) needs a code system as well as a code.
TOPIC_SYSTEM = "urn:netlib:cds-topic"


def _id(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "|".join(parts)))


def _summary(text: str) -> str:
    # CDS Hooks: summary must be under 140 characters.
    return text if len(text) < 140 else text[:136] + "..."


def _source(citations) -> dict:
    return {"label": SOURCE_LABEL, "topic": {"system": TOPIC_SYSTEM, "code": "netlib",
                                             "display": "; ".join(citations)}}


def cards(result) -> dict:
    """The result as a CDS Hooks response: {"cards": [...]}."""
    out = []
    if result.redirect:
        out.append({"uuid": _id("redirect", result.redirect), "summary": _summary("Not a NET pathway: "
                    + result.redirect.split(":")[0].split("(")[0].strip()), "indicator": "critical",
                    "detail": result.redirect + "\n\n" + NOT_A_MEDICAL_DEVICE, "source": {"label": SOURCE_LABEL}})
    for rec in result.recommendations:
        detail = f"**{rec.tier}** (evidence: {rec.evidence}). {rec.rationale}"
        if rec.dose:
            detail += f"\n\nDose: {rec.dose}"
        if rec.car_t_note:
            detail += f"\n\nCAR-T: {rec.car_t_note}"
        detail += f"\n\nRules: {', '.join(rec.rule_ids)}. {NOT_A_MEDICAL_DEVICE}"
        out.append({
            "uuid": _id("rec", rec.option, rec.tier),
            "summary": _summary(f"{rec.name}: {rec.tier}"),
            "indicator": "info",
            "detail": detail,
            "source": _source(rec.citations),
            "suggestions": [{"label": f"Discuss {rec.name} at the tumour board", "uuid": _id("sug", rec.option),
                             "isRecommended": rec.tier == "preferred", "actions": []}],
            "selectionBehavior": "at-most-one",
        })
    for item in result.excluded:
        out.append({"uuid": _id("exc", item.option), "summary": _summary(f"Not recommended: {item.name}"),
                    "indicator": "warning", "detail": f"{item.reason} (rule {item.rule_id})",
                    "source": _source(item.citations)})
    for item in result.missing:
        out.append({"uuid": _id("missing", item.item), "summary": _summary(f"Missing: {item.item}"),
                    "indicator": "warning", "detail": item.how, "source": {"label": SOURCE_LABEL},
                    "suggestions": [{"label": item.how[:100], "uuid": _id("get", item.item), "actions": []}],
                    # CDS Hooks: selectionBehavior MUST accompany suggestions.
                    "selectionBehavior": "at-most-one"})
    for statement, citations in result.advice:
        out.append({"uuid": _id("advice", statement), "summary": _summary(f"Work-up: {statement}"),
                    "indicator": "info", "detail": f"{statement} {NOT_A_MEDICAL_DEVICE}",
                    "source": _source(citations)})
    return {"cards": out}
