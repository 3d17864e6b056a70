"""The paper's own words: its notice, background, methods and conclusion, and its print wording.

None of these texts states a result (results come from ``sle_cart.present.prose``).
Sources are cited with markers of :mod:`sle_cart.present.references`, numbered
when the paper is assembled.  The site's texts (footnotes, captions, the shared
summary) name the site's chapters and downloads; :func:`for_print` says the same
in a paper's terms, so no word of the website reaches the PDF.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sle_cart.analysis import publications
from sle_cart.present.prose import is_the_trial
from sle_cart.present.references import ABSTRACT_ID, PUBLICATION_ID, cite, registration

if TYPE_CHECKING:
    from sle_cart.inputs.dataset import Dataset

#: Words of the website that a paper does not use (the test scans the PDF for them).
WEB_WORDS = re.compile(r"\b(book|site|chapters?|click|web ?pages?|downloads?)\b", re.IGNORECASE)
#: The site's cross-references and the paper's names for the same things, applied to borrowed text.
PRINT_WORDING = (
    (re.compile(r"\bthe robustness chapter\b"), "Appendix A"),
    (re.compile(r"\bclaims\.json at the root of this site\b"), "claims.json, a supplementary file"),
    (re.compile(r"\bthe data \(CSV\) download\b"), "the supplementary data (CSV)"),
    (re.compile(r"\bthe CSV download\b"), "the supplementary CSV file"),
    (re.compile(r"\bthis (?:book|site)\b"), "this paper"),
    (re.compile(r"\blisted and drawn but not counted\b"), "listed but not counted"),  # drawn on the site only
    # sources the site's notes write out: cited by number like every other
    (re.compile(r" \(Lee et al\., Biol Blood Marrow Transplant 2019;25:625\)"), " " + cite("lee2019")),
    (re.compile(r" \(Zhao et al\., ACR Convergence 2025, abstract 0647\)"), " " + cite(ABSTRACT_ID)),
    (re.compile(r"\(regression to the mean\)"), f"(regression to the mean {cite('barnett2005')})"),
)


def conclusion(ds: Dataset) -> list[str]:
    """What the ledger settles and what a pilot cannot, about the publication in force."""
    whose = "the abstract's" if publications.is_default(ds) else "the publication's"
    return [
        f"The claims ledger (Appendix A) states which of {whose} numbers this dataset reproduces and how "
        "much each depends on the choice of definitions. Whatever the verdicts, a small single-arm pilot "
        "describes what happened to the patients treated; how well the treatment works, for how long and at "
        "what risk can only be learned from larger controlled trials with longer follow-up.",
    ]


def for_print(text: str) -> str:
    """``text`` with the site's cross-references replaced by the paper's."""
    for pattern, words in PRINT_WORDING:
        text = pattern.sub(words, text)
    return text


def notice(ds: Dataset) -> dict | None:
    """What the data are when they are not observed: {"head", "body"}; None for observed data."""
    if ds.reconstructed:
        return {
            "kind": "notice",
            "head": "Reconstructed data.",
            "body": f"The patient-level values of the dataset {ds.name} were generated to be consistent "
            "with the published summary statistics of its source (Appendix B). They are not patient data: "
            "only the summaries are published facts; individual values illustrate.",
        }
    if ds.synthetic:
        return {
            "kind": "notice",
            "head": "Synthetic data.",
            "body": f"The values of the dataset {ds.name} were generated at random; they are not patient data "
            + (
                "and were not measured in the patients of the publication."
                if ds.publication
                else "and reproduce no publication."
            ),
        }
    return None


def background(ds: Dataset) -> list[str]:
    first = (
        "Systemic lupus erythematosus that stays active despite glucocorticoids, immunosuppressants and "
        "biologic agents leaves few options. Autologous T cells engineered to recognise CD19 remove the "
        "circulating B cells from which autoantibody-producing cells arise, and in earlier cohorts every "
        f"patient with lupus treated with such cells reached remission {cite('mackensen2022', 'muller2024')}."
    )
    if publications.is_default(ds):
        return [
            first,
            f"A conference abstract {cite(ABSTRACT_ID)} reported an open-label pilot study of one such product, "
            "IM19. This paper recomputes each of its tables, figures and stated numbers from patient-level data "
            "and sets every number beside the published one. Its text is generated from the dataset named in "
            "Appendix B: built from other data, it describes those data.",
        ]
    pub = publications.of(ds)
    return [
        first,
        f"The publication checked here, {pub.label} {cite(PUBLICATION_ID)}, reports a cohort treated with such "
        "cells. This paper recomputes each number it states from patient-level data and sets every number "
        "beside the published one. Its text is generated from the dataset named in Appendix B.",
    ]


def registration_text(ds: Dataset) -> list[str]:
    """The trial's registration and entry criteria, attributed to the abstract (or, with a dataset's own
    publication, its registration and intervention as that publication gives them)."""
    if not publications.is_default(ds):
        return _own_registration(publications.of(ds))
    criteria = (
        f"the 2019 EULAR/ACR classification criteria for systemic lupus erythematosus {cite('aringer2019')}"
    )
    reg = f"registered at ClinicalTrials.gov as {registration()} {cite('nct06513429')}"
    if is_the_trial(ds):
        return [
            f"According to the abstract {cite(ABSTRACT_ID)}, every patient met {criteria}. The trial is {reg}."
        ]
    return [
        f"The abstract's trial {cite(ABSTRACT_ID)} enrolled patients who met {criteria} and is {reg}; this "
        "dataset does not record whether its patients met them."
    ]


def _own_registration(pub) -> list[str]:
    """The registration the publication gives (its intervention is in the summary's paragraph already)."""
    if not pub.registration:
        return []
    return [
        f"According to {pub.label} {cite(PUBLICATION_ID)}, the trial is registered as {pub.registration}."
    ]


def analysis(ds: Dataset) -> list[str]:
    source = "the abstract" if publications.is_default(ds) else "the publication"
    return [
        "Every statistic is computed from the dataset by the analysis code whose version Appendix B "
        f"identifies. Disease activity is the SLEDAI-2K score {cite('gladman2002')}. Continuous values are "
        "given as medians with ranges, and proportions with exact Clopper–Pearson confidence intervals "
        f"{cite('clopper1934')}. The change in SLEDAI-2K from baseline is tested with the two-sided Wilcoxon "
        f"signed-rank test {cite('wilcoxon1945')} (exact where the data allow), with the Hodges–Lehmann "
        f"estimate of the change {cite('hodges1963')} and its interval at the confidence level the data attain.",
        "Cytokine release syndrome and immune effector cell-associated neurotoxicity syndrome are graded by "
        f"the ASTCT consensus {cite('lee2019')}. Renal response (complete, partial or none) follows the "
        f"KDIGO 2024 definitions {cite('kdigo2024')}; its thresholds, like those of B-cell depletion, anti-dsDNA "
        "conversion and complement normalisation, are the ones recorded with the dataset. Each number stated in "
        f"{source} is compared with its reproduction after rounding half away from zero to the published "
        "decimals, and re-evaluated under alternative reasonable definitions and laboratory reference ranges "
        "(Appendix A, whose notes define each verdict).",
    ]
