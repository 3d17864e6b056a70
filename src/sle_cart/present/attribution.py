"""Facts about a trial that the data do not record, attributed to the publication that states them.

Abstract 0647 describes its trial (the IM19 product, lymphodepletion with fludarabine and
cyclophosphamide, the entry criterion); a dataset compared with it is told about them in
the abstract's name.  A dataset that brings its own publication is not that trial: the
prose then says only what its publication.yml states (the intervention as written), and
general facts about CAR T conditioning as general, never as the 0647 trial's.
"""

from __future__ import annotations

from sle_cart.analysis import publications
from sle_cart.analysis.outcomes import SLEDAI_ENTRY

#: How the abstract's trial treated its patients (said of the bundled trial, or in the abstract's name).
HOW_TREATED = (
    "received autologous T cells carrying a lentiviral anti-CD19 chimeric antigen receptor (IM19) after "
    "lymphodepletion with fludarabine and cyclophosphamide, dosed per kilogram of body weight or as a "
    "fixed total"
)


def treatment(ds, the_trial: bool) -> str:
    """How the patients were treated: as the trial's, the abstract's, or as the own publication states it."""
    if the_trial:
        return f"Each patient {HOW_TREATED} (Table 1)."
    if publications.is_default(ds):
        return (
            f"In the abstract's trial, patients {HOW_TREATED}; this dataset does not record how its patients "
            "were treated beyond the dose."
        )
    pub = publications.of(ds)
    said = (
        f"According to {pub.label}, patients received {pub.intervention}; this"
        if pub.intervention
        else "This"
    )
    return f"{said} dataset does not record how its patients were treated beyond the dose."


def _said(ds, the_trial: bool, trial: str, abstract: str, general: str) -> str:
    """The words for the bundled trial, for a dataset compared with the abstract, or for one with its own
    publication (general words: its trial is not the abstract's)."""
    if the_trial:
        return trial
    return abstract if publications.is_default(ds) else general


def entry_subject(ds, the_trial: bool) -> str:
    """The start of the regression-to-the-mean limitation: who required active disease at entry."""
    required = f"required a SLEDAI-2K of {SLEDAI_ENTRY} or more at entry"
    return _said(
        ds,
        the_trial,
        f"The trial {required}",
        f"The abstract's trial {required}",
        f"Trials of CAR T cells in lupus enrol patients with active disease (this book counts a SLEDAI-2K of "
        f"{SLEDAI_ENTRY} or more as active)",
    )


def conditioning(ds, the_trial: bool) -> str:
    """Who gave the conditioning that lowers B cells on its own (the start of that limitation's sentence)."""
    return _said(
        ds,
        the_trial,
        "The conditioning with fludarabine and cyclophosphamide",
        "In the abstract's trial, the conditioning with fludarabine and cyclophosphamide",
        "Conditioning chemotherapy such as fludarabine and cyclophosphamide",
    )


#: Abstract 0647's conclusion in this project's words (a report of the authors' reading, not recomputed).
CONCLUDED_0647 = (
    "The authors judged the safety of IM19 acceptable and B-cell depletion profound, with serology and disease "
    "activity improving quickly. They read the kidney results as a response in some but not all patients with "
    "refractory nephritis, and called for larger trials with longer follow-up to judge how durable and how safe "
    "the effect is. (This paragraph reports the abstract's conclusion; it is not recomputed.)"
)


def source(ds) -> str:
    """The summary's source line: the publication whose values the numbers are compared with."""
    pub = publications.of(ds)
    registration = f" Trial registration: {pub.registration}." if pub.registration else ""
    return f"Compared with the published values of {pub.label}. Source: {pub.citation}{registration}"


def concluded(ds) -> str:
    """What the authors concluded: abstract 0647's, as this project words it; a dataset's own publication's
    conclusions are not in its publication.yml, so the reader is sent to it."""
    if publications.is_default(ds):
        return CONCLUDED_0647
    pub = publications.of(ds)
    where = f" ({pub.link})" if pub.link else ""
    return f"The conclusions of {pub.label} are not restated here; read them in the publication{where}."
