"""Exact arithmetic and censored comparisons: no binary float ever decides a verdict.

Numeric cells are read from their decimal text ("100.2") into fractions, never
through a binary float: the loader keeps each value's exact fraction beside the
float that charts use (``value_exact`` in measurements, ``<column>_exact`` in
patients), and verdicts, medians and rounding are computed on those fractions
(data contract v2, "Rounding").  A float reaching :func:`exact` (a threshold
from the definitions, a value typed in a test) stands for the decimal of its
shortest ``repr``, which is the decimal it was written as up to 15 significant
digits; a longer decimal ("188.04999999999999999") only survives as a fraction.

A censored value ``<x`` means the true value lies somewhere below ``x``.  A
comparison with a threshold is decided only where it can be (contract v2,
"Censored values"): ``<x`` is below ``t`` when ``x <= t``; otherwise the
comparison is undecided (None), and is never counted as met or failed.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from sle_cart.inputs.decimals import decimal

Number = int | float | Fraction | str


def exact(x: Number) -> Fraction:
    """The decimal a value was written as, as a fraction (100.2 -> 501/5, not the nearest binary float).

    Fractions, integers and decimal text are taken as they are; a float as its shortest repr.
    """
    if isinstance(x, Fraction | numbers.Integral):
        return Fraction(int(x)) if not isinstance(x, Fraction) else x
    if isinstance(x, str):
        value = decimal(x)
        if value is None:
            raise ValueError(f"not a decimal number: {x!r}")
        return value
    return Fraction(repr(float(x)))


def missing(x: object) -> bool:
    """None, NaN and pandas' NA."""
    if x is None:
        return True
    try:
        return bool(x != x) or (
            isinstance(x, float) and math.isnan(x)
        )  # NaN is the one value unequal to itself
    except TypeError:  # pandas.NA in a boolean context
        return True


def round_half_away(x: Number, decimals: int = 0) -> Fraction:
    """Round half away from zero at ``decimals`` places, exactly (188.05 -> 188.1, -2.5 -> -3)."""
    q = exact(x) * Fraction(10) ** decimals
    r = math.floor(abs(q) + Fraction(1, 2))
    return Fraction(r if q >= 0 else -r) / Fraction(10) ** decimals


def below(value: Number, censored: bool, threshold: Number) -> bool | None:
    """Is the true value below ``threshold``?  None when a censored value cannot tell."""
    v, t = exact(value), exact(threshold)
    if censored:
        return True if v <= t else None
    return v < t


def at_least(value: Number, censored: bool, threshold: Number) -> bool | None:
    """Is the true value at or above ``threshold``?  None when a censored value cannot tell."""
    b = below(value, censored, threshold)
    return None if b is None else not b


@dataclass(frozen=True, order=True)
class Obs:
    """One observation for an order statistic: ``<value`` when censored."""

    value: Fraction
    censored: bool = False


def observations(values: Iterable[Number], censored: Iterable[bool] | None = None) -> list[Obs]:
    """Observations from values (missing ones dropped) and their censoring flags."""
    flags = list(censored) if censored is not None else None
    out = []
    for i, v in enumerate(values):
        if not missing(v):
            out.append(Obs(exact(v), bool(flags[i]) if flags is not None else False))
    return out


def _ranked(obs: list[Obs]) -> list[Obs]:
    # censored values rank below every quantified value (their order among themselves is unknown)
    return sorted(obs, key=lambda o: (not o.censored, o.value))


def _decided(used: list[Obs], obs: list[Obs]) -> bool:
    """The statistic uses only quantified values, and no censored value could outrank one of them."""
    if any(o.censored for o in used):
        return False
    lowest = min(o.value for o in used)
    return all(o.value <= lowest for o in obs if o.censored)


def median(obs: list[Obs]) -> Fraction | None:
    """Exact median (mean of the middle two for an even count); None if it would rest on a censored value."""
    if not obs:
        return None
    ranked = _ranked(obs)
    n = len(ranked)
    used = [ranked[(n - 1) // 2], ranked[n // 2]]
    return (used[0].value + used[1].value) / 2 if _decided(used, obs) else None


def minimum(obs: list[Obs]) -> Fraction | None:
    """Smallest value; None when it is (or could be) a censored one."""
    if not obs or any(o.censored for o in obs):
        return None
    return min(o.value for o in obs)


def maximum(obs: list[Obs]) -> Fraction | None:
    """Largest value; None when every value is censored or a censored limit exceeds it."""
    quantified = [o for o in obs if not o.censored]
    if not quantified:
        return None
    top = max(quantified, key=lambda o: o.value)
    return top.value if _decided([top], obs) else None
