"""Command line: ``python -m sle_cart {build,validate,template,reconstruct,synth}``.

Exit status: 0 success; 1 build failed (or, with --strict, a claim does not
hold); 2 the dataset is invalid or unsafe to publish (nothing was built);
130 interrupted.
"""

from __future__ import annotations

import argparse
import signal
import sys


def _build(args) -> int:
    from sle_cart.book.build import BuildError, build

    try:
        build(
            args.data,
            args.out,
            strict=args.strict,
            force=args.force,
            quiet=args.quiet,
            jobs=args.jobs,
            cache_dir=args.cache_dir,
            book_root=args.book_root,
        )
    except BuildError as exc:
        _error(exc)
        return 1
    return 0


def _validate(args) -> int:
    from sle_cart.analysis import claims
    from sle_cart.inputs import dataset
    from sle_cart.inputs.errors import capped, printable

    ds = dataset.load(args.data)
    for n in ds.notes:
        print(f"note: {printable(n)}")
    for w in capped(ds.warnings, show_all=args.all):
        print(f"warning: {w}")
    results = claims.evaluate(ds)
    ok = sum(c["holds"] for c in results)
    results = [c for c in results if c["status"] != "not stated"]  # n of m: m counts the stated claims
    print(
        f"{printable(args.data)}: valid ({len(ds.patients)} patients, {len(ds.measurements)} measurements, "
        f"{len(ds.adverse_events)} adverse events); {ok}/{len(results)} claims hold"
    )
    for c in results:
        if not c["holds"]:
            print(f"  {c['status']}: {c['id']} published {c['published']}, reproduced {c['reproduced']}")
    return 0


def _template(args) -> int:
    from sle_cart.generate.template import write_template

    out = write_template(args.dir)
    print(f"wrote an empty dataset to {out}; fill it in, then run: python -m sle_cart validate {out}")
    return 0


def _reconstruct(args) -> int:
    from sle_cart.generate import reconstruct

    out = reconstruct.write(args.out, seed=args.seed)
    print(f"wrote the reconstruction (seed {args.seed}) to {out}")
    return 0


def _patient_count(text: str) -> int:
    """``--patients``: a whole number from 1 to the synthetic cohort limit."""
    from sle_cart.generate.common import MAX_PATIENTS

    try:
        n = int(text)
    except ValueError:
        n = 0
    if not 1 <= n <= MAX_PATIENTS:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to {MAX_PATIENTS:,}, not {text!r}")
    return n


def _synth(args) -> int:
    from sle_cart.generate.synth import write_synthetic

    out = write_synthetic(args.out, n_patients=args.patients, seed=args.seed)
    print(f"wrote a synthetic cohort of {args.patients} patients (seed {args.seed}) to {out}")
    return 0


def parser() -> argparse.ArgumentParser:
    from sle_cart.generate.common import MAX_PATIENTS
    from sle_cart.inputs.errors import MAX_PER_KIND
    from sle_cart.paths import BUNDLED

    p = argparse.ArgumentParser(prog="python -m sle_cart", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build the whole book for a dataset")
    b.add_argument("--data", default=None, help=f"dataset folder (default: bundled {BUNDLED.name})")
    b.add_argument("--out", default=None, help="output folder for the site (default: _build/html)")
    b.add_argument("--strict", action="store_true", help="exit 1 when any claim does not hold")
    b.add_argument("--force", action="store_true", help="re-execute every chapter and rebuild the site")
    b.add_argument("--quiet", action="store_true", help="print only the summary line and errors")
    b.add_argument("--jobs", type=int, default=None, help="chapters executed at once (default: CPU count)")
    b.add_argument("--cache-dir", default=None, help="chapter cache (default: _build/cache of the book)")
    b.add_argument(
        "--book-root",
        default=None,
        help="folder with _config.yml, _toc.yml and chapters/ (default: this repository)",
    )
    b.set_defaults(func=_build)
    v = sub.add_parser("validate", help="check a dataset against the data contract and evaluate the claims")
    v.add_argument("data")
    v.add_argument(
        "--all",
        action="store_true",
        help=f"list every problem and warning (by default the first {MAX_PER_KIND} of each kind)",
    )
    v.set_defaults(func=_validate)
    t = sub.add_parser("template", help="write an empty dataset to fill in")
    t.add_argument("dir")
    t.set_defaults(func=_template)
    r = sub.add_parser("reconstruct", help="write the seeded reconstruction of the trial data")
    r.add_argument("--out", default=str(BUNDLED))
    r.add_argument("--seed", type=int, default=647)
    r.set_defaults(func=_reconstruct)
    s = sub.add_parser("synth", help="write a seeded synthetic cohort of any size")
    s.add_argument(
        "--patients",
        type=_patient_count,
        required=True,
        help=f"number of patients, 1 to {MAX_PATIENTS:,}",
    )
    s.add_argument("--out", required=True)
    s.add_argument("--seed", type=int, default=1)
    s.set_defaults(func=_synth)
    return p


def _error(message: object) -> None:
    """Print an error, its lines kept, every other control character escaped (it may echo a name)."""
    from sle_cart.inputs.errors import printable

    text = "\n".join(printable(line) for line in str(message).split("\n"))
    print(f"error: {text}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    from sle_cart.inputs.errors import DataError  # light: a build with nothing to do imports no pandas
    from sle_cart.paths import FolderRefused

    args = parser().parse_args(argv)
    # Ctrl-C interrupts even when the parent shell started us with SIGINT ignored (a background
    # job); SIGTERM ends a build like Ctrl-C does: staging is removed, the last good output stays.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        return args.func(args)
    except DataError as exc:
        _error(exc.report(show_all=getattr(args, "all", False)))
        return 2
    except FolderRefused as exc:
        _error(exc)
        return 2
    except KeyboardInterrupt:
        print("interrupted: nothing was published; the previous output is unchanged", file=sys.stderr)
        return 130
