"""Clinical tables as accessible, escaped HTML with footnotes and a CSV download.

Layout follows gtsummary/rtables conventions: a caption, the denominators in
the header or the cells, and footnotes that state each statistic and unit.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sle_cart.analysis import cohort, kinetics, renal, safety, serology
from sle_cart.analysis.stats import fmt, fmt_median_range, fmt_n_pct
from sle_cart.inputs.definitions import LARGE_COHORT_PATIENTS

from .links import source_href

DOWNLOAD_PREFIX = "../downloads/"
ROUNDING_NOTE = (
    "Rounding: half away from zero, at the decimals shown; percentages to whole numbers; "
    "a median of whole numbers that falls halfway keeps its .5. – = missing."
)


@dataclass
class Table:
    name: str
    title: str
    frame: pd.DataFrame  # what is shown (text cells)
    footnotes: list[str]
    function: str
    data: pd.DataFrame | None = None  # numeric values offered as CSV (defaults to ``frame``)
    notes_html: list[str] = field(default_factory=list)

    def for_cohort(self, ds, summary_rows: int = 1, summary_columns: list[str] | None = None) -> Table:
        """Above ``LARGE_COHORT_PATIENTS``, show only the summary rows (or columns);
        the per-patient listing stays in the CSV download."""
        n = len(ds.patients)
        if n <= LARGE_COHORT_PATIENTS:
            return self
        self.frame = self.frame[summary_columns] if summary_columns else self.frame.iloc[-summary_rows:]
        self.footnotes = [
            f"{n} patients (more than {LARGE_COHORT_PATIENTS}): only the summary is shown; the "
            "per-patient listing is in the CSV download.",
            *self.footnotes,
        ]
        return self

    def publish(self, out_dir: str | Path) -> Table:
        d = Path(out_dir) / "downloads"
        d.mkdir(parents=True, exist_ok=True)
        data = self.frame if self.data is None else self.data
        data.to_csv(d / f"{self.name}.csv", lineterminator="\n", index=data.index.name is not None)
        return self

    def to_html(self) -> str:
        e = html.escape
        f = self.frame
        head = "".join(f'<th scope="col">{e(str(c))}</th>' for c in [f.index.name or ""] + list(f.columns))
        body = []
        for idx, row in f.iterrows():
            cells = "".join(f'<td class="{_align(v)}">{e(str(v))}</td>' for v in row)
            body.append(f'<tr><th scope="row">{e(str(idx))}</th>{cells}</tr>')
        notes = "".join(f"<li>{e(n)}</li>" for n in self.footnotes + [ROUNDING_NOTE])
        return (
            f'<div class="sle-table" id="table-{e(self.name)}"><table class="table sle-clinical">'
            f"<caption>{e(self.title)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>"
            f'<ol class="sle-footnotes">{notes}</ol>'
            f'<p class="figure-provenance">Download: <a href="{DOWNLOAD_PREFIX}{e(self.name)}.csv" download>'
            f'data (CSV)</a>. Made by <a href="{e(source_href(self.function))}"><code>{e(self.function)}</code></a>.'
            f"</p></div>"
        )

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:  # stable, short text/plain output
        return f"<Table {self.name}: {self.title}>"


def _align(value) -> str:
    """Numbers (and '<5', '–', '3/6 (50%)') right-aligned, words left-aligned."""
    return "num" if re.match(r"^[<−\-–]?[\d.–]", str(value)) or str(value) == "–" else "txt"


def table1_baseline(ds, out_dir) -> Table:
    """Table 1: baseline characteristics, one column per patient plus a summary column."""
    t = cohort.table1(ds)
    listing = cohort.baseline_values(ds)
    n = len(ds.patients)
    t.columns = [*t.columns[:-1], f"Summary (N = {n})"]
    t.index.name = "Characteristic"
    return (
        Table(
            "table1",
            "Table 1. Baseline characteristics",
            t,
            [
                "Continuous rows: median (range) of the patients with a value; when values are missing, "
                "[n=…; missing …] gives the count used and the count missing.",
                "Categorical rows: n/N (%), N = patients with a known value.",
                "Baseline: the last value on or before the day of infusion (day 0).",
                "CAR T dose per kg = total CAR+ T cells infused / body weight, in 10⁶ cells/kg.",
                "Units: age, disease duration in years; weight in kg; follow-up in months; SLEDAI-2K in points "
                "(0–105); urine protein in g/24h; anti-dsDNA in IU/mL (Farr radioimmunoassay); C3 and C4 in g/L; "
                "CD19+ B cells in cells/µL.",
                "A value written '<x' was below the assay limit x.",
            ],
            "sle_cart.present.tables.table1_baseline",
            data=listing.drop(columns=[c for c in listing if c.endswith(":censored")]),
        )
        .for_cohort(ds, summary_columns=[t.columns[-1]])
        .publish(out_dir)
    )


def _with_summary(per_patient: pd.DataFrame, columns: dict, dec: dict) -> pd.DataFrame:
    """Format a per-patient numeric frame and append a median (range) row."""

    shown = pd.DataFrame(index=per_patient.index)
    summary = {}
    for col, label in columns.items():
        vals = per_patient[col]
        shown[label] = [fmt(None if pd.isna(v) else float(v), dec[col]) for v in vals]
        s = fmt_median_range(vals, dec[col])
        missing = int(vals.isna().sum())
        summary[label] = s + (f" [missing {missing}]" if missing else "")
    shown.loc[f"Median (range), N = {len(per_patient)}"] = summary
    return shown


def kinetics_table(ds, out_dir) -> Table:
    """CAR T kinetics: Cmax, Tmax, AUC(0-28), last detectable day per patient and median (range)."""
    k = kinetics.car_t_kinetics(ds)
    cols = {
        "cmax_cells_per_uL": "Cmax (cells/µL)",
        "tmax_day": "Tmax (day)",
        "auc_0_28_cells_day_per_uL": "AUC₀₋₂₈ (cells/µL × day)",
        "last_detectable_day": "Last detectable (day)",
    }
    shown = _with_summary(
        k,
        cols,
        {"cmax_cells_per_uL": 1, "tmax_day": 0, "auc_0_28_cells_day_per_uL": 0, "last_detectable_day": 0},
    )
    shown.index.name = "Patient"
    d = ds.definitions
    return (
        Table(
            "kinetics",
            "Table 2. CAR T cell kinetics",
            shown,
            [
                f"Cmax: highest CAR+ T cell count on days 0–{d.kinetics_window_days}; Tmax: first day it was reached.",
                f"AUC₀₋₂₈: linear trapezoidal area over the sampled days 0–{d.auc_window_days}; values below the assay "
                "limit count as 0; nothing is extrapolated.",
                "Last detectable: last day with a quantified CAR+ T cell count.",
                "Summary row: median (range) across patients.",
            ],
            "sle_cart.present.tables.kinetics_table",
            data=k,
        )
        .for_cohort(ds)
        .publish(out_dir)
    )


def bcell_table(ds, out_dir) -> Table:
    """B-cell depletion per patient: baseline count, first depleted day, depleted by day 1 and 4."""
    b = kinetics.bcell_depletion(ds)
    d = ds.definitions
    shown = pd.DataFrame(index=b.index)
    shown["Baseline (cells/µL)"] = [fmt(None if pd.isna(v) else v, 1) for v in b["baseline_cells_per_uL"]]
    shown["First depleted day"] = [fmt(None if pd.isna(v) else v, 0) for v in b["first_depleted_day"]]
    summary = {
        "Baseline (cells/µL)": fmt_median_range(b["baseline_cells_per_uL"], 1),
        "First depleted day": fmt_median_range(b["first_depleted_day"].astype("Float64"), 0),
    }
    for day in d.bcell_depletion_days:
        col = b[f"depleted_by_day{day}"]
        label = f"Depleted by day {day}"
        shown[label] = ["–" if pd.isna(v) else ("yes" if v else "no") for v in col]
        summary[label] = fmt_n_pct(int(col.fillna(False).sum()), int(col.notna().sum()))
    shown.loc[f"Summary, N = {len(b)}"] = summary
    shown.index.name = "Patient"
    return (
        Table(
            "bcells",
            "Table 3. Circulating B-cell depletion",
            shown,
            [
                f"Depleted: CD19+ B cells below {d.bcell_depletion_below:g} cells/µL on some day from 0 to the day shown; "
                f"a value below the assay limit counts when that limit is at most {d.bcell_depletion_below:g}.",
                "Summary row: median (range) for counts and days; n/N (%) for depletion.",
            ],
            "sle_cart.present.tables.bcell_table",
            data=b,
        )
        .for_cohort(ds)
        .publish(out_dir)
    )


def renal_table(ds, out_dir) -> Table:
    """Renal response per patient with lupus nephritis, with the counts by category."""
    r = renal.renal_response(ds)
    d = ds.definitions
    shown = pd.DataFrame(index=r.index)
    shown["Baseline (g/24h)"] = [fmt(v, 2) for v in r["baseline_g24h"]]
    shown["Last (g/24h)"] = [fmt(v, 2) for v in r["last_g24h"]]
    shown["Day of last"] = [fmt(None if pd.isna(v) else v, 0) for v in r["last_day"]]
    shown["Change (%)"] = [fmt(v, 0) for v in r["change_pct"]]
    shown["Renal response"] = r["response"]
    n = len(r)
    counts = renal.response_counts(ds)
    shown.loc[f"Summary, N = {n}"] = [
        fmt_median_range(r["baseline_g24h"], 2),
        fmt_median_range(r["last_g24h"], 2),
        "",
        fmt_median_range(r["change_pct"], 0),
        "; ".join(f"{c} {fmt_n_pct(counts[c], n)}" for c in renal.CATEGORIES),
    ]
    shown.index.name = "Patient"
    return (
        Table(
            "renal",
            "Table 4. Renal response (patients with lupus nephritis)",
            shown,
            [
                f"Complete: last 24-h urine protein after infusion below {d.renal_complete_below_g24h:g} g/24h. "
                f"Partial: not complete, at least {100 * d.renal_partial_min_reduction:.0f}% below baseline and below "
                f"{d.renal_partial_below_g24h:g} g/24h. None: otherwise (after KDIGO 2024).",
                "eGFR is not in the data, so the kidney-function criterion of KDIGO and EULAR/ERA-EDTA is not applied.",
                "Summary row: median (range); response categories as n/N (%).",
            ],
            "sle_cart.present.tables.renal_table",
            data=r,
        )
        .for_cohort(ds)
        .publish(out_dir)
    )


def serology_table(ds, out_dir) -> Table:
    """Anti-dsDNA conversion and complement normalisation per patient."""
    s = serology.dsdna_conversion(ds)
    c = serology.complement_normalisation(ds)
    d = ds.definitions
    uln = ds.reference_range("anti_dsdna")[1]
    lo3, lo4 = ds.reference_range("c3")[0], ds.reference_range("c4")[0]
    yn = lambda v: "–" if pd.isna(v) else ("yes" if v else "no")  # noqa: E731
    col = f"normal_by_day{d.complement_normal_by_day}"
    shown = pd.DataFrame(index=s.index)
    shown["Anti-dsDNA baseline (IU/mL)"] = [fmt(v, 1) for v in s["baseline_IU_per_mL"]]
    shown["Anti-dsDNA last (IU/mL)"] = [fmt(v, 1) for v in s["last_IU_per_mL"]]
    shown["Converted negative"] = [yn(v) for v in s["converted_negative"]]
    shown["C3 baseline (g/L)"] = [fmt(v, 2) for v in c["baseline_c3_g_per_L"]]
    shown["C4 baseline (g/L)"] = [fmt(v, 2) for v in c["baseline_c4_g_per_L"]]
    shown["Complement normal (first day)"] = [
        fmt(None if pd.isna(v) else v, 0) for v in c["first_normal_day"]
    ]
    n = len(s)
    conv, norm = s["converted_negative"], c[col]
    shown.loc[f"Summary, N = {n}"] = [
        fmt_median_range(s["baseline_IU_per_mL"], 1),
        fmt_median_range(s["last_IU_per_mL"], 1),
        fmt_n_pct(int(conv.fillna(False).sum()), int(conv.notna().sum())),
        fmt_median_range(c["baseline_c3_g_per_L"], 2),
        fmt_median_range(c["baseline_c4_g_per_L"], 2),
        f"by day {d.complement_normal_by_day}: {fmt_n_pct(int(norm.fillna(False).sum()), int(norm.notna().sum()))}",
    ]
    shown.index.name = "Patient"
    return (
        Table(
            "serology",
            "Table 5. Anti-dsDNA and complement",
            shown,
            [
                f"Converted negative: baseline at or above the upper limit of normal ({uln} IU/mL) and the last value "
                "after infusion below it.",
                f"Complement normal: C3 ≥ {lo3} g/L and C4 ≥ {lo4} g/L on the same day, first such day from 1 to "
                f"{d.complement_normal_by_day}.",
                "Reference ranges come from dataset.yml (laboratory-specific).",
                "Summary row: median (range); n/N (%).",
            ],
            "sle_cart.present.tables.serology_table",
            data=s.join(c),
        )
        .for_cohort(ds)
        .publish(out_dir)
    )


def safety_table(ds, out_dir) -> Table:
    """Adverse events of special interest: every CRS and ICANS episode, and the counts by worst grade."""
    ae = safety.adverse_events(ds)
    counts = safety.safety_counts(ds)
    n = counts["n_patients"]
    shown = pd.DataFrame(
        {
            "Patient": ae["patient_id"],
            "Event": ae["event"],
            "ASTCT grade": ae["grade"].astype(str),
            "Onset (day)": ae["onset_day"].astype(str),
            "Resolution (day)": ae["resolution_day"].astype("string").fillna("ongoing"),
            "Duration (days)": ae["duration_days"].astype("string").fillna("–"),
        }
    ).set_index("Patient")
    for label, key in (
        ("Worst CRS grade 1", "crs_grade1"),
        ("Worst CRS grade ≥ 2", "crs_grade2_plus"),
        ("Any ICANS", "icans"),
    ):
        shown.loc[f"{label}, n/N (%)"] = [fmt_n_pct(counts[key], n), "", "", "", ""]
    return (
        Table(
            "safety",
            "Table 6. Cytokine release syndrome and ICANS",
            shown,
            [
                "Grades: ASTCT consensus (Lee et al., Biol Blood Marrow Transplant 2019;25:625).",
                "Onset and resolution: days since infusion; 'ongoing' = no resolution day recorded.",
                f"Counts: patients by their worst grade, n/N (%), N = {n} treated patients.",
            ],
            "sle_cart.present.tables.safety_table",
            data=ae,
        )
        .for_cohort(ds, summary_rows=3)
        .publish(out_dir)
    )


def sledai_table(ds, out_dir) -> Table:
    """SLEDAI-2K per patient at baseline, month 1 and month 3, median (range), and the exact Wilcoxon test."""
    from sle_cart.analysis import disease_activity

    v = disease_activity.sledai_visits(ds)
    test = disease_activity.sledai_change_test(ds)
    cols = {"baseline": "Baseline", "month1": "Month 1", "month3": "Month 3"}
    shown = _with_summary(v, cols, dict.fromkeys(cols, 0))
    shown.index.name = "Patient"
    p = "not evaluable" if test["p_value"] is None else fmt(test["p_value"], 4)
    d = ds.definitions
    return (
        Table(
            "sledai",
            "Table 7. SLEDAI-2K over time",
            shown,
            [
                "SLEDAI-2K: 0–105 points (Gladman et al., J Rheumatol 2002;29:288).",
                f"Baseline: last score on or before day 0. Month k: the score nearest to day 30·k within "
                f"±{d.visit_window_days} days; – = no such visit.",
                f"Baseline vs month 3: {test['method']}, n = {test['n']} patients with both scores, "
                f"W = {fmt(test['statistic'], 1)}, p = {p}.",
                "Summary row: median (range).",
            ],
            "sle_cart.present.tables.sledai_table",
            data=v,
        )
        .for_cohort(ds)
        .publish(out_dir)
    )
