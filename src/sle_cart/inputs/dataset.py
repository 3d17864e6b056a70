"""The ``Dataset`` type, and loading one: read, normalise, validate.

Every problem found is collected as a :class:`~sle_cart.inputs.errors.Violation`
naming the file (and sheet), the spreadsheet row, the column, the value and the
rule, and all of them are raised at once in one :class:`DataError`.  Input
files are only read.  The steps live in their own modules: ``readers``
(files to text tables, with ``textfiles``, ``headers`` and ``decimals``),
``metadata`` (dataset.yml), ``preprocessors`` (text to typed values, codes and
canonical units) and ``validators`` (the checks).
"""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sle_cart.paths import dataset_cache, record_evaluation

from . import contract
from .definitions import Definitions
from .errors import STOP_CODES, DataError, Violation
from .identifying import identifying_values
from .metadata import read_meta
from .preprocessors import coerce, match_codes, measurement_values
from .publication import Publication
from .publication import read as read_publication
from .publication_schema import FILE as PUBLICATION_FILE
from .readers import read_tables
from .validators import (
    baseline_warnings,
    duplicates,
    pandera_check,
    privacy,
    sort_violations,
    table_shape,
    unknown_patients,
)

__all__ = ["DataError", "Dataset", "Violation", "load", "load_cached"]


@dataclass
class Dataset:
    """A validated dataset: its three tables in canonical units, and what describes them.

    Every numeric column of a number type has an exact companion, ``<column>_exact``
    (``value_exact`` in measurements): the fraction its decimal text spells, which
    verdicts and rounded figures use; the float column serves charts.
    ``reference_ranges`` maps an analyte code to ``{"lower": …, "upper": …, "unit": …}``
    in the analyte's canonical unit; ``notes`` say what loading converted and
    ``warnings`` what it found questionable without refusing.
    """

    path: Path
    name: str
    title: str
    provenance: str
    source: str
    license: str | None
    reference_ranges: dict[str, dict]
    definitions: Definitions
    patients: pd.DataFrame
    measurements: pd.DataFrame
    adverse_events: pd.DataFrame
    files: list[Path]
    notes: list[str] = field(default_factory=list)
    warnings: list[Violation] = field(default_factory=list)
    digest: str = ""  # SHA-256 of the files as validated (see sha256)
    identifying_text_allowed: str | None = None  # the reason dataset.yml gives, shown in the footer
    publication: Publication | None = None  # its publication.yml; None: compared with abstract 0647

    @property
    def reconstructed(self) -> bool:
        return self.provenance == "reconstructed"

    @property
    def synthetic(self) -> bool:
        return self.provenance == "synthetic"

    def sha256(self) -> str:
        """One digest over the dataset files (names and bytes), order-independent, taken when validated.

        The digest is of the files as they were read: an edit after validation
        cannot make the provenance describe data the results did not come from.
        """
        return self.digest or self.files_sha256()

    def files_sha256(self) -> str:
        """The digest of the files as they are now."""
        h = hashlib.sha256()
        for f in sorted(self.files, key=lambda p: p.name):
            h.update(f.name.encode() + b"\0" + hashlib.sha256(f.read_bytes()).digest())
        return h.hexdigest()

    def reference_range(self, analyte: str) -> tuple[float | None, float | None]:
        """(lower, upper) limit of normal of an analyte, in its canonical unit; None where not given."""
        rr = self.reference_ranges.get(analyte) or {}
        return rr.get("lower"), rr.get("upper")

    def series(self, analyte: str) -> pd.DataFrame:
        """Rows of one analyte, sorted by patient and day (columns as measurements)."""
        m = self.measurements
        return m[m["analyte"] == analyte].sort_values(["patient_id", "day"]).reset_index(drop=True)


def load(path: str | Path) -> Dataset:
    """Read, normalise and validate the dataset in ``path``.

    Raises :class:`DataError` listing every violation.  Warnings (for example a
    patient without a baseline value that a claim needs) are kept on the result.
    Input files are only read, never written.
    """
    path = Path(path)
    errors: list[Violation] = []
    warnings: list[Violation] = []
    notes: list[str] = []
    if not path.is_dir():
        rule = "is not a folder" if path.exists() else "dataset folder does not exist"
        raise DataError(path, [Violation(str(path), None, None, None, rule, code="no-folder")])
    meta = read_meta(path, errors, warnings, notes)
    pub_file = path / PUBLICATION_FILE
    publication = read_publication(pub_file, errors, warnings, notes) if pub_file.is_file() else None
    raw = read_tables(path, errors, notes)
    privacy(raw, errors)
    if "_identifying_text_allowed" not in meta:
        identifying_values(raw.frames, raw.labels, errors)
    if any(v.code in STOP_CODES for v in errors):
        raise DataError(path, sort_violations(errors, raw.labels))
    typed = _typed_tables(raw, errors, notes)
    unknown_patients(typed, raw.labels, errors)
    if errors:
        raise DataError(path, sort_violations(errors, raw.labels))
    warnings += baseline_warnings(typed["patients"], typed["measurements"], raw.labels["measurements"])
    record_evaluation("validate")
    files = raw.files + [path / "dataset.yml"] + ([pub_file] if publication else [])
    ds = _dataset(path, meta, typed, files, notes, warnings)
    ds.publication = publication
    ds.digest = ds.files_sha256()
    return ds


def _typed_tables(raw, errors: list[Violation], notes: list[str]) -> dict[str, pd.DataFrame]:
    """Each table with its cells converted to typed columns and checked against the schema."""
    typed = {}
    for t, df in raw.frames.items():
        if not table_shape(raw, t, errors):
            continue
        label, written = raw.labels[t], raw.written[t]
        known = [c.name for c in contract.TABLES[t].columns]
        cells = match_codes(df[[c for c in df.columns if c in known]], t, label, notes)
        if t == "measurements":
            cells = measurement_values(cells, label, errors, notes, written)
        cells = coerce(cells, t, label, errors, written)
        pandera_check(cells, written, t, label, errors)
        errors.extend(duplicates(cells, contract.TABLES[t], label))
        typed[t] = cells
    return typed


def _dataset(
    path: Path, meta: dict, typed: dict[str, pd.DataFrame], files: list[Path], notes, warnings
) -> Dataset:
    m = typed["measurements"]
    m = m.assign(
        day=m["day"].astype(int),
        value=m["value"].astype(float),
        patient_id=m["patient_id"].astype(str),
        analyte=m["analyte"].astype(str),
        unit=m["unit"].astype(str),
    )
    p = typed["patients"].copy()
    p["patient_id"] = p["patient_id"].astype(str)
    p["sex"] = p["sex"].astype(str)
    ae = typed["adverse_events"].copy()
    ae["patient_id"] = ae["patient_id"].astype(str)
    ae["event"] = ae["event"].astype(str)
    return Dataset(
        path=path,
        name=str(meta["name"]),
        title=str(meta["title"]),
        provenance=str(meta["provenance"]),
        source=str(meta.get("source") or "").strip(),
        license=str(meta["license"]).strip() if meta.get("license") not in (None, "") else None,
        reference_ranges=dict(meta.get("reference_ranges") or {}),
        definitions=meta["_definitions"],
        patients=p,
        measurements=m,
        adverse_events=ae,
        files=files,
        notes=notes,
        warnings=warnings,
        identifying_text_allowed=meta.get("_identifying_text_allowed"),
    )


# ---------------------------------------------------------------- cache of validated datasets
def _cache_key(path: Path) -> str:
    """Digest of every file in the dataset folder, the loading code and the pandas version."""
    h = hashlib.sha256()
    for f in sorted(p for p in path.iterdir() if p.is_file()):
        h.update(f.name.encode() + b"\0" + hashlib.sha256(f.read_bytes()).digest())
    here = Path(__file__).parent  # the whole inputs package: any change to loading re-validates
    for f in sorted(here.rglob("*.py")):
        h.update(str(f.relative_to(here)).encode() + hashlib.sha256(f.read_bytes()).digest())
    h.update(pd.__version__.encode())
    return h.hexdigest()


def load_cached(path: str | Path, cache_dir: str | Path | None = None) -> Dataset:
    """:func:`load`, remembered by content: a dataset validated once is read back from a pickle.

    Every chapter opens the dataset; validating a registry of thousands of
    patients nine times over would dominate the build.  The key covers the
    dataset's files and the loading code, so any change re-validates.  The
    cache lives in ``$SLE_CART_DATASET_CACHE`` or ``_build/cache/datasets``.
    Invalid datasets are never cached (``DataError`` propagates).
    """
    path = Path(path).resolve()
    if not path.is_dir():
        return load(path)
    root = Path(cache_dir) if cache_dir else dataset_cache()
    key = _cache_key(path)
    entry = root / f"{key}.pickle"
    if entry.exists():
        try:
            ds = pickle.loads(entry.read_bytes())
            # the same content may have been validated in another folder: point at this one
            ds.path = path
            ds.files = [path / f.name for f in ds.files]
            return ds
        except Exception:  # unreadable or from another environment: validate again
            pass
    ds = load(path)
    if _cache_key(path) != key:  # edited while being read: what was read is not what the key names
        return ds
    try:
        root.mkdir(parents=True, exist_ok=True)
        tmp = entry.with_name(f".{entry.name}.{os.getpid()}")
        tmp.write_bytes(pickle.dumps(ds, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, entry)
    except OSError:
        pass  # a read-only cache is not an error
    return ds
