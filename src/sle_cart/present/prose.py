"""The summary's sentences, built from the values of the dataset at hand.

One source for every sentence and number: the summary chapter shows these
paragraphs and the PDF typesets the same ones.  A sentence whose data are
absent becomes a sentence saying so ("This dataset has no CAR T cell counts;
Figure 1a cannot be drawn."), never a phrase with a hole in it.  Facts about the
abstract's own trial (vector, lymphodepletion, single centre) are stated as the
trial's only when the dataset is the bundled reconstruction of that trial;
otherwise they are attributed to the abstract, or to a dataset's own publication
(:mod:`.attribution`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sle_cart.analysis.findings import analyses_of
from sle_cart.analysis.outcomes import CLAIM_DEPLETION_DAYS, SLEDAI_ENTRY
from sle_cart.paths import BUNDLED

from . import attribution, published_numbers, registry
from .claims_text import ledger_text, reproduction, robustness_text
from .clinical_text import SAFETY_GAPS, conditioning_limitation, dose_sentence, reconstitution_sentence
from .formatting import no_pair_reason, p_is, p_value, shift_text
from .summary import summary_values

if TYPE_CHECKING:
    from sle_cart.inputs.dataset import Dataset

#: Where one sentence ends and the next begins ("… 0.031. Next"; not "0.5" nor "Rheumatol.2025").
SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+")
#: A term of one or two words and a colon: the start of a note that defines a column.
GLOSSARY_ENTRY = re.compile(r"^\S+(?: \S+)?: ")


def is_the_trial(ds: Dataset) -> bool:
    """The dataset is the bundled reconstruction of the abstract's own trial (and compared with the abstract)."""
    return ds.name == BUNDLED.name and ds.reconstructed and ds.publication is None


def table_label(name: str) -> str:
    """'Table 7': the label of the registry's table ``name`` (the site links it; the paper renumbers it)."""
    return registry.get(name).title.split(".")[0]


def starts_with_numeral(paragraph: str) -> list[str]:
    """The sentences of ``paragraph`` that begin with a digit (a sentence should begin with a word);
    a note's glossary entry ("n / N: the patients …") names a column and is not a sentence."""
    return [s for s in SENTENCE_BREAK.split(paragraph) if s[:1].isdigit() and not GLOSSARY_ENTRY.match(s)]


def _has(ds: Dataset, analyte: str) -> bool:
    return bool((ds.measurements["analyte"] == analyte).any())


def _n(v: dict, claim_id: str) -> str:
    """'; n = k of N' when a median rests on fewer than all patients, else ''."""
    n, total = v[f"{claim_id}_n"], v["n_cohort"]
    return "" if n == total else f"; n = {n} of {total}"


def treated(ds: Dataset) -> list[str]:
    v = summary_values(ds)
    trial = "The single-centre pilot enrolled" if is_the_trial(ds) else "This dataset describes"
    first = (
        f"{trial} {v['n_patients']} patients with refractory systemic lupus erythematosus "
        f"({v['n_female']} women and {v['n_male']} men), aged {v['age_median']} years at the median "
        f"(range {v['age_min']}–{v['age_max']}{_n(v, 'age_median')})."
    )
    sentences = [first]
    if v["disease_duration_median"] != "not evaluable":
        sentences.append(
            f"They had lived with lupus for a median of {v['disease_duration_median']} years "
            f"(range {v['disease_duration_min']}–{v['disease_duration_max']}{_n(v, 'disease_duration_median')})."
        )
    if v["n_sledai_baseline_ge_10"] != "not evaluable":
        sentences.append(
            f"At entry, {v['n_sledai_baseline_ge_10']} of the {v['sledai_baseline_n']} patients with a "
            f"baseline SLEDAI-2K had active disease ({SLEDAI_ENTRY} points or more)."
        )
    if v["n_prior_lines_ge_2"] != "not evaluable":
        sentences.append(
            f"Of the {v['prior_lines_n']} patients with a known treatment history, {v['n_prior_lines_ge_2']} had not "
            "responded well enough to at least two earlier lines of treatment."
        )
    sentences.append(attribution.treatment(ds, is_the_trial(ds)))
    sentences += dose_sentence(analyses_of(ds).dose_levels)
    if v["follow_up_median"] != "not evaluable":
        sentences.append(
            f"Follow-up lasted {v['follow_up_median']} months at the median "
            f"(range {v['follow_up_min']}–{v['follow_up_max']}{_n(v, 'follow_up_median')})."
        )
    return [" ".join(sentences)]


def expansion(ds: Dataset) -> list[str]:
    v = summary_values(ds)
    out = []
    if not _has(ds, "car_t"):
        out.append("This dataset has no CAR T cell counts; Figure 1a cannot be drawn.")
    else:
        k = analyses_of(ds).kinetics
        non = int((~k["expander"].dropna().astype(bool)).sum())
        s = (
            f"Circulating CAR+ T cells peaked at a median of {v['car_t_peak_median']} cells/µL"
            + (f" (n = {v['car_t_peak_median_n']} of {v['n_cohort']})" if _n(v, "car_t_peak_median") else "")
            if v["car_t_peak_median"] != "not evaluable"
            else "The median CAR+ T cell peak cannot be given (it would rest on a patient never above the assay limit)"
        )
        if v["car_t_peak_day_median"] != "not evaluable":
            s += (
                f", reached on day {v['car_t_peak_day_median']} at the median (range day "
                f"{v['car_t_peak_day_min']} to day {v['car_t_peak_day_max']}{_n(v, 'car_t_peak_day_median')})"
            )
        out.append(
            s
            + (f"; {non} patient{'s' if non != 1 else ''} never rose above the assay limit" if non else "")
            + " (Figure 1a)."
        )
    if not _has(ds, "cd19_b"):
        out.append("This dataset has no CD19+ B cell counts; Figure 1b cannot be drawn.")
    else:
        d = ds.definitions
        out.append(
            f"CD19+ B cells in blood fell below {d.bcell_depletion_below:g} cells/µL by day {CLAIM_DEPLETION_DAYS[0]} "
            f"after infusion in {v['bcell_day1']} of the patients who could be assessed, and by day "
            f"{CLAIM_DEPLETION_DAYS[1]} in {v['bcell_day4']} (Figure 1b)."
        )
        out.append(reconstitution_sentence(ds))
    return [" ".join(out)]


def _test_sentence(ds: Dataset, month: int) -> str:
    t = analyses_of(ds).test(month)
    if not t.n:
        return f"Between baseline and month {month}, {no_pair_reason(t)}."
    left_out = (
        f" ({t.n_censored} with a score below the assay limit left out: its change is not a number)"
        if t.n_censored
        else ""
    )
    return (
        f"Between baseline and month {month}, {t.n} of {t.n_pairs} compared patients changed{left_out}; the "
        f"{t.method_label} two-sided Wilcoxon signed-rank test gives {p_is(t.p)}; "
        f"{shift_text(t)}."
    )


def _visit(v: dict, key: str, what: str) -> str:
    median = v[f"sledai_{key}_median"]
    if median == "not evaluable":
        return f"not estimable {what} (it would rest on a score below the assay limit)"
    low, high = v[f"sledai_{key}_min"], v[f"sledai_{key}_max"]
    rng = (
        f"range {low}–{high}"
        if low != "not evaluable"
        else f"highest {high}; the lowest is below the assay limit"
    ) + _n(v, f"sledai_{key}_median")
    return f"{median} points {what} ({rng})"


def disease_activity_text(ds: Dataset) -> list[str]:
    v = summary_values(ds)
    if not _has(ds, "sledai_2k"):
        return ["This dataset has no SLEDAI-2K scores; Figure 2a cannot be drawn."]
    sl = analyses_of(ds).sledai
    parts = [_visit(v, "baseline", "at baseline")]
    for key, month, what in (("m1", 1, "after one month"), ("m3", 3, "after three")):
        parts.append(
            _visit(v, key, what)
            if sl[f"month{month}"].notna().any()
            else f"no month-{month} visit to compare"
        )
    first = f"Median SLEDAI-2K (Figure 2a) was {parts[0]}, {parts[1]} and {parts[2]}."
    t3 = analyses_of(ds).test(3)
    floor = (
        ""
        if not t3.n
        else f" With {t3.n} changed scores the smallest possible p is "
        f"{p_value(t3.minimum_p, threshold=None)}, reached only when every score moves the same way."
    )
    return [" ".join([first, _test_sentence(ds, 1), _test_sentence(ds, 3)]) + floor]


def kidneys_and_serology(ds: Dataset) -> list[str]:
    v = summary_values(ds)
    out = []
    c = analyses_of(ds).renal_counts
    if c["n_lupus_nephritis"] == 0:
        out.append("No patient in this dataset has lupus nephritis, so renal response is not assessed.")
    elif c["evaluable"] == 0:
        out.append(
            f"None of the {c['n_lupus_nephritis']} patients with lupus nephritis can be assessed for renal "
            "response (active proteinuria at baseline and a value after infusion are needed)."
        )
    else:
        n, first, last = c["evaluable"], c["last_day_min"], c["last_day_max"]
        when = f"on day {first}" if first == last else f"between days {first} and {last}"
        out.append(
            f"Of the {n} patients with active lupus nephritis who could be assessed, {c['complete']} reached "
            f"a complete and {c['partial']} a partial renal response by their last urine protein, and "
            f"{c['none']} did not: a response in {v['renal_response']} (Figure 2b). Each was judged at "
            f"the patient's last value, measured {when} after infusion."
        )
    out.append(
        f"Anti-dsDNA antibodies turned negative in {v['dsdna_negative']} of the "
        "patients positive at baseline (Figure 2c)."
        if v["n_dsdna_negative"] != "not evaluable"
        else "No patient can be assessed for anti-dsDNA conversion (a positive baseline and a later value are "
        "needed)."
    )
    d = ds.definitions
    out.append(
        f"C3 and C4 were both within their normal ranges within {d.complement_normal_by_day} days of "
        f"infusion in {v['complement_normal']} (Figure 2d)."
        if v["n_complement_normal_by_day60"] != "not evaluable"
        else "No patient has C3 and C4 measured together after infusion; Figure 2d shows what there is."
    )
    return [" ".join(out)]


def safety_text(ds: Dataset) -> list[str]:
    c = analyses_of(ds).safety
    n, w = c["n_patients"], c["window_days"]
    s = (
        f"Within {w} days of infusion, cytokine release syndrome peaked at grade 1 in {c['crs_grade1']} of {n} "
        f"patients and reached grade 2 or higher in {c['crs_grade2_plus']} of {n}; immune effector "
        f"cell-associated neurotoxicity syndrome (ICANS) occurred in {c['icans']} of {n}."
    )
    late = c["episodes_after_window"]
    if late:
        s += f" After day {w}, {late} more episode{'s' if late != 1 else ''} began: listed and drawn, but not counted."
    return [s + f" Every episode is listed in {table_label('safety')}. " + SAFETY_GAPS]


def _entry_limitation(ds: Dataset) -> str:
    """Regression to the mean, with the entry criterion attributed to the trial and the data's own count."""
    v = summary_values(ds)
    text = attribution.entry_subject(ds, is_the_trial(ds))
    if v["n_sledai_baseline_ge_10"] != "not evaluable":
        text += (
            f"; in this dataset {v['n_sledai_baseline_ge_10']} of the {v['sledai_baseline_n']} patients with a "
            f"baseline score had {SLEDAI_ENTRY} or more"
        )
    return text + (
        ". Patients selected near a peak of activity tend to score lower later even without treatment "
        "(regression to the mean)."
    )


def limitations(ds: Dataset) -> list[str]:
    """What the design and the data cannot show, in this project's words."""
    n = len(ds.patients)
    return [
        f"A single arm of {n} patient{'s' if n != 1 else ''} cannot separate the treatment's effect from chance "
        "or from the natural course of lupus: there is no comparison group, and every interval above is wide.",
        _entry_limitation(ds),
        conditioning_limitation(attribution.conditioning(ds, is_the_trial(ds))),
        "Concomitant therapy (glucocorticoid doses, other immunosuppressants) is not in the data.",
        "SRI-4, LLDAS and DORIS remission cannot be computed: they need the physician's global assessment, "
        "BILAG scores and prednisone doses, which the data do not contain.",
    ]


SECTIONS = {
    "treated": treated,
    "expansion": expansion,
    "disease_activity": disease_activity_text,
    "kidneys": kidneys_and_serology,
    "safety": safety_text,
    "limitations": limitations,
    "reproduction": reproduction,
}


SECTIONS["robustness"] = robustness_text
SECTIONS["ledger"] = ledger_text
SECTIONS |= published_numbers.SECTIONS
