"""What the published numbers determine by themselves: consistency checks and implied facts.

Nothing here reads patient data.  The checks and implications work from the
values a publication states (a dataset's publication.yml, by default abstract
0647's), so they are the same for every dataset compared with the same publication;
a check that needs a value the publication does not state cannot be made.  Each implied fact comes from the
exhaustive enumerations of :mod:`.enumeration`.

Which quantities are taken as whole numbers, and why, is :data:`WHOLE_NUMBERS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from . import publications
from .enumeration import (
    FeasibleSet,
    NotStated,
    Stated,
    feasible,
    median_is_possible,
    shown,
    sign_patterns,
    sorted_vectors,
)
from .labels import LABELS

#: Quantities read as whole numbers (the chapter's footnote gives these reasons).
WHOLE_NUMBERS = {
    "age": "ages are recorded in whole years",
    "follow_up": "follow-up is reported in whole months (4 to 7)",
    "car_t_peak_day": "study days are whole days",
    "sledai": "SLEDAI-2K is a sum of whole-number item weights, from 0 to 105",
}
#: The scale of SLEDAI-2K: the lowest and highest possible total.
SLEDAI_SCALE = (0, 105)


class Verdict(StrEnum):
    CONSISTENT = "consistent"
    INCONSISTENT = "inconsistent"
    UNCHECKABLE = "cannot be checked from the text"


@dataclass(frozen=True)
class Check:
    """One consistency check: what is checked, the published numbers involved, the verdict and why."""

    topic: str
    claims: tuple[str, ...]
    verdict: Verdict
    reason: str


# ------------------------------------------------------------------ the checks
def _check(topic: str, claims: tuple[str, ...], judge: Callable[[], tuple]) -> Check:
    """``judge()`` gives (ok, why) or (ok, why, why_not); a value the publication does not state, or an
    enumeration too large to run, leaves the check one that cannot be made from the text."""
    try:
        ok, why, *why_not = judge()
    except NotStated as missing:
        said = f"the publication states no value for “{LABELS[missing.claim_id]}”"
        return Check(topic, claims, Verdict.UNCHECKABLE, said)
    except ValueError as too_large:
        return Check(topic, claims, Verdict.UNCHECKABLE, str(too_large))
    verdict = Verdict.UNCHECKABLE if ok is None else (Verdict.CONSISTENT if ok else Verdict.INCONSISTENT)
    return Check(topic, claims, verdict, why if ok or ok is None or not why_not else why_not[0])


def _partition(v: Stated, topic: str, parts: tuple[str, ...], whole: str = "n_patients") -> Check:
    def judge():
        total, n = sum(v(p) for p in parts), v(whole)
        return total == n, f"the parts add up to {shown(total)} of {shown(n)}"

    return _check(topic, (*parts, whole), judge)


#: Medians the abstract prints of whole-number quantities: the claim stem and how a reader names it.
MEDIANS = {
    "age": ("age", "age in years"),
    "follow_up": ("follow_up", "follow-up in months"),
    "car_t_peak_day": ("car_t_peak_day", "day of the CAR T cell peak"),
    "sledai_baseline": ("sledai", "SLEDAI-2K at baseline"),
    "sledai_m1": ("sledai", "SLEDAI-2K at month 1"),
    "sledai_m3": ("sledai", "SLEDAI-2K at month 3"),
}


def _median_checks(v: Stated) -> list[Check]:
    out = []
    n = v.shown("n_patients", "n")
    for stem, (_kind, name) in MEDIANS.items():
        ids = (f"{stem}_median", f"{stem}_min", f"{stem}_max")

        def possible(median_id=ids[0]):
            median, size = v(median_id), int(v("n_patients"))
            return (
                median_is_possible(median, size),
                f"{shown(median)} is a whole number or a half, as a median of {size} whole numbers must be",
                f"{shown(median)} is neither a whole number nor a half",
            )

        def in_range(ids=ids):
            median, lo, hi = (v(i) for i in ids)
            return lo <= median <= hi, f"{shown(lo)} ≤ {shown(median)} ≤ {shown(hi)}"

        out.append(_check(f"the median {name} is possible for {n} whole numbers", ids[:1], possible))
        out.append(_check(f"the range of {name} holds its median", ids, in_range))
    return out


def _crs(v: Stated) -> tuple:
    n, crs = v("n_patients"), v("n_crs_grade1") + v("n_crs_grade2_plus")
    return (
        crs <= n,
        f"{shown(crs)} with CRS leaves {shown(n - crs)} without it",
        f"{shown(crs)} with CRS is more than the {shown(n)} patients",
    )


def _renal_rate(v: Stated) -> tuple:
    n, rate = v("n_patients"), v("renal_response_rate")
    responders = v("n_renal_complete") + v("n_renal_partial")
    return (
        rate > 0 and (responders / rate).denominator == 1 and responders / rate <= n,
        f"{shown(responders)} responders at {shown(rate * 100)}% means "
        f"{shown(responders / rate) if rate else 'no'} patients with lupus nephritis",
    )


def _depletion(v: Stated) -> tuple:
    n, by_day1, by_day4 = v("n_patients"), v("n_bcell_depleted_by_day1"), v("n_bcell_depleted_by_day4")
    return by_day1 <= by_day4 <= n, f"{shown(by_day1)} ≤ {shown(by_day4)} ≤ {shown(n)}"


def _attainable(v: Stated) -> tuple:
    n = int(v("n_patients"))
    test = sign_patterns(n, Fraction(v.text("sledai_m3_p_value").lstrip("<")))
    return test.below_alpha > 0, f"the smallest exact two-sided p with {n} pairs is {shown(test.smallest_p)}"


def _entry(v: Stated) -> tuple:
    lowest = v("sledai_baseline_min")
    return (
        lowest >= 10 and v("n_sledai_baseline_ge_10") == v("n_patients"),
        f"the lowest baseline score, {shown(lowest)}, is at least 10",
    )


def checks(publication=None) -> list[Check]:
    """Every consistency check of the numbers ``publication`` states (default: abstract 0647), in the
    chapter's order; a check that needs a number it does not state cannot be made from the text."""
    v = Stated(publication)
    n = v.shown("n_patients", "n")
    alpha = v.shown("sledai_m3_p_value", "the stated level").lstrip("<")
    return [
        _partition(v, "women and men make up the cohort", ("n_female", "n_male")),
        _partition(
            v,
            "the renal categories make up the cohort",
            ("n_renal_complete", "n_renal_partial", "n_renal_no_response"),
        ),
        _check(
            "CRS grades with no CRS make up the cohort",
            ("n_crs_grade1", "n_crs_grade2_plus", "n_patients"),
            lambda: _crs(v),
        ),
        _check(
            "the renal response rate against its counts",
            ("n_renal_complete", "n_renal_partial", "renal_response_rate"),
            lambda: _renal_rate(v),
        ),
        _check(
            "depletion by day 1 cannot exceed depletion by day 4",
            ("n_bcell_depleted_by_day1", "n_bcell_depleted_by_day4"),
            lambda: _depletion(v),
        ),
        *_median_checks(v),
        _check(
            f"p below {alpha} is attainable with {n} pairs",
            ("sledai_m3_p_value", "n_patients"),
            lambda: _attainable(v),
        ),
        _check(
            "every patient met the entry criterion",
            ("sledai_baseline_min", "n_sledai_baseline_ge_10"),
            lambda: _entry(v),
        ),
    ]


#: The SLEDAI-2K visits whose feasible score vectors are enumerated.
VISITS = ("sledai_baseline", "sledai_m1", "sledai_m3")


def _vector_args(v: Stated, visit: str) -> tuple[int, Fraction, int, int]:
    return int(v("n_patients")), v(f"{visit}_median"), int(v(f"{visit}_min")), int(v(f"{visit}_max"))


#: Whole-number quantities besides SLEDAI-2K whose median and range the abstract prints (claim-id stems).
OTHER_WHOLE = ("age", "follow_up", "car_t_peak_day")


def sledai_visits(publication=None, names: tuple[str, ...] = VISITS) -> dict[str, FeasibleSet]:
    """The feasible sorted vectors of six whole numbers for each of ``names`` (default: SLEDAI-2K at
    baseline, month 1 and month 3) whose median and range ``publication`` states, and not too many."""
    v, out = Stated(publication), {}
    for name in names:
        try:
            out[name] = feasible(*_vector_args(v, name))
        except (NotStated, ValueError):
            continue
    return out


# ------------------------------------------------------------------ what they imply about the patients
@dataclass(frozen=True)
class Implications:
    """Patient-level facts the published numbers force (each from the enumerations above)."""

    #: the stated p is possible only when every paired difference is non-zero and of one sign
    every_difference_one_signed: bool
    #: the median score fell from baseline to month 3 (so the one sign is a fall)
    median_fell: bool
    #: patients with lupus nephritis implied by the renal responders and the stated response rate
    lupus_nephritis: Fraction | None
    #: per visit, every possible pair of middle values (third and fourth lowest of six)
    middle_pairs: dict[str, tuple[tuple[int, int], ...]]
    #: the smallest exact two-sided signed-rank p with one pair per patient
    smallest_p: Fraction
    #: the renal categories added up (complete, partial, none)
    renal_total: Fraction


def implications(publication=None) -> Implications | None:
    """What the numbers ``publication`` states (default: abstract 0647) force about the patients; None
    when it leaves one they rest on unstated, or they are too many to enumerate."""
    v = Stated(publication)
    try:
        n = int(v("n_patients"))
        alpha = Fraction(v.text("sledai_m3_p_value").lstrip("<"))
        rate = v("renal_response_rate")
        responders = v("n_renal_complete") + v("n_renal_partial")
        pairs = {}
        for visit in VISITS:
            vectors = sorted_vectors(*_vector_args(v, visit))
            pairs[visit] = tuple(sorted({(x[n // 2 - 1], x[n // 2]) for x in vectors})) if n % 2 == 0 else ()
        signs = sign_patterns(n, alpha)
        renal = ("n_renal_complete", "n_renal_partial", "n_renal_no_response")
        return Implications(
            every_difference_one_signed=signs.below_alpha_all_nonzero_one_sign,
            median_fell=v("sledai_m3_median") < v("sledai_baseline_median"),
            lupus_nephritis=responders / rate if rate else None,
            middle_pairs=pairs,
            smallest_p=signs.smallest_p,
            renal_total=sum((v(i) for i in renal), Fraction(0)),
        )
    except (NotStated, ValueError):
        return None


def _implied(found: Implications | None) -> dict | None:
    if found is None:
        return None
    return {
        "every_difference_one_signed": found.every_difference_one_signed,
        "every_patient_improved": found.every_difference_one_signed and found.median_fell,
        "patients_with_lupus_nephritis": shown(found.lupus_nephritis) if found.lupus_nephritis else None,
        "middle_pairs": {k: [list(p) for p in v] for k, v in found.middle_pairs.items()},
        "smallest_exact_p": shown(found.smallest_p),
        "renal_categories_total": shown(found.renal_total),
    }


def document(publication=None) -> dict:
    """Everything above as plain JSON values (``consistency.json`` at the site root), for ``publication``
    (default: abstract 0647), which it names."""
    pub = publication or publications.default()
    return {
        "publication": {"label": pub.label, "citation": pub.citation, "link": pub.link},
        "checks": [
            {"topic": c.topic, "claims": list(c.claims), "verdict": str(c.verdict), "reason": c.reason}
            for c in checks(publication)
        ],
        "whole_numbers": WHOLE_NUMBERS,
        "sledai_scale": list(SLEDAI_SCALE),
        "feasible_sorted_scores": {
            visit: {"count": fs.count, "lowest": list(fs.lower), "highest": list(fs.upper)}
            for visit, fs in sledai_visits(publication).items()
        },
        "feasible_sorted_values": {  # age, follow-up and peak day, bounded by their published range only
            name: {"count": fs.count, "lowest": list(fs.lower), "highest": list(fs.upper)}
            for name, fs in sledai_visits(publication, OTHER_WHOLE).items()
        },
        "implications": _implied(implications(publication)),
    }
