"""``dataset.yml``: name, title, provenance, source, reference ranges and definitions."""

from __future__ import annotations

import math
import re
from dataclasses import fields
from fractions import Fraction
from pathlib import Path

from .definitions import ANALYTES, Definitions, resolve
from .errors import Violation
from .preprocessors import canonical_unit
from .suggest import did_you_mean
from .textfiles import decode
from .yamlfile import load_yaml

FILE = "dataset.yml"
NAME_RE = re.compile(r"^[a-z0-9-]+$")


#: Top-level keys of dataset.yml and of one reference range.
META_KEYS = (
    "name",
    "title",
    "provenance",
    "generator",
    "source",
    "license",
    "reference_ranges",
    "definitions",
    "privacy",
)
#: Where the values come from: reconstructed from published summaries, generated at random, or measured.
PROVENANCES = ("reconstructed", "synthetic", "observed")


RANGE_KEYS = ("lower", "upper", "unit")
#: The key under ``privacy:`` that allows identifying-looking free text (see inputs.identifying).
PRIVACY_OPT_OUT = "allow_identifying_text"


def _problem(column, value, rule: str, **kw) -> Violation:
    """A problem in dataset.yml, which has no rows to point to."""
    return Violation(FILE, None, column, value, rule, **kw)


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _is_whole(v) -> bool:
    return _is_number(v) and float(v).is_integer()


def read_meta(path: Path, errors: list[Violation], warnings: list[Violation], notes: list[str]) -> dict:
    p = path / FILE
    if not p.exists():
        errors.append(_problem(None, None, "required file is missing"))
        return {}
    text = decode(p.read_bytes(), FILE, errors, notes, save_as="UTF-8")
    if text is None:
        return {}
    meta = load_yaml(text, errors)
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        errors.append(_problem(None, None, "must be a mapping of keys to values"))
        return {}
    _warn_unknown_keys(meta, warnings)
    _check_keys(meta, errors)
    _check_ranges(meta, errors, notes)
    _check_privacy(meta, errors, notes)
    defs = _check_definitions(meta.get("definitions"), errors)
    if defs is not None:
        meta["_definitions"] = defs
    return meta


def _warn_unknown_keys(meta: dict, warnings: list[Violation]) -> None:
    for key in meta:
        if key not in META_KEYS:
            warnings.append(
                _problem(
                    str(key),
                    None,
                    f"unknown key is ignored{did_you_mean(key, META_KEYS)} (known keys: {', '.join(META_KEYS)})",
                    severity="warning",
                )
            )


def _check_keys(meta: dict, errors: list[Violation]) -> None:
    """Required keys present; name, provenance and the text keys well formed."""
    for key in ("name", "title", "provenance"):
        if meta.get(key) in (None, ""):
            errors.append(_problem(key, None, "required key is missing"))
    if meta.get("name") not in (None, "") and not (
        isinstance(meta["name"], str) and NAME_RE.match(meta["name"])
    ):
        errors.append(
            _problem(
                "name",
                meta["name"],
                "must match [a-z0-9-]+ (lower-case letters, digits and '-'; it is used in output names)",
            )
        )
    if meta.get("provenance") not in (None, "") and meta["provenance"] not in PROVENANCES:
        errors.append(
            _problem("provenance", meta["provenance"], "must be 'reconstructed', 'synthetic' or 'observed'")
        )
    for key in ("title", "generator", "source", "license"):
        if meta.get(key) not in (None, "") and not isinstance(meta[key], str | int | float):
            errors.append(_problem(key, meta[key], "must be text"))


def _check_privacy(meta: dict, errors: list[Violation], notes: list[str]) -> None:
    """``privacy: {allow_identifying_text: <reason>}``: the one opt-out of the value check, with a
    reason that is published; kept as ``meta["_identifying_text_allowed"]``."""
    if "privacy" not in meta:
        return
    block, key = meta["privacy"], PRIVACY_OPT_OUT
    if not isinstance(block, dict) or set(block) != {key}:
        rule = f"must be a mapping with one key, {key}: the reason identifying-looking text is published"
        errors.append(_problem("privacy", None, rule))
        return
    reason = block[key]
    if not isinstance(reason, str) or not reason.strip():
        errors.append(_problem(f"privacy.{key}", reason, "must state the reason in words (it is published)"))
        return
    meta["_identifying_text_allowed"] = reason.strip()
    notes.append(f"dataset.yml: free text that looks identifying is allowed: {reason.strip()}")


def _check_ranges(meta: dict, errors: list[Violation], notes: list[str]) -> None:
    """Check reference_ranges; ranges given in a convertible unit are converted (and noted)."""
    ranges = meta.get("reference_ranges")
    if ranges is None:
        return
    if not isinstance(ranges, dict):
        errors.append(
            _problem("reference_ranges", ranges, "must be a mapping of analyte codes to {lower, upper, unit}")
        )
        return
    converted = {}
    for analyte, rr in ranges.items():
        new = _check_range(analyte, rr, errors, notes)
        if new is not None:
            converted[analyte] = new
    if converted:
        meta["reference_ranges"] = {**ranges, **converted}


def _check_range(analyte, rr, errors: list[Violation], notes: list[str]) -> dict | None:
    """Check one analyte's range; return it in the canonical unit if it was given in another."""
    col = f"reference_ranges.{analyte}"
    if analyte not in ANALYTES:
        errors.append(
            _problem(
                col,
                analyte,
                f"unknown analyte code{did_you_mean(analyte, ANALYTES, cutoff=0.5, listing=True)}",
            )
        )
        return None
    if not isinstance(rr, dict):
        errors.append(_problem(col, rr, "must be a mapping with lower, upper and unit"))
        return None
    ok = _check_range_keys(col, rr, errors)
    ok = _check_limits(col, rr, errors, ok)
    unit = rr.get("unit")
    factor = 1 if unit is None else canonical_unit(analyte, unit)
    if factor is None:
        errors.append(
            _problem(
                f"{col}.unit", unit, f"wrong or unknown unit for {analyte}: expected {ANALYTES[analyte][1]}"
            )
        )
        return None
    if not (ok and factor != 1):
        return None
    canonical = ANALYTES[analyte][1]
    # YAML has read the limits as numbers already; the conversion itself is exact (90 mg/dL * 0.01 = 0.9 g/L)
    new = {
        k: float(Fraction(repr(float(rr[k]))) * factor)  # YAML gave a float: its shortest repr is the text
        for k in ("lower", "upper")
        if rr.get(k) is not None
    }
    notes.append(f"reference range of {analyte} converted from {unit} to {canonical}")
    return {**new, "unit": canonical}


def _check_range_keys(col: str, rr: dict, errors: list[Violation]) -> bool:
    ok = True
    for k in rr:
        if k not in RANGE_KEYS:
            errors.append(
                _problem(
                    f"{col}.{k}",
                    None,
                    f"unknown key{did_you_mean(k, RANGE_KEYS)} (use lower, upper and unit)",
                )
            )
            ok = False
    return ok


def _check_limits(col: str, rr: dict, errors: list[Violation], ok: bool) -> bool:
    """Limits are numbers >= 0, at least one is given, lower <= upper; ``ok``: no earlier error."""
    lo, hi = rr.get("lower"), rr.get("upper")
    for k, v in (("lower", lo), ("upper", hi)):
        if v is not None and not (_is_number(v) and v >= 0):
            errors.append(_problem(f"{col}.{k}", v, "must be a number >= 0"))
            ok = False
    # the comparisons below are only meaningful once the keys and both limits are valid
    if ok and lo is None and hi is None:
        errors.append(_problem(col, None, "needs a lower or an upper limit (or both)"))
        ok = False
    if ok and lo is not None and hi is not None and lo > hi:
        errors.append(
            _problem(
                col, f"lower {lo} > upper {hi}", "reference range lower limit must not exceed the upper limit"
            )
        )
        ok = False
    return ok


def _check_definitions(defs, errors: list[Violation]) -> Definitions | None:
    """Check the ``definitions:`` overrides key by key; return the resolved definitions."""
    f = "dataset.yml"
    if defs is None:
        defs = {}
    if not isinstance(defs, dict):
        errors.append(
            Violation(
                f,
                None,
                "definitions",
                defs,
                "must be a mapping of definition names to values, e.g. {visit_window_days: 14}",
            )
        )
        return None
    base = Definitions()
    known = [fl.name for fl in fields(Definitions)]
    ok = True
    for key, v in defs.items():
        col = f"definitions.{key}"
        if key not in known:
            errors.append(
                Violation(
                    f,
                    None,
                    col,
                    None,
                    f"unknown definition{did_you_mean(key, known)} (accepted: {', '.join(known)})",
                )
            )
            ok = False
            continue
        default = getattr(base, key)
        if isinstance(default, tuple):
            good = isinstance(v, list) and bool(v) and all(_is_whole(x) and x >= 0 for x in v)
            rule = "must be a list of whole numbers >= 0, e.g. [1, 4]"
        elif isinstance(default, int):
            good, rule = _is_whole(v) and v >= 0, "must be a whole number >= 0"
        elif key == "alpha":
            good, rule = _is_number(v) and 0 < v < 1, "must be a number between 0 and 1"
        else:
            good, rule = _is_number(v) and v >= 0, "must be a number >= 0"
        if not good:
            errors.append(Violation(f, None, col, v, rule))
            ok = False
    if not ok:
        return None
    try:
        return resolve(defs)
    except (KeyError, TypeError, ValueError) as exc:  # pragma: no cover - checked above
        errors.append(Violation(f, None, "definitions", None, str(exc).strip('"')))
        return None
