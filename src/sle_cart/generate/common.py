"""What the generators share: the laboratory reference ranges every generated dataset.yml states,
the ``generator:`` line naming the command that wrote it, and the check before overwriting a folder.

The values are the example ranges of the data contract (C3 0.9–1.8 g/L and C4
0.16–0.50 g/L: RCPA; anti-dsDNA < 8 IU/mL by Farr assay: LabCorp, RDL; 24-h
urine protein < 0.15 g/24h in healthy adults); the trial site's own ranges are
not published.
"""

from __future__ import annotations

from pathlib import Path

from sle_cart.paths import FolderRefused, refuse_foreign

#: The dataset.yml key naming the command that wrote a dataset; a generator overwrites a
#: folder only when it names that generator (a user's own dataset.yml never does).
GENERATOR_KEY = "generator"
#: Most patients ``synth`` writes: 10,000 is above every benchmark (6,000) and keeps the
#: cohort's measurements (about 40 rows a patient) within a laptop's memory.
MAX_PATIENTS = 10_000
#: Longest dataset.yml read to find its generator: a generated one is under 2 KB.
MAX_GENERATED_YML = 64 * 1024

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


def generator_yaml(command: str) -> str:
    """The ``generator:`` line of a dataset.yml that ``python -m sle_cart <command>`` writes."""
    return f"{GENERATOR_KEY}: sle_cart {command}\n"


def _written_by(yml: Path) -> object:
    """The ``generator:`` value of a dataset.yml, or None when it has none or cannot be read."""
    from sle_cart.inputs.yamlfile import load_yaml

    if not yml.is_file() or yml.stat().st_size > MAX_GENERATED_YML:
        return None
    try:
        text = yml.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    meta = load_yaml(text, [])  # bounded: a hostile dataset.yml is refused, not expanded
    return meta.get(GENERATOR_KEY) if isinstance(meta, dict) else None


def claim_folder(folder: str | Path, writes: set[str], command: str) -> Path:
    """Allow ``folder`` only if it is absent or empty, or holds a dataset this same command wrote.

    Beyond :func:`~sle_cart.paths.refuse_foreign` (no file the command does not write), an
    existing dataset must carry a dataset.yml whose ``generator:`` names ``command``: a real
    cohort keeps the file names the generators write, so the names alone prove nothing.
    """
    out = refuse_foreign(folder, writes, command)
    if not out.is_dir() or not any(out.iterdir()):
        return out
    yml = out / "dataset.yml"
    expected = f"sle_cart {command}"
    if _written_by(yml) != expected:
        why = (
            "it has no dataset.yml" if not yml.exists() else f"it does not say '{GENERATOR_KEY}: {expected}'"
        )
        raise FolderRefused(
            f"{command}: refusing to overwrite the dataset in {out}: {why} ({yml}), so it was not "
            f"written by {command} and may be real data. Nothing was changed. Choose an empty or new folder "
            "(or delete this one yourself if it is yours to replace)."
        )
    return out
