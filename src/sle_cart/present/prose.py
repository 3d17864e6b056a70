"""The summary's sentences, built from the values of the dataset at hand.

One source for every sentence and number: the summary chapter shows these
paragraphs and the PDF typesets the same ones.  A sentence whose data are
absent becomes a sentence saying so ("This dataset has no CAR T cell counts;
Figure 1a cannot be drawn."), never a phrase with a hole in it.  Facts about the
abstract's own trial (vector, lymphodepletion, single centre) are stated as the
trial's only when the dataset is the bundled reconstruction of that trial;
otherwise they are attributed to the abstract.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sle_cart.analysis import disease_activity, kinetics, renal, safety, serology
from sle_cart.analysis.exact import exact
from sle_cart.analysis.outcomes import CLAIM_DEPLETION_DAYS, SLEDAI_ENTRY
from sle_cart.analysis.uncertainty import hodges_lehmann
from sle_cart.paths import BUNDLED

from .formatting import count_ci, level, num, p_value
from .summary import summary_values

if TYPE_CHECKING:
    from sle_cart.inputs.dataset import Dataset


def is_the_trial(ds: Dataset) -> bool:
    """The dataset is the bundled reconstruction of the abstract's own trial."""
    return ds.name == BUNDLED.name and ds.reconstructed


def _has(ds: Dataset, analyte: str) -> bool:
    return bool((ds.measurements["analyte"] == analyte).any())


def treated(ds: Dataset) -> list[str]:
    v = summary_values(ds)
    trial = "The single-centre pilot enrolled" if is_the_trial(ds) else "This dataset describes"
    first = (
        f"{trial} {v['n_patients']} patients with refractory systemic lupus erythematosus "
        f"({v['n_female']} women and {v['n_male']} men), aged {v['age_median']} years at the median "
        f"(range {v['age_min']}–{v['age_max']})."
    )
    sentences = [first]
    if v["disease_duration_median"] != "not evaluable":
        sentences.append(
            f"They had lived with lupus for a median of {v['disease_duration_median']} years "
            f"(range {v['disease_duration_min']}–{v['disease_duration_max']})."
        )
    if v["n_sledai_baseline_ge_10"] != "not evaluable":
        sentences.append(
            f"At entry {v['n_sledai_baseline_ge_10']} of {v['sledai_baseline_n']} with a baseline "
            f"SLEDAI-2K had active disease ({SLEDAI_ENTRY} points or more)."
        )
    if v["n_prior_lines_ge_2"] != "not evaluable":
        sentences.append(
            f"{v['n_prior_lines_ge_2']} of {v['prior_lines_n']} with a known history had not responded well "
            "enough to at least two earlier lines of treatment."
        )
    how = (
        "received autologous T cells carrying a lentiviral anti-CD19 chimeric antigen receptor (IM19) after "
        "lymphodepletion with fludarabine and cyclophosphamide, dosed per kilogram of body weight or as a "
        "fixed total"
    )
    sentences.append(
        f"Each patient {how} (Table 1)."
        if is_the_trial(ds)
        else f"In the abstract's trial, patients {how}; this dataset does not record how its patients "
        "were treated beyond the dose."
    )
    if v["follow_up_median"] != "not evaluable":
        sentences.append(
            f"Follow-up lasted {v['follow_up_median']} months at the median "
            f"(range {v['follow_up_min']}–{v['follow_up_max']})."
        )
    return [" ".join(sentences)]


def expansion(ds: Dataset) -> list[str]:
    v = summary_values(ds)
    out = []
    if not _has(ds, "car_t"):
        out.append("This dataset has no CAR T cell counts; Figure 1a cannot be drawn.")
    else:
        k = kinetics.car_t_kinetics(ds)
        non = int((~k["expander"].dropna().astype(bool)).sum())
        s = (
            f"Circulating CAR+ T cells peaked at a median of {v['car_t_peak_median']} cells/µL"
            if v["car_t_peak_median"] != "not evaluable"
            else "The median CAR+ T cell peak cannot be given (it would rest on a patient never above the assay limit)"
        )
        if v["car_t_peak_day_median"] != "not evaluable":
            s += (
                f", reached on day {v['car_t_peak_day_median']} at the median (range day "
                f"{v['car_t_peak_day_min']} to day {v['car_t_peak_day_max']})"
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
    return [" ".join(out)]


def _test_sentence(ds: Dataset, month: int) -> str:
    t = disease_activity.sledai_change_test(ds, month=month)
    if t["p_value"] is None:
        return f"No patient's score changed between baseline and month {month}, so no test can be made."
    visits = disease_activity.sledai_visits(ds)
    ok = visits[["baseline", f"month{month}"]].dropna()
    hl = hodges_lehmann([exact(b) - exact(a) for a, b in zip(ok["baseline"], ok[f"month{month}"])])
    shift = "" if hl.estimate is None else f"; the median change was {num(hl.estimate, 1)} points"
    if hl.level is not None:
        shift += f" ({level(hl.level)} CI {num(hl.low, 1)} to {num(hl.high, 1)})"
    exactness = "exact" if "exact" in t["method"] else "normal-approximation"
    return (
        f"Between baseline and month {month}, {t['n']} patients changed; the {exactness} two-sided Wilcoxon "
        f"signed-rank test gives p = {p_value(t['p_value'])}" + shift + "."
    )


def disease_activity_text(ds: Dataset) -> list[str]:
    v = summary_values(ds)
    if not _has(ds, "sledai_2k"):
        return ["This dataset has no SLEDAI-2K scores; Figure 2a cannot be drawn."]
    first = (
        f"Median SLEDAI-2K (Figure 2a) was {v['sledai_baseline_median']} points at baseline (range {v['sledai_baseline_min']}–"
        f"{v['sledai_baseline_max']})"
    )
    first += (
        f", {v['sledai_m1_median']} after one month (range {v['sledai_m1_min']}–{v['sledai_m1_max']})"
        if v["sledai_m1_median"] != "not evaluable"
        else ", with no month-1 visit to compare"
    )
    first += (
        f" and {v['sledai_m3_median']} after three (range {v['sledai_m3_min']}–{v['sledai_m3_max']})."
        if v["sledai_m3_median"] != "not evaluable"
        else ", and no month-3 visit."
    )
    t3 = disease_activity.sledai_change_test(ds, month=3)
    floor = (
        ""
        if not t3["n"]
        else f" With {t3['n']} changed scores the smallest possible p is "
        f"{p_value(t3['minimum_p'])}, reached only when every score moves the same way."
    )
    return [" ".join([first, _test_sentence(ds, 1), _test_sentence(ds, 3)]) + floor]


def kidneys_and_serology(ds: Dataset) -> list[str]:
    out = []
    c = renal.response_counts(ds)
    if c["n_lupus_nephritis"] == 0:
        out.append("No patient in this dataset has lupus nephritis, so renal response is not assessed.")
    elif c["evaluable"] == 0:
        out.append(
            f"None of the {c['n_lupus_nephritis']} patients with lupus nephritis can be assessed for renal "
            "response (active proteinuria at baseline and a value after infusion are needed)."
        )
    else:
        n = c["evaluable"]
        out.append(
            f"Of the {n} patients with active lupus nephritis who could be assessed, {c['complete']} reached "
            f"a complete and {c['partial']} a partial renal response by their last urine protein, and "
            f"{c['none']} did not: a response in {count_ci(c['complete'] + c['partial'], n)} (Figure 2b)."
        )
    s = serology.dsdna_conversion(ds)["converted_negative"].dropna()
    out.append(
        f"Anti-dsDNA antibodies turned negative in {count_ci(int(s.astype(bool).sum()), len(s))} of the "
        "patients positive at baseline (Figure 2c)."
        if len(s)
        else "No patient can be assessed for anti-dsDNA conversion (a positive baseline and a later value are "
        "needed)."
    )
    d = ds.definitions
    norm = serology.complement_normalisation(ds)[f"normal_by_day{d.complement_normal_by_day}"].dropna()
    out.append(
        f"C3 and C4 were both within their normal ranges within {d.complement_normal_by_day} days of "
        f"infusion in {count_ci(int(norm.astype(bool).sum()), len(norm))} (Figure 2d)."
        if len(norm)
        else "No patient has C3 and C4 measured together after infusion; Figure 2d shows what there is."
    )
    return [" ".join(out)]


def safety_text(ds: Dataset) -> list[str]:
    c = safety.safety_counts(ds)
    n, w = c["n_patients"], c["window_days"]
    s = (
        f"Within {w} days of infusion, cytokine release syndrome peaked at grade 1 in {c['crs_grade1']} of {n} "
        f"patients and reached grade 2 or higher in {c['crs_grade2_plus']}; immune effector cell-associated "
        f"neurotoxicity syndrome (ICANS) occurred in {c['icans']}."
    )
    late = c["episodes_after_window"]
    if late:
        s += f" {late} episode{'s' if late != 1 else ''} began after day {w}: listed and drawn, but not counted."
    return [s + " Every episode is listed in the safety chapter."]


def limitations(ds: Dataset) -> list[str]:
    """What the design and the data cannot show, in this project's words."""
    n = len(ds.patients)
    chemo = (
        "The lymphodepleting chemotherapy includes cyclophosphamide"
        if is_the_trial(ds)
        else "In the abstract's trial the lymphodepleting chemotherapy included cyclophosphamide"
    )
    return [
        f"{n} patient{'s' if n != 1 else ''} in a single arm cannot separate the treatment's effect from chance "
        "or from the natural course of lupus: there is no comparison group, and every interval above is wide.",
        f"Entry required a SLEDAI-2K of {SLEDAI_ENTRY} or more, so patients were enrolled near a peak of "
        "activity; later scores tend to be lower even without treatment (regression to the mean).",
        f"{chemo}, itself a treatment for lupus, so part of any improvement may come from it.",
        "Concomitant therapy (glucocorticoid doses, other immunosuppressants) is not in the data.",
        "SRI-4, LLDAS and DORIS remission cannot be computed: they need the physician's global assessment, "
        "BILAG scores and prednisone doses, which the data do not contain.",
    ]


def reproduction(ds: Dataset) -> list[str]:
    """How many published numbers this dataset reproduces, and which lean on unstated choices."""
    from sle_cart.analysis import claims_json

    doc = claims_json.claims_document(ds)
    rows = doc["claims"]
    held = sum(c["holds"] for c in rows)
    s = (
        f"{held} of the {len(rows)} numbers stated in the abstract are reproduced by the dataset {ds.name}; "
        "the claims ledger lists each one with its denominator and exact interval."
    )
    fragile = {c["id"]: [a for a, ok in c["holds_under"].items() if not ok] for c in rows if c["holds"]}
    fragile = {k: v for k, v in fragile.items() if v}
    if fragile:
        parts = [f"{cid} (under {', '.join(alts)})" for cid, alts in fragile.items()]
        s += (
            f" {len(fragile)} of the claims that hold would not under a single other reasonable choice of "
            f"definition or reference range: {'; '.join(parts)}; the robustness chapter shows all of them."
        )
    else:
        s += " Every claim that holds also holds under each alternative definition of the robustness chapter."
    return [s]


SECTIONS = {
    "treated": treated,
    "expansion": expansion,
    "disease_activity": disease_activity_text,
    "kidneys": kidneys_and_serology,
    "safety": safety_text,
    "limitations": limitations,
    "reproduction": reproduction,
}


def robustness_text(ds: Dataset) -> list[str]:
    """Which claims are fragile, and to which alternative choices."""
    from sle_cart.analysis import robustness

    under = robustness.holds_under(ds)
    fragile = {cid: robustness.fragile_to(s) for cid, s in under.items() if robustness.fragile_to(s)}
    n_alt = len(robustness.ALTERNATIVES)
    if not fragile:
        return [f"Every claim keeps its status under all {n_alt} alternatives: none is fragile."]
    by_alt: dict[str, list[str]] = {}
    for cid, alts in fragile.items():
        for a in alts:
            by_alt.setdefault(a, []).append(cid)
    parts = [f"{a}: {', '.join(ids)}" for a, ids in by_alt.items()]
    return [
        f"{len(under) - len(fragile)} of the {len(under)} claims hold under all {n_alt} alternatives and are "
        f"robust. {len(fragile)} are fragile; by alternative — {'; '.join(parts)}."
    ]


SECTIONS["robustness"] = robustness_text
