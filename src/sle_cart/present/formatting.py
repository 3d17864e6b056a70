"""The one rule for showing numbers: rounding, p-values, proportions with intervals, the minus sign.

* Rounding: half away from zero, on the exact value (``sle_cart.analysis.stats.fmt``).
* p-values: two significant figures, widened until the shown value falls on the
  same side of the threshold (0.05 unless given) as the exact p (51/1024 -> 0.0498,
  never 0.050 beside "< 0.05 holds"); below 0.001, "< 0.001".
* Proportions: "3/6 (50%; 95% CI 12–88%)", the exact Clopper–Pearson interval.
* Negative numbers carry the minus sign U+2212, never a hyphen.
* A shown value keeps the data's own precision: a median of 12.5 prints as
  12.5 even where the abstract printed a whole number.
* A dose written in code ('1e6/kg', '1e8 flat') prints as 1×10⁶ cells/kg, 1×10⁸ cells.
* One rule per quantity.  A measured quantity (a count, a laboratory value, a
  score, a day) prints at the precision its values were recorded at, the same for
  every value of the quantity: the fewest decimals that show each of them exactly
  (142, not 142.0, where every count is whole; 0.70 beside 0.52), and its medians
  and ranges likewise (:func:`recorded_decimals`; one value alone: :func:`recorded`).  A derived quantity (an
  area under the curve, a dose per kg, a percentage change) prints at the fixed
  decimals of its column, :func:`num`; a median of such values that falls
  exactly halfway keeps one more decimal (−37.5).
* A count fixed by design (an entry criterion, the dose allocation) is "6/6
  (100%)", without an interval: chance did not set it (:func:`count_pct`).
"""

from __future__ import annotations

import re
from fractions import Fraction

from sle_cart.analysis.exact import exact, missing, round_half_away
from sle_cart.analysis.proportions import Proportion
from sle_cart.analysis.stats import fmt

MINUS = "\u2212"
P_FLOOR = Fraction(1, 1000)
P_THRESHOLD = Fraction(1, 20)  # the abstract's "< 0.05"


def minus(text: str) -> str:
    """Hyphen-minus before a digit becomes the minus sign."""
    out = []
    for i, ch in enumerate(text):
        nxt = text[i + 1] if i + 1 < len(text) else ""
        prev = text[i - 1] if i else " "
        out.append(MINUS if ch == "-" and nxt.isdigit() and not prev.isalnum() else ch)
    return "".join(out)


def num(value, decimals: int = 0) -> str:
    """A number at ``decimals`` places with the minus sign ('–' when missing)."""
    return minus(fmt(value, decimals))


def precise(value, at_least: int = 0, at_most: int = 3) -> str:
    """A value at the fewest decimals (from ``at_least`` up to ``at_most``) that show it exactly.

    188.05 stays 188.05 and 12.5 stays 12.5, where the abstract's precision would
    round them; a value that needs more than ``at_most`` decimals is rounded there.
    """
    if value is None:
        return "–"
    x = exact(value)
    d = at_least
    while d < at_most and round_half_away(x, d) != x:
        d += 1
    return num(value, d)


#: The most decimals :func:`recorded` shows (the data contract's values have at most this many).
RECORDED_MAX_DECIMALS = 3


def recorded_decimals(values) -> int:
    """The precision a quantity was recorded at: the fewest decimals (at most ``RECORDED_MAX_DECIMALS``)
    that show every one of ``values`` exactly (0.70 and 0.52 -> 2; 142 and 88 -> 0; missing ones ignored)."""
    places = 0
    for v in dict.fromkeys(values):  # each distinct value once (a large cohort repeats them)
        if missing(v):
            continue
        x = exact(v)
        while places < RECORDED_MAX_DECIMALS and round_half_away(x, places) != x:
            places += 1
    return places


def recorded(value) -> str:
    """A measured value, or an order statistic of measured values, at the precision it was recorded with.

    The exact decimal with no trailing zeros: 142 (recorded '142' or '142.0'), 35.3, 0.065.
    """
    return precise(value, 0, RECORDED_MAX_DECIMALS)


_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def times_ten(value) -> str:
    """A cell count in scientific notation as a reader writes it: 1×10⁶, 5.2×10⁷ (mantissa as recorded)."""
    x, power = exact(value), 0
    if x == 0:
        return "0"
    while abs(x) >= 10:
        x, power = x / 10, power + 1
    while abs(x) < 1:
        x, power = x * 10, power - 1
    return f"{recorded(x)}×10{str(power).translate(_SUPERSCRIPT)}"


def _side(x: Fraction, threshold: Fraction) -> int:
    return (x > threshold) - (x < threshold)


def p_value(p, threshold=P_THRESHOLD) -> str:
    """A p-value shown so that it decides its comparison with ``threshold``.

    Two significant figures (0.03125 -> '0.031', 0.0625 -> '0.063'), then one more
    figure at a time until the shown value lies on the same side of ``threshold``
    as the exact p, and equals it only when p does: 51/1024 -> '0.0498' (rounding
    to '0.050' would contradict "< 0.05 holds"), exactly 0.05 -> '0.050'.  Below
    0.001, '< 0.001' (which already decides any threshold of 0.001 or more).
    ``threshold=None`` gives plain two significant figures.
    """
    if p is None:
        return "not evaluable"
    x = exact(p)
    t = None if threshold is None else exact(threshold)
    if x <= 0 or (x < P_FLOOR and (t is None or t >= P_FLOOR)):
        return "< 0.001"
    if x >= 1:
        return "1.0"
    d = 1
    while x < Fraction(1, 10**d):
        d += 1
    places = d + 1
    if round_half_away(x, places) >= Fraction(1, 10 ** (d - 1)):  # 0.09999 rounds up a decade: '0.10'
        places -= 1
    if t is not None:
        # Terminates: once half a unit in the last place is below |p − t|, rounding cannot cross t.
        while _side(round_half_away(x, places), t) != _side(x, t):
            places += 1
    return num(p, places)


def percent(k: int, n: int) -> str:
    return num(Fraction(100 * k, n), 0) if n else "–"


def count_ci(p: Proportion) -> str:
    """'3/6 (50%; 95% CI 12–88%)' for a count the findings hold with its interval; 'not evaluable
    (0 patients)' when nobody is evaluable."""
    if p.k is None or not p.n:
        return "not evaluable (0 patients)"
    if p.ci95 is None:  # every count shown with an interval has one in the findings
        raise ValueError(f"{p.k}/{p.n} has no interval")
    lo, hi = p.ci95
    return f"{p.k}/{p.n} ({percent(p.k, p.n)}%; 95% CI {num(100 * lo, 0)}–{num(100 * hi, 0)}%)"


def count_pct(k: int | None, n: int) -> str:
    """'6/6 (100%)': a count fixed by design, so without an interval."""
    if k is None or not n:
        return "not evaluable (0 patients)"
    return f"{k}/{n} ({percent(k, n)}%)"


def level(fraction: Fraction) -> str:
    """A confidence level as shown: 31/32 -> '96.9%'."""
    return f"{num(100 * fraction, 1)}%"


def shift_text(t) -> str:
    """The Hodges–Lehmann estimate of a change test with its interval and the interval's attained level."""
    hl = t.shift
    if hl.estimate is None or not t.n:
        return "the Hodges–Lehmann estimate of the change is not estimable (no score changed)"
    text = f"Hodges–Lehmann estimate of the change {num(hl.estimate, 1)} points"
    if hl.level is None:
        return text + f" (no interval reaches 95% with n = {hl.n})"
    if hl.level_basis == "normal approximation":
        return (
            text
            + f" (approximate 95% CI {num(hl.low, 1)} to {num(hl.high, 1)}, normal approximation, n = {hl.n})"
        )
    source = ", from these data's sign-flip distribution" if hl.level_basis == "permutation" else ""
    return text + (
        f" ({level(hl.level)} CI {num(hl.low, 1)} to {num(hl.high, 1)}: the attained level{source}, "
        f"the nearest at or above 95% with n = {hl.n})"
    )


def no_pair_reason(t) -> str:
    """Why a change test compared nothing: no visits, censored scores, or no score changed."""
    if t.n_pairs == 0 and t.n_censored == 0:
        return f"no patient has a score at both baseline and month {t.month}, so no pair could be compared"
    if t.n_pairs == 0:
        return (
            f"{t.n_censored} patient{'s have' if t.n_censored != 1 else ' has'} a score below the assay limit "
            f"at one of the two visits, which gives no change to compare, and no other pair has both scores"
        )
    return f"all {t.n_pairs} compared scores were unchanged at month {t.month}, so there is nothing to test"


def p_is(p) -> str:
    """'p = 0.031', or 'p < 0.001' below the floor (never 'p = < 0.001')."""
    shown = p_value(p)
    return f"p {shown}" if shown.startswith("<") else f"p = {shown}"


_DOSE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*[eE]\s*\+?(\d+)\s*(/\s*kg|flat)?\s*$")
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def dose_label(code: str) -> str:
    """A dose group as a reader writes it: '1e6/kg' -> '1×10⁶ cells/kg', '1e8 flat' -> '1×10⁸ cells'.

    Anything else (e.g. 'low dose') is shown as the data give it.
    """
    m = _DOSE.match(str(code))
    if not m:
        return str(code)
    mantissa, exponent, per = m.groups()
    unit = "cells/kg" if per and "kg" in per else "cells"
    return f"{mantissa}×10{exponent.translate(_SUPERSCRIPT)} {unit}"
