"""Figures for a patient: growth over serial scans, prior lines with their outcomes, Ki-67 on the WHO bands.

Each function returns one self-contained SVG document as text (no external fonts, images or scripts;
text stays text), made with matplotlib's Agg backend and deterministic (same input, same bytes), so
that an executed report notebook re-runs to the same output.  Every number drawn comes from netlib:
the WHO Ki-67 limits from netlib.grading, the GREPONET cut-off and the growth rates from
netlib.response (through netlib.measurements), outcome labels from netlib.patient.

matplotlib is an optional dependency (the ``reports`` and ``book`` extras); the core does not import
this module.
"""

from __future__ import annotations

import io
from html import escape
from typing import Any, Mapping, Sequence

from .grading import KI67_G2_FROM_PERCENT, KI67_G2_TO_PERCENT
from .measurements import Measurement, growth_series
from .patient import PRIOR_OUTCOMES, PRIOR_THERAPIES
from .response import TGR_HIGH_FROM_PERCENT_PER_MONTH

__all__ = ["growth_chart_svg", "prior_lines_svg", "ki67_bands_svg"]

# Colours with a text label beside each, never colour alone (Okabe-Ito palette, safe for colour blindness).
_OUTCOME_COLOURS = {"ongoing": "#0072B2", "progressed": "#D55E00", "toxicity": "#E69F00",
                    "completed": "#009E73"}
_BAND_COLOURS = ("#E5F2E5", "#FFF3D6", "#FBE0D6")
_INK = "#222222"


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _svg(figure, title: str, description: str) -> str:
    plt = _pyplot()
    buffer = io.StringIO()
    with plt.rc_context({"svg.fonttype": "none", "svg.hashsalt": "netlib"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    plt.close(figure)
    text = buffer.getvalue()
    # An accessible name and description for screen readers, as the first children of the root element.
    start = text.index("<svg")
    end = text.index(">", start) + 1
    root = text[start:end].replace("<svg", '<svg role="img"', 1)
    return (text[:start] + root + f"<title>{escape(title)}</title><desc>{escape(description)}</desc>"
            + text[end:])


def growth_chart_svg(scans: Sequence[Measurement]) -> str:
    """Sum of target-lesion diameters over the scans, each interval labelled with its tumour growth rate."""
    if len(scans) < 2:
        raise ValueError("a growth chart needs at least two scans")
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(6.4, 2.6), dpi=96)
    days = [s.when for s in scans]
    sums = [s.sum_diameters_mm for s in scans]
    axes.plot(days, sums, marker="o", color=_INK, linewidth=1.5)
    parts = []
    for (a, b), growth in zip(zip(scans, scans[1:]), growth_series(scans)):
        middle = a.when + (b.when - a.when) / 2
        if growth is None:
            label = "interval out of range"
        else:
            label = f"TGR {growth.value:.2f} %/mo"
            if growth.category == "high":
                label += " (high)"
        parts.append(f"{a.when.isoformat()} to {b.when.isoformat()}: {label}")
        axes.annotate(label, (middle, (a.sum_diameters_mm + b.sum_diameters_mm) / 2), textcoords="offset points",
                      xytext=(0, 8), ha="center", fontsize=8, color=_INK)
    axes.set_ylabel("Sum of diameters (mm)")
    axes.set_ylim(bottom=0, top=max(sums) * 1.25)
    axes.grid(axis="y", color="#dddddd", linewidth=0.6)
    axes.spines[["top", "right"]].set_visible(False)
    figure.autofmt_xdate()
    description = (f"Sum of target-lesion diameters on {len(scans)} scans, from {sums[0]:g} mm on "
                   f"{days[0].isoformat()} to {sums[-1]:g} mm on {days[-1].isoformat()}. "
                   f"GREPONET cut-off {TGR_HIGH_FROM_PERCENT_PER_MONTH:g} %/month. " + "; ".join(parts) + ".")
    return _svg(figure, "Tumour size over time", description)


def prior_lines_svg(patient: Mapping[str, Any]) -> str | None:
    """One row per prior line that was given, coloured and labelled by its outcome; None if none was given."""
    rows = [(label, patient.get(name)) for name, (_option, label) in PRIOR_THERAPIES.items()
            if patient.get(name) in _OUTCOME_COLOURS]
    if not rows:
        return None
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(6.4, 0.45 * len(rows) + 0.5), dpi=96)
    for position, (label, outcome) in enumerate(reversed(rows)):
        axes.barh(position, 1, color=_OUTCOME_COLOURS[outcome], height=0.7)
        axes.text(0.02, position, PRIOR_OUTCOMES[outcome], va="center", ha="left", fontsize=9,
                  color="white" if outcome in ("progressed", "ongoing") else _INK)
    axes.set_yticks(range(len(rows)), [label for label, _ in reversed(rows)], fontsize=9)
    axes.set_xlim(0, 1)
    axes.set_xticks([])
    axes.spines[:].set_visible(False)
    description = "Prior lines and their outcomes: " + "; ".join(
        f"{label}: {PRIOR_OUTCOMES[outcome].lower()}" for label, outcome in rows) + "."
    return _svg(figure, "Prior lines of treatment", description)


def ki67_bands_svg(ki67_percent: float) -> str:
    """The Ki-67 index as a marker on the WHO 2019/2022 bands for NET G1, G2 and G3."""
    if not 0 <= ki67_percent <= 100:
        raise ValueError(f"ki67_percent must be from 0 to 100; got {ki67_percent!r}")
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(6.4, 1.1), dpi=96)
    top = max(40.0, min(100.0, ki67_percent * 1.2))
    bands = ((0, KI67_G2_FROM_PERCENT, "G1"), (KI67_G2_FROM_PERCENT, KI67_G2_TO_PERCENT, "G2"),
             (KI67_G2_TO_PERCENT, top, "G3"))
    for (low, high, name), colour in zip(bands, _BAND_COLOURS):
        axes.axvspan(low, high, color=colour)
        axes.text((low + high) / 2, 0.78, name, ha="center", va="center", fontsize=9, color=_INK)
    axes.axvline(ki67_percent, color=_INK, linewidth=2)
    axes.text(ki67_percent, 0.3, f" Ki-67 {ki67_percent:g} %", ha="left", va="center", fontsize=9, color=_INK)
    axes.set_xlim(0, top)
    axes.set_ylim(0, 1)
    axes.set_yticks([])
    axes.set_xlabel("Ki-67 index (%)")
    axes.spines[["top", "right", "left"]].set_visible(False)
    description = (f"Ki-67 {ki67_percent:g} % on the WHO bands: G1 below {KI67_G2_FROM_PERCENT:g} %, G2 "
                   f"{KI67_G2_FROM_PERCENT:g} to {KI67_G2_TO_PERCENT:g} %, G3 above {KI67_G2_TO_PERCENT:g} %.")
    return _svg(figure, "Ki-67 on the WHO grade bands", description)
