"""The data contract as code: one schema object for validation and the data dictionary.

``TABLES`` is the single source of truth.  :func:`pandera_schema` turns it into
pandera schemas that check every row, and :func:`dictionary` turns it into the
table shown in the data-dictionary chapter, so the two cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa

from .definitions import ANALYTES

PSEUDONYM = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str  # text | integer | number | boolean
    rule: str  # human wording, shown in errors and in the data dictionary
    checks: tuple = ()
    required: bool = True  # column must be present
    nullable: bool = False  # blank cells allowed
    unit: str = ""
    codes: tuple[str, ...] = ()  # a coded column: its codes (matched ignoring case, then checked)
    free_text: bool = False  # published as written: checked for identifying text (inputs.identifying)


@dataclass(frozen=True)
class RowCheck:
    """A rule across columns of one row, checked by pandera and reported on ``column``."""

    column: str
    needs: tuple[str, ...]  # every column the rule reads (named in the message)
    rule: str
    fn: Callable[[pd.DataFrame], pd.Series]  # True where the row is fine (or cannot be judged)


@dataclass(frozen=True)
class Table:
    name: str
    purpose: str
    columns: tuple[Column, ...]
    unique: tuple[str, ...] = ()
    may_be_empty: bool = False
    row_checks: tuple[RowCheck, ...] = ()


def _chk(fn, rule: str, **kw) -> pa.Check:
    return pa.Check(fn, element_wise=True, error=rule, **kw)


TABLES: dict[str, Table] = {
    "patients": Table(
        "patients",
        "one row per patient",
        (
            Column(
                "patient_id",
                "text",
                "unique; pseudonymous (letters, digits, '-', '_')",
                (
                    _chk(
                        lambda v: bool(PSEUDONYM.match(str(v))),
                        "must be pseudonymous: letters, digits, '-' or '_' only",
                    ),
                ),
            ),
            Column(
                "sex",
                "text",
                "F or M",
                (pa.Check.isin(["F", "M"], error="must be F or M"),),
                codes=("F", "M"),
            ),
            Column(
                "age_years",
                "integer",
                "0-120, age at infusion",
                (pa.Check.in_range(0, 120, error="must be between 0 and 120"),),
                unit="years",
            ),
            Column(
                "disease_duration_years",
                "number",
                ">= 0; blank = not recorded",
                (pa.Check.ge(0, error="must be >= 0"),),
                nullable=True,
                unit="years",
            ),
            Column(
                "weight_kg",
                "number",
                "> 0; blank = not recorded",
                (pa.Check.gt(0, error="must be > 0"),),
                nullable=True,
                unit="kg",
            ),
            Column(
                "dose_cells",
                "number",
                "> 0, total CAR+ T cells infused",
                (pa.Check.gt(0, error="must be > 0"),),
                unit="cells",
            ),
            Column(
                "prior_therapy_lines",
                "integer",
                ">= 0; blank = not recorded",
                (pa.Check.ge(0, error="must be >= 0"),),
                nullable=True,
                unit="lines",
            ),
            Column("lupus_nephritis", "boolean", "true/false (also yes/no, 1/0)"),
            Column(
                "follow_up_months",
                "number",
                ">= 0; blank = not recorded",
                (pa.Check.ge(0, error="must be >= 0"),),
                nullable=True,
                unit="months",
            ),
            Column(
                "dose_group",
                "text",
                # the chapter shows this rule: the check on identifying text is in the README
                "optional; free text naming the dose cohort, e.g. '1e6/kg' or '1e8 flat'",
                required=False,
                nullable=True,
                free_text=True,
            ),
        ),
        unique=("patient_id",),
    ),
    "measurements": Table(
        "measurements",
        "one row per patient x day x analyte",
        (
            Column("patient_id", "text", "must exist in patients"),
            Column("day", "integer", "days since infusion (day 0); baseline is day <= 0", unit="days"),
            Column(
                "analyte",
                "text",
                "one of: " + ", ".join(ANALYTES),
                (pa.Check.isin(list(ANALYTES), error="must be a known analyte code"),),
                codes=tuple(ANALYTES),
            ),
            Column(
                "value",
                "number",
                ">= 0; censored values such as '<5' are kept as censored",
                (pa.Check.ge(0, error="must be >= 0"),),
            ),
            Column("unit", "text", "the analyte's unit (alternatives converted and reported)"),
        ),
        unique=("patient_id", "day", "analyte"),
    ),
    "adverse_events": Table(
        "adverse_events",
        "one row per CRS or ICANS episode (header only when there are none)",
        (
            Column("patient_id", "text", "must exist in patients"),
            Column(
                "event",
                "text",
                "CRS or ICANS",
                (pa.Check.isin(["CRS", "ICANS"], error="must be CRS or ICANS"),),
                codes=("CRS", "ICANS"),
            ),
            Column(
                "grade",
                "integer",
                "1-5 (ASTCT 2019)",
                (pa.Check.in_range(1, 5, error="must be an ASTCT grade 1-5"),),
            ),
            Column("onset_day", "integer", ">= 0", (pa.Check.ge(0, error="must be >= 0"),), unit="days"),
            Column(
                "resolution_day",
                "integer",
                "blank while ongoing; otherwise >= onset_day",
                nullable=True,
                unit="days",
            ),
        ),
        may_be_empty=True,
        row_checks=(
            RowCheck(
                "resolution_day",
                ("resolution_day", "onset_day"),
                "must not be before onset_day",
                lambda d: (d["resolution_day"] >= d["onset_day"]).fillna(True).astype(bool),
            ),
        ),
    ),
}

_PANDERA_DTYPE = {"text": str, "integer": "Int64", "number": "Float64", "boolean": "boolean"}


def pandera_schema(table: str) -> pa.DataFrameSchema:
    """The pandera schema of one table, built from :data:`TABLES`."""
    spec = TABLES[table]
    columns = {
        c.name: pa.Column(
            _PANDERA_DTYPE[c.dtype], checks=list(c.checks), nullable=c.nullable, required=c.required
        )
        for c in spec.columns
    }
    checks = [pa.Check(rc.fn, error=rc.rule) for rc in spec.row_checks]
    return pa.DataFrameSchema(columns, checks=checks, strict=False, ordered=False)


def dictionary() -> pd.DataFrame:
    """The data dictionary: one row per column of every table, from :data:`TABLES`."""
    rows = []
    for t in TABLES.values():
        for c in t.columns:
            rows.append(
                {
                    "file": f"{t.name}.csv",
                    "column": c.name,
                    "type": c.dtype,
                    "unit": c.unit,
                    "required": "yes" if not c.nullable else "blank allowed",
                    "rule": c.rule,
                }
            )
    return pd.DataFrame(rows)


def analyte_dictionary() -> pd.DataFrame:
    from .definitions import UNIT_ALIASES

    rows = []
    for code, (meaning, unit) in ANALYTES.items():
        alts = [u for u, f in UNIT_ALIASES[unit].items() if f != 1]
        rows.append({"analyte": code, "meaning": meaning, "unit": unit, "converted from": ", ".join(alts)})
    return pd.DataFrame(rows)
