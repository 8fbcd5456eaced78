"""Gastric neuroendocrine tumours: type 1, 2 or 3 from the background of the stomach.

* ``gastric_net_type`` - the clinical type of a well-differentiated gastric NET from serum gastrin,
  chronic atrophic gastritis and, when gastrin is high without atrophic gastritis, a gastrinoma.

The type is not the grade: a gastric NET has both, and the type says why the tumour grew and how it
behaves.  Source: the ENETS 2023 guidance for gastroduodenal NETs (Panzuto et al., J Neuroendocrinol
2023, doi:10.1111/jne.13306).  The frequencies and behaviour below were checked in a summary of that
guidance and in a review by its first author (Dell'Unto et al. 2024), not against the guidance's full
text; they are given as the book's reading.

Conventions where the three inputs do not fit a textbook type (judgement, not from the guidance):

* Atrophic gastritis with a normal gastrin: the tumour is not gastrin-driven, so it is classed as
  type 3 with a warning (recheck the gastrin and the mucosa around the tumour).
* High gastrin without atrophic gastritis and without a gastrinoma: most often a proton-pump
  inhibitor effect; classed as type 3 (sporadic) with a warning to recheck the gastrin and exclude
  a gastrinoma.
* A gastrinoma needs a high gastrin: a gastrinoma with a normal gastrin is refused.
"""

from __future__ import annotations

from .inputs import InputError, Rule, boolean
from .registry import Result, calculator, make_result

GASTRIC_NET_TYPES = ("type 1", "type 2", "type 3")

# ENETS 2023 (as summarised): share of gastric NENs by type, in per cent.
TYPE_1_SHARE_FROM_PERCENT = 75
TYPE_1_SHARE_TO_PERCENT = 80
TYPE_2_SHARE_PERCENT = 5
TYPE_3_SHARE_FROM_PERCENT = 15
TYPE_3_SHARE_TO_PERCENT = 25
# ENETS 2023 (as summarised): type 1 metastasises in fewer than 5 %; type 3 is metastatic in more
# than half at diagnosis, with a 5-year survival of about 70 %.
TYPE_1_METASTASIS_BELOW_PERCENT = 5
TYPE_3_METASTATIC_ABOVE_PERCENT = 50
TYPE_3_FIVE_YEAR_SURVIVAL_PERCENT = 70

_CITATIONS = ("panzuto2023enets",)
_CITATIONS_TYPE_3 = ("panzuto2023enets", "dellunto2024type3")

_BEHAVIOUR = {
    "type 1": (f"The commonest type ({TYPE_1_SHARE_FROM_PERCENT}-{TYPE_1_SHARE_TO_PERCENT} % of gastric "
               "NENs): chronic atrophic gastritis removes acid, the antrum answers with gastrin, and "
               "gastrin drives the enterochromaffin-like cells. Usually small, multiple and indolent: "
               f"metastases in fewer than {TYPE_1_METASTASIS_BELOW_PERCENT} % and survival close to that "
               "of the general population."),
    "type 2": (f"Rare (about {TYPE_2_SHARE_PERCENT} %): gastrin from a gastrinoma (Zollinger-Ellison "
               "syndrome, most often with MEN1) drives the tumours while acid stays high. Usually "
               "multiple and small, with more risk of spread than type 1."),
    "type 3": (f"Sporadic ({TYPE_3_SHARE_FROM_PERCENT}-{TYPE_3_SHARE_TO_PERCENT} %), with normal gastrin "
               "and mucosa: usually single and larger, and the most aggressive type (historically "
               f"metastatic in more than {TYPE_3_METASTATIC_ABOVE_PERCENT} %, 5-year survival about "
               f"{TYPE_3_FIVE_YEAR_SURVIVAL_PERCENT} %)."),
}
_MANAGEMENT = {
    "type 1": ("Management frame: endoscopic surveillance, or endoscopic resection of the larger lesions, "
               "after endoscopic ultrasound where needed; surgery only for invasive or higher-grade "
               "disease. Follow the atrophic gastritis too (vitamin B12, iron, gastric cancer risk)."),
    "type 2": ("Management frame: find and treat the gastrinoma (usually duodenal or pancreatic), control "
               "acid with a proton-pump inhibitor, resect the gastric lesions endoscopically where "
               "feasible, and test for MEN1."),
    "type 3": ("Management frame: stage it as a gastric cancer; surgical resection with lymphadenectomy "
               "is the standard, and ENETS 2023 accepts endoscopic resection for small, low-grade tumours "
               "confined to the submucosa without lymphovascular invasion."),
}


def _gastrinoma_answered_when_needed() -> Rule:
    def check(values):
        elevated, atrophic, gastrinoma = (values["gastrin_elevated"], values["atrophic_gastritis"],
                                          values["gastrinoma"])
        if gastrinoma and not elevated:
            return InputError("gastrinoma", True, "false or empty when gastrin is not elevated",
                              "gastrinoma is true but gastrin_elevated is false: a gastrinoma raises serum "
                              "gastrin; recheck the gastrin, or set gastrinoma to false")
        if elevated and not atrophic and gastrinoma is None:
            return InputError("gastrinoma", None, "true or false when gastrin is high without atrophic "
                              "gastritis",
                              "gastrinoma is required when gastrin is elevated without atrophic gastritis: "
                              "has a gastrinoma (Zollinger-Ellison syndrome) been found or excluded?")
        return None

    return Rule(("gastrin_elevated", "atrophic_gastritis", "gastrinoma"),
                "a gastrinoma needs a high gastrin, and must be answered when gastrin is high without "
                "atrophic gastritis", check)


@calculator(
    id="gastric_net_type",
    title="Type of a gastric neuroendocrine tumour (1, 2 or 3)",
    summary="Types a well-differentiated gastric NET as type 1 (atrophic gastritis), type 2 "
            "(gastrinoma) or type 3 (sporadic) from serum gastrin, atrophic gastritis and a gastrinoma, "
            "with its usual behaviour and the management frame of the ENETS 2023 guidance.",
    fields=(
        boolean("gastrin_elevated", "Serum gastrin elevated",
                help="Fasting gastrin above the laboratory's upper limit of normal, ideally measured off "
                     "proton-pump inhibitors where that is safe.",
                source=("panzuto2023enets",)),
        boolean("atrophic_gastritis", "Chronic atrophic gastritis",
                help="Atrophic gastritis of the gastric body on biopsies taken away from the tumour "
                     "(usually autoimmune).",
                source=("panzuto2023enets",)),
        boolean("gastrinoma", "Gastrinoma (Zollinger-Ellison syndrome)", required=False,
                help="Needed when gastrin is high without atrophic gastritis: true if a gastrinoma has "
                     "been found (often with MEN1), false if excluded.",
                source=("panzuto2023enets",)),
    ),
    rules=(_gastrinoma_answered_when_needed(),),
    categories=GASTRIC_NET_TYPES,
    citations=_CITATIONS,
    when_to_use="A well-differentiated neuroendocrine tumour found in the stomach, before deciding between "
                "surveillance, endoscopic resection and surgery.",
    pearls=(
        "Type is not grade: report both (a type 3 G1 NET still behaves more aggressively than a type 1 G1).",
        "Proton-pump inhibitors raise gastrin: a high gastrin without atrophic gastritis is most often a "
        "drug effect, not a gastrinoma.",
        "Type 1 and type 2 are driven by gastrin and are often multiple; type 3 is usually single.",
        "Gastric neuroendocrine carcinoma (poorly differentiated) is not typed here: it follows the NEC "
        "pathway.",
    ),
)
def gastric_net_type(*, gastrin_elevated: bool, atrophic_gastritis: bool,
                     gastrinoma: bool | None = None) -> Result:
    """Type 1 = high gastrin with atrophic gastritis; type 2 = high gastrin from a gastrinoma;
    type 3 = neither (ENETS 2023).  See the module docstring for the unusual combinations."""
    warnings: list[str] = []
    if atrophic_gastritis and gastrin_elevated:
        category = "type 1"
        reason = "high gastrin with chronic atrophic gastritis"
        if gastrinoma:
            warnings.append("A gastrinoma with atrophic gastritis is very unusual (atrophy removes the acid "
                            "that Zollinger-Ellison syndrome produces): typed 1 from the gastritis; "
                            "review both findings.")
    elif gastrin_elevated and gastrinoma:
        category = "type 2"
        reason = "high gastrin from a gastrinoma, without atrophic gastritis"
    else:
        category = "type 3"
        if atrophic_gastritis:
            reason = "atrophic gastritis but a normal gastrin, so the tumour is not gastrin-driven"
            warnings.append("Atrophic gastritis with a normal gastrin does not fit type 1: recheck the "
                            "gastrin and look for enterochromaffin-like cell hyperplasia around the tumour. "
                            "Typed 3 (sporadic) until shown otherwise.")
        elif gastrin_elevated:
            reason = "high gastrin without atrophic gastritis or gastrinoma, treated as sporadic"
            warnings.append("High gastrin without atrophic gastritis or a gastrinoma is most often caused "
                            "by proton-pump inhibitors: recheck the gastrin off them if safe, and exclude a "
                            "gastrinoma (gastric pH, secretin test) before settling on type 3.")
        else:
            reason = "normal gastrin and no atrophic gastritis"
    return make_result(
        "gastric_net_type", category=category,
        interpretation=f"Gastric NET {category} ({reason}). {_BEHAVIOUR[category]} {_MANAGEMENT[category]}",
        warnings=warnings, citations=_CITATIONS_TYPE_3 if category == "type 3" else _CITATIONS,
        details={"type": int(category[-1]), "gastrin_driven": category != "type 3",
                 "behaviour": _BEHAVIOUR[category], "management": _MANAGEMENT[category]})
