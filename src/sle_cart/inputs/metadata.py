"""``dataset.yml``: name, title, provenance, source, reference ranges and definitions."""

from __future__ import annotations

import math
import re
from dataclasses import fields
from pathlib import Path

import yaml

from .definitions import ANALYTES, Definitions, resolve
from .errors import Violation
from .preprocessors import canonical_unit
from .suggest import did_you_mean

NAME_RE = re.compile(r"^[a-z0-9-]+$")


#: Top-level keys of dataset.yml and of one reference range.
META_KEYS = ("name", "title", "provenance", "source", "reference_ranges", "definitions")


RANGE_KEYS = ("lower", "upper", "unit")


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _is_whole(v) -> bool:
    return _is_number(v) and float(v).is_integer()


def read_meta(path: Path, errors: list[Violation], warnings: list[Violation], notes: list[str]) -> dict:
    p = path / "dataset.yml"
    f = "dataset.yml"
    if not p.exists():
        errors.append(Violation(f, None, None, None, "required file is missing"))
        return {}
    try:
        text = p.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        errors.append(Violation(f, None, None, None, f"cannot be read as UTF-8 text (byte {exc.start})"))
        return {}
    try:
        meta = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        errors.append(Violation(f, None, None, None, f"is not valid YAML ({where}{problem})"))
        return {}
    if not isinstance(meta, dict):
        errors.append(Violation(f, None, None, None, "must be a mapping of keys to values"))
        return {}
    for key in meta:
        if key not in META_KEYS:
            warnings.append(
                Violation(
                    f,
                    None,
                    str(key),
                    None,
                    f"unknown key is ignored{did_you_mean(key, META_KEYS)} (known keys: {', '.join(META_KEYS)})",
                    "warning",
                )
            )
    for key in ("name", "title", "provenance"):
        if meta.get(key) in (None, ""):
            errors.append(Violation(f, None, key, None, "required key is missing"))
    if meta.get("name") not in (None, "") and not (
        isinstance(meta["name"], str) and NAME_RE.match(meta["name"])
    ):
        errors.append(
            Violation(
                f,
                None,
                "name",
                meta["name"],
                "must match [a-z0-9-]+ (lower-case letters, digits and '-'; it is used in output names)",
            )
        )
    if meta.get("provenance") not in (None, "") and meta["provenance"] not in ("reconstructed", "observed"):
        errors.append(
            Violation(f, None, "provenance", meta["provenance"], "must be 'reconstructed' or 'observed'")
        )
    _check_ranges(meta, errors, notes)
    defs = _check_definitions(meta.get("definitions"), errors)
    if defs is not None:
        meta["_definitions"] = defs
    return meta


def _check_ranges(meta: dict, errors: list[Violation], notes: list[str]) -> None:
    """Check reference_ranges; ranges given in a convertible unit are converted (and noted)."""
    f = "dataset.yml"
    ranges = meta.get("reference_ranges")
    if ranges is None:
        return
    if not isinstance(ranges, dict):
        errors.append(
            Violation(
                f,
                None,
                "reference_ranges",
                ranges,
                "must be a mapping of analyte codes to {lower, upper, unit}",
            )
        )
        return
    converted = {}
    for analyte, rr in ranges.items():
        col = f"reference_ranges.{analyte}"
        if analyte not in ANALYTES:
            errors.append(
                Violation(
                    f,
                    None,
                    col,
                    analyte,
                    f"unknown analyte code{did_you_mean(analyte, ANALYTES, cutoff=0.5, listing=True)}",
                )
            )
            continue
        if not isinstance(rr, dict):
            errors.append(Violation(f, None, col, rr, "must be a mapping with lower, upper and unit"))
            continue
        ok = True
        for k in rr:
            if k not in RANGE_KEYS:
                errors.append(
                    Violation(
                        f,
                        None,
                        f"{col}.{k}",
                        None,
                        f"unknown key{did_you_mean(k, RANGE_KEYS)} (use lower, upper and unit)",
                    )
                )
                ok = False
        lo, hi = rr.get("lower"), rr.get("upper")
        for k, v in (("lower", lo), ("upper", hi)):
            if v is not None and not (_is_number(v) and v >= 0):
                errors.append(Violation(f, None, f"{col}.{k}", v, "must be a number >= 0"))
                ok = False
        if ok and lo is None and hi is None:
            errors.append(Violation(f, None, col, None, "needs a lower or an upper limit (or both)"))
            ok = False
        if ok and lo is not None and hi is not None and lo > hi:
            errors.append(
                Violation(
                    f,
                    None,
                    col,
                    f"lower {lo} > upper {hi}",
                    "reference range lower limit must not exceed the upper limit",
                )
            )
            ok = False
        unit = rr.get("unit")
        factor = 1.0 if unit is None else canonical_unit(analyte, unit)
        if factor is None:
            errors.append(
                Violation(
                    f,
                    None,
                    f"{col}.unit",
                    unit,
                    f"wrong or unknown unit for {analyte}: expected {ANALYTES[analyte][1]}",
                )
            )
            continue
        if ok and factor != 1.0:
            canonical = ANALYTES[analyte][1]
            new = {k: round(float(rr[k]) * factor, 10) for k in ("lower", "upper") if rr.get(k) is not None}
            converted[analyte] = {**new, "unit": canonical}
            notes.append(f"reference range of {analyte} converted from {unit} to {canonical}")
    if converted:
        meta["reference_ranges"] = {**ranges, **converted}


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
