"""What the generators share: the laboratory reference ranges every generated dataset.yml states.

The values are the example ranges of the data contract (C3 0.9–1.8 g/L and C4
0.16–0.50 g/L: RCPA; anti-dsDNA < 8 IU/mL by Farr assay: LabCorp, RDL; 24-h
urine protein < 0.15 g/24h in healthy adults); the trial site's own ranges are
not published.
"""

from __future__ import annotations

#: analyte -> (lower, upper, unit); None where the range is open.
REFERENCE_RANGES: dict[str, tuple[float | None, float | None, str]] = {
    "c3": (0.9, 1.8, "g/L"),
    "c4": (0.16, 0.5, "g/L"),
    "anti_dsdna": (None, 8, "IU/mL"),
    "urine_protein_24h": (None, 0.15, "g/24h"),
}


def reference_ranges_yaml(comment: str = "") -> str:
    """The ``reference_ranges:`` block of a dataset.yml, one flow mapping per analyte."""
    lines = [f"reference_ranges:{comment}"]
    for analyte, (lower, upper, unit) in REFERENCE_RANGES.items():
        parts = ([f"lower: {lower:g}"] if lower is not None else []) + [f"upper: {upper:g}", f"unit: {unit}"]
        lines.append(f"  {analyte}: {{{', '.join(parts)}}}")
    return "\n".join(lines) + "\n"
