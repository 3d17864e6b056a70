"""What the published numbers determine: the consistency checks, the feasible scores and their implications.

Everything here but the chart's marks (:mod:`.feasible_figure`) and the list of
fragile claims reads the consistency audit of the published numbers
(:func:`sle_cart.analysis.consistency.document`), never the patients' values:
the same for every dataset compared with the same publication.  Claims are
named by their labels; the audit's ids stay in ``consistency.json``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from sle_cart.analysis import consistency, publications, robustness
from sle_cart.analysis.claims import claim_by_id
from sle_cart.analysis.enumeration import NotStated, number, published, shown
from sle_cart.analysis.findings import findings_of
from sle_cart.analysis.robustness import Robustness

from .claims_text import UNDECIDED, claim_labels
from .table import Table

if TYPE_CHECKING:
    from sle_cart.inputs.dataset import Dataset

#: The SLEDAI-2K visits of the audit: (its key, what a reader calls the visit).
VISITS = {"sledai_baseline": "Baseline", "sledai_m1": "Month 1", "sledai_m3": "Month 3"}


def audit(ds: Dataset) -> dict:
    """The consistency audit of the publication ``ds`` is compared with, as in ``consistency.json``:
    the one in its findings (computed once per build)."""
    return findings_of(ds).audit


def _printed(claim_id: str, publication=None) -> str:
    """The value as printed, or 'not stated'."""
    try:
        return published(claim_id, publication)
    except NotStated:
        return "not stated"


#: Said instead of an implication when the publication leaves a number it rests on unstated.
NOT_IMPLIED = "The publication does not state every number this implication rests on, so it cannot be drawn."


def ordinal(i: int, n: int) -> str:
    """'lowest', '2nd lowest', … 'highest' for the i-th (from 1) of n sorted values."""
    if i == 1:
        return "lowest"
    if i == n:
        return "highest"
    suffix = {2: "nd", 3: "rd"}.get(i, "th")
    return f"{i}{suffix} lowest"


def numbers_involved(ids: list[str], publication=None) -> str:
    """'Women: 3; Men: 3; Patients treated: 6': each published number by its label and printed value."""
    return "; ".join(f"{claim_by_id(i).label}: {_printed(i, publication)}" for i in ids)


def _sentence(text: str) -> str:
    """The text with a capital, unless it starts with a one-letter symbol ('p below 0.05 …')."""
    return text if text[1:2] == " " else text[:1].upper() + text[1:]


def assumptions_note(ds: Dataset) -> str:
    """The footnote: which quantities are taken as whole numbers and why, and the SLEDAI-2K scale."""
    doc = audit(ds)
    lo, hi = doc["sledai_scale"]
    why = "; ".join(doc["whole_numbers"].values())
    return (
        f"Whole numbers are assumed where the quantity is recorded as one: {why}. "
        f"Scores are bounded by the SLEDAI-2K scale, {lo} to {hi} points."
    )


def checks_table(ds: Dataset) -> Table:
    """Each consistency check of the published numbers: the numbers involved, its verdict and why."""
    rows = [
        {
            "Check": _sentence(c["topic"]),
            "Published numbers": numbers_involved(c["claims"], ds.publication),
            "Verdict": c["verdict"],
            "Why": f"because {c['reason']}",  # a word first: the reasons start with numbers ('5 ≤ 6 ≤ 6')
        }
        for c in audit(ds)["checks"]
    ]
    return Table(
        pd.DataFrame(rows).set_index("Check"),
        [
            f"Published numbers: as printed in {publications.of(ds).label}, by what they count or measure.",
            "Verdict: consistent, inconsistent, or cannot be checked from the text.",
            assumptions_note(ds),
        ],
    )


#: The other whole-number quantities of the audit, as a reader names them.
OTHER = {
    "age": "Age (years)",
    "follow_up": "Follow-up (months)",
    "car_t_peak_day": "Day of the CAR T cell peak",
}


def _visit_bounds(visit: str, ds: Dataset, part: str = "feasible_sorted_scores") -> dict:
    publication = ds.publication
    fs = audit(ds)[part][visit]
    n = len(fs["lowest"])
    row = {
        "Published median (range)": f"{published(visit + '_median', publication)} "
        f"({published(visit + '_min', publication)}–{published(visit + '_max', publication)})",
        "Possible sets of values": str(fs["count"]),
    }
    for i in range(2, n):
        lo, hi = fs["lowest"][i - 1], fs["highest"][i - 1]
        row[_sentence(ordinal(i, n))] = str(lo) if lo == hi else f"{lo}–{hi}"
    return row


def feasible_table(ds: Dataset) -> Table:
    """Per SLEDAI-2K visit, and for age, follow-up and the peak day: how many sorted sets of whole numbers
    fit the published median and range, and the bounds of each value between the lowest and the highest."""
    doc = audit(ds)
    shown_visits = [v for v in VISITS if v in doc["feasible_sorted_scores"]]
    others = [q for q in OTHER if q in doc["feasible_sorted_values"]]
    rows = [_visit_bounds(v, ds) for v in shown_visits]
    rows += [_visit_bounds(q, ds, "feasible_sorted_values") for q in others]
    names = [f"SLEDAI-2K, {VISITS[v].lower()}" for v in shown_visits] + [OTHER[q] for q in others]
    if not rows:
        rows, names = (
            [{"Possible sets of values": "not stated: the publication gives no median and range"}],
            ["Any"],
        )
    frame = pd.DataFrame(rows, index=pd.Index(names, name="Quantity"))
    n = _printed("n_patients", ds.publication)
    lo, hi = doc["sledai_scale"]
    return Table(
        frame,
        [
            f"Possible sets of values: every way to choose {n} whole numbers (sorted, so which patient had "
            "which value does not count) whose median, lowest and highest are the published ones, counted one "
            f"by one; SLEDAI-2K scores lie from {lo} to {hi}, and age, follow-up and the peak day only within "
            "their published range.",
            "Lowest positions: the range of each sorted position, 2nd to 5th lowest, across all those sets (the "
            "lowest and the highest are the published minimum and maximum).",
        ],
    )


# ------------------------------------------------------------------ the chapter's paragraphs
def checks_text(ds: Dataset) -> list[str]:
    """How many checks each verdict has, and what the text could not check."""
    checks = audit(ds)["checks"]
    verdicts = [c["verdict"] for c in checks]
    by = {v: verdicts.count(str(v)) for v in consistency.Verdict}
    if by[consistency.Verdict.CONSISTENT] == len(checks):
        head = f"All {len(checks)} checks of the published numbers against each other are consistent."
    else:
        head = (
            f"Of {len(checks)} checks of the published numbers against each other: "
            + ", ".join(f"{n} {v}" for v, n in by.items() if n)
            + "."
        )
    bad = [_sentence(c["topic"]) for c in checks if c["verdict"] == consistency.Verdict.INCONSISTENT]
    if bad:
        head += " Inconsistent: " + "; ".join(bad) + "."
    return [head]


def sign_text(ds: Dataset) -> str:
    """The sign pattern that p below the published threshold forces with six pairs."""
    n = int(number("n_patients", ds.publication))
    alpha = published("sledai_m3_p_value", ds.publication).lstrip("<")
    first, last = (published(f"{v}_median", ds.publication) for v in ("sledai_baseline", "sledai_m3"))
    found = audit(ds)["implications"]
    if not found["every_difference_one_signed"]:
        return (
            f"With {n} pairs, p below {alpha} does not force every change to go the same way, so the published "
            "p-value says nothing about each patient."
        )
    text = (
        f"With {n} pairs, an exact two-sided Wilcoxon signed-rank p below {alpha} is possible only when all {n} "
        f"changes from baseline are non-zero and go the same way (the smallest attainable p is "
        f"{found['smallest_exact_p']}; every other pattern of signs, zeros and ties gives {alpha} or more)."
    )
    if found["every_patient_improved"]:
        text += (
            f" The median fell from {first} to {last}, so every patient's SLEDAI-2K was lower "
            "at month 3 than at baseline."
        )
    return text


def renal_text(ds: Dataset) -> str:
    """How many patients had lupus nephritis, by the renal counts and the stated response rate."""
    found = audit(ds)["implications"]
    lupus = found["patients_with_lupus_nephritis"]
    ids = ("n_renal_complete", "n_renal_partial", "n_renal_no_response")
    parts = " + ".join(published(i, ds.publication) for i in ids)
    rate = shown(number("renal_response_rate", ds.publication) * 100)
    total = published("n_patients", ds.publication)
    text = (
        f"The renal counts, complete {published(ids[0], ds.publication)}, partial {published(ids[1], ds.publication)} and none "
        f"{published(ids[2], ds.publication)}, add up to {found['renal_categories_total']} ({parts}); a response in "
        f"{rate}% of the patients with lupus nephritis then means {lupus} had it"
    )
    return text + (f": all {total} patients had lupus nephritis." if lupus == total else ".")


def middle_text(ds: Dataset) -> str:
    """The month-1 median's middle pair."""
    pairs = audit(ds)["implications"]["middle_pairs"]["sledai_m1"]
    if not pairs:
        return ""
    options = ", or ".join(f"{a} and {b}" for a, b in pairs)
    return (
        f"A month-1 median of {published('sledai_m1_median', ds.publication)} with whole-number scores from "
        f"{published('sledai_m1_min', ds.publication)} to {published('sledai_m1_max', ds.publication)} means the 3rd and 4th lowest scores add "
        f"up to {sum(pairs[0])}: they are {options}."
    )


def implications_text(ds: Dataset) -> list[str]:
    """What the published numbers imply about the patients, which the abstract never states."""
    if audit(ds)["implications"] is None:
        return [NOT_IMPLIED]
    return [sign_text(ds), renal_text(ds) + " " + middle_text(ds)]


def undecided_text(ds: Dataset) -> list[str]:
    """Per alternative, the claims fragile on these data whose verdict the publication does not decide."""
    found = findings_of(ds)
    fragile = found.with_robustness(Robustness.FRAGILE)
    parts = []
    for a in robustness.ALTERNATIVES:
        open_ = [c for c in fragile if a.id in c.undecided(c.alternatives)]
        if open_:
            parts.append(f"under {a.label}, {claim_labels(open_)}")
    where = "on the reconstruction" if ds.reconstructed else "on this dataset"
    if not parts:
        return [f"No claim is fragile {where} in a way the published numbers leave open."]
    kept = _decided_pairs(found, ds.publication)
    text = (
        f"Fragile {where}, and not decided by the publication: " + " — ".join(parts) + ". In each case "
        f"{UNDECIDED}: the verdict under that alternative depends on patient values the publication does not "
        "print, so sets of values that all reproduce the published numbers disagree on it."
    )
    if kept:
        text += f" The published numbers do decide {'; '.join(kept)}."
    return [text]


def _decided_pairs(found, publication=None) -> list[str]:
    """'B cells depleted by day 4 under depletion threshold 10 cells/µL (…)': the claims an alternative
    could change whose verdict under it the publication still decides (a count already at all or none)."""
    out = []
    for c in found.claims:
        for a in c.could_affect:
            if not c.undecided((a,)):
                out.append(
                    f"{c.verdict.claim.label} under {robustness.BY_ID[a].label} (a published count of "
                    f"{published(c.id, publication)} of {published('n_patients', publication)} cannot change "
                    "in that direction)"
                )
    return out


#: The chapter's paragraphs, by the names ``prose.SECTIONS`` gives them.
SECTIONS = {
    "published_checks": checks_text,
    "published_implications": implications_text,
    "published_undecided": undecided_text,
}
