"""The schema of ``publication.yml``: its keys, and the claim ids a publication may state.

One schema object serves the reader (:mod:`.publication`), the starter file
``template`` writes and the data-dictionary chapter, so the documentation
cannot drift from the checks.  The claim ids and units are the data contract's
claims table; what each id computes is the analysis catalogue
(``sle_cart.analysis.published``), which must name exactly these ids.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FILE = "publication.yml"

#: Claim id -> unit of its value: the data contract's claims table, in its order.
CLAIM_UNITS = {
    "n_patients": "patients",
    "n_female": "patients",
    "n_male": "patients",
    "age_median": "years",
    "age_min": "years",
    "age_max": "years",
    "disease_duration_median": "years",
    "disease_duration_min": "years",
    "disease_duration_max": "years",
    "n_sledai_baseline_ge_10": "patients",
    "n_prior_lines_ge_2": "patients",
    "follow_up_median": "months",
    "follow_up_min": "months",
    "follow_up_max": "months",
    "car_t_peak_median": "cells/µL",
    "car_t_peak_day_median": "day",
    "car_t_peak_day_min": "day",
    "car_t_peak_day_max": "day",
    "n_bcell_depleted_by_day1": "patients",
    "n_bcell_depleted_by_day4": "patients",
    "sledai_baseline_median": "points",
    "sledai_baseline_min": "points",
    "sledai_baseline_max": "points",
    "sledai_m1_median": "points",
    "sledai_m1_min": "points",
    "sledai_m1_max": "points",
    "sledai_m3_median": "points",
    "sledai_m3_min": "points",
    "sledai_m3_max": "points",
    "sledai_m3_p_value": "p",
    "n_renal_complete": "patients",
    "n_renal_partial": "patients",
    "n_renal_no_response": "patients",
    "renal_response_rate": "proportion",
    "n_dsdna_negative": "patients",
    "n_complement_normal_by_day60": "patients",
    "n_crs_grade1": "patients",
    "n_crs_grade2_plus": "patients",
    "n_icans": "patients",
}

NUMBER = re.compile(r"^\d+(\.\d+)?$")
THRESHOLD = re.compile(r"^<\d+(\.\d+)?$")


@dataclass(frozen=True)
class Kind:
    """What a published value of one unit may be: ``rule`` is shown in errors and in the dictionary."""

    rule: str
    whole: bool = False  # a count of patients
    at_most_one: bool = False  # a proportion or a p-value
    threshold: bool = False  # '<0.05' is allowed


KINDS = {
    "patients": Kind("a whole number of patients, e.g. 3", whole=True),
    "proportion": Kind("a proportion from 0 to 1, written as a decimal, e.g. 0.5 for 50 %", at_most_one=True),
    "p": Kind(
        'a p-value from 0 to 1, e.g. 0.031, or a threshold in quotes, e.g. "<0.05"',
        at_most_one=True,
        threshold=True,
    ),
}
MEASURE = Kind("a number >= 0 with the decimals the publication prints, e.g. 5.0 or 188.1")


def kind_of(claim_id: str) -> Kind:
    """The kind of value claim ``claim_id`` takes."""
    return KINDS.get(CLAIM_UNITS[claim_id], MEASURE)


def wrong_kind(claim_id: str, text: str) -> str | None:
    """Why ``text`` cannot be claim ``claim_id``'s published value, or None when it can."""
    kind = kind_of(claim_id)
    if kind.threshold and THRESHOLD.match(text):
        number = text[1:]
    elif NUMBER.match(text):
        number = text
    else:
        return f"must be {kind.rule}"
    if kind.whole and "." in number:
        return f"must be {kind.rule}"
    if kind.at_most_one and float(number) > 1:
        return f"must be {kind.rule}"
    return None


@dataclass(frozen=True)
class Key:
    """One key of publication.yml: its dotted name, whether it is required, and its rule."""

    name: str
    required: str  # "yes", "no", or when one of several is required, the rule ("doi or url")
    rule: str


CITATION_KEYS = ("authors", "title", "venue", "year", "doi", "url", "label")
TOP_KEYS = ("citation", "registration", "intervention", "claims")

KEYS = (
    Key("citation.authors", "yes", "a list of the authors as the publication lists them, e.g. [Zhao J, Mu R]"),
    Key("citation.title", "yes", "the title as published"),
    Key("citation.venue", "yes", "journal or meeting, with volume and issue, e.g. Arthritis Rheumatol. 2025;77(suppl 9)"),
    Key("citation.year", "yes", "the year of publication, four digits"),
    Key("citation.doi", "doi or url", "the DOI without https://doi.org/, e.g. 10.1002/art.43000"),
    Key("citation.url", "doi or url", "an address starting with https:// or http://"),
    Key("citation.label", "no", "how pages name the publication, e.g. abstract 0647 (default: first author et al., year)"),
    Key("registration", "no", "the trial registration, e.g. NCT06513429"),
    Key("intervention", "no", "the intervention as the publication states it, e.g. 1×10⁶ CAR T cells/kg"),
    Key(
        "claims.<claim id>",
        "at least one",
        "the published value as written: its decimals are the precision it is checked to "
        "(5.0 is checked to one decimal); claims not listed are computed but not checked",
    ),
)  # fmt: skip
