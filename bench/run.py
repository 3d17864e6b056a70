"""Benchmark the build: wall time and peak memory, written to bench/results.md.

Not a test: run it on an otherwise idle machine with ``make bench`` (or
``.venv/bin/python bench/run.py [--runs N] [--skip-make-test]``).  Every figure
is the median of N runs (default 3) measured in this one run, so the ratios
compare like with like.

Scenarios
  1. clean build of the bundled book (fresh cache and output)
  2. rebuild with nothing changed
  3. rebuild after editing one chapter's markdown cell
  4. baseline: the same chapters built by plain ``jupyter-book build`` with
     ``execute_notebooks: force`` (Jupyter Book's own sequential executor)
  4b. floor: ``jupyter-book build`` of the already executed chapters with execution
     off (Sphinx alone): what any build of this site must pay
  5. ``make test`` and ``make check`` with dependencies installed
  6. synthetic cohorts of 6, 60, 600 and 6,000 patients (clean builds), with
     the largest chapter page holding a chart or table, in bytes (the shared Vega bundle is not counted)
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import psutil

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
BOOK_FILES = ("_config.yml", "_toc.yml", "index.md")


def measure(cmd: list[str], cwd: Path = ROOT, env: dict | None = None) -> dict:
    """Run ``cmd``; return wall seconds and the peak summed RSS of its whole process tree."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    peak = 0
    stop = threading.Event()

    def sample():
        nonlocal peak
        root = psutil.Process(proc.pid)
        while not stop.is_set():
            try:
                procs = [root, *root.children(recursive=True)]
                rss = 0
                for p in procs:
                    with contextlib.suppress(psutil.Error):
                        rss += p.memory_info().rss
                peak = max(peak, rss)
            except psutil.Error:
                pass
            stop.wait(0.05)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    out, _ = proc.communicate()
    stop.set()
    t.join()
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{out[-3000:]}")
    return {"seconds": wall, "peak_mb": peak / 2**20, "output": out}


def book_copy(dst: Path) -> Path:
    dst.mkdir(parents=True)
    for f in BOOK_FILES:
        shutil.copy2(ROOT / f, dst / f)
    for d in ("chapters", "assets"):
        shutil.copytree(ROOT / d, dst / d)
    return dst


def build_cmd(book: Path, cache: Path, out: Path, data: Path | None = None, extra=()) -> list[str]:
    cmd = [
        PY,
        "-m",
        "sle_cart",
        "build",
        "--book-root",
        str(book),
        "--cache-dir",
        str(cache),
        "--out",
        str(out),
        *extra,
    ]
    if data:
        cmd += ["--data", str(data)]
    return cmd


def median_of(runs: list[dict]) -> dict:
    return {
        "seconds": statistics.median(r["seconds"] for r in runs),
        "peak_mb": statistics.median(r["peak_mb"] for r in runs),
        "all_seconds": [round(r["seconds"], 2) for r in runs],
    }


def scenario_builds(tmp: Path, runs: int) -> dict:
    res = {"clean": [], "nochange": [], "edit": [], "edit_code": []}
    for i in range(runs):
        book = book_copy(tmp / f"book{i}")
        cache, out = tmp / f"cache{i}", book / "_build" / "html"
        res["clean"].append(measure(build_cmd(book, cache, out)))
        res["nochange"].append(measure(build_cmd(book, cache, out)))
        nb_path = book / "chapters" / "07-safety.ipynb"
        nb = nbformat.read(nb_path, as_version=4)
        nb.cells[0].source += f"\n\nEdit number {i}."
        nbformat.write(nb, nb_path)
        for kind in ("edit", "edit_code"):
            if kind == "edit_code":  # a code cell: the chapter's outputs may change, so it runs again
                nb = nbformat.read(nb_path, as_version=4)
                cell = next(
                    c
                    for c in nb.cells
                    if c.cell_type == "code" and "hide-input" in c.metadata.get("tags", [])
                )
                cell.source += f"  # edit number {i}"
                nbformat.write(nb, nb_path)
            r = measure(build_cmd(book, cache, out, extra=["--jobs", "2"]))
            r["reexecuted"] = [line.split()[0] for line in r["output"].splitlines() if "executed in" in line]
            res[kind].append(r)
    return res


def scenario_baseline(tmp: Path, runs: int) -> list[dict]:
    """Plain Jupyter Book: execute_notebooks: force, outputs stripped, same chapters and extension."""
    out = []
    for i in range(runs):
        book = book_copy(tmp / f"jb{i}")
        shutil.copytree(ROOT / "data", book / "data")
        cfg = (book / "_config.yml").read_text(encoding="utf-8")
        (book / "_config.yml").write_text(
            cfg.replace('execute_notebooks: "off"', "execute_notebooks: force"), encoding="utf-8"
        )
        for p in (book / "chapters").glob("*.ipynb"):
            nb = nbformat.read(p, as_version=4)
            for c in nb.cells:
                if c.cell_type == "code":
                    c.outputs, c.execution_count = [], None
            nbformat.write(nb, p)
        out.append(jupyter_book(book, book / "data" / "im19-sle"))
    return out


def jupyter_book(book: Path, data: Path) -> dict:
    """Plain ``jupyter-book build`` of a book copy, as the project's build runs it."""
    (book / "_build" / "extra").mkdir(parents=True)
    jb = str(Path(PY).parent / "jupyter-book")
    cmd = [jb, "build", str(book), "--all", "-W", "-n", "--keep-going"]
    return measure(cmd, env={"SLE_CART_DATA": str(data)})


def scenario_floor(tmp: Path, runs: int) -> list[dict]:
    """Sphinx alone: the committed, already executed chapters, execution off (as _config.yml has it)."""
    out = []
    for i in range(runs):
        out.append(jupyter_book(book_copy(tmp / f"floor{i}"), ROOT / "data" / "im19-sle"))
    return out


def scenario_make_test(runs: int) -> dict:
    return {
        "test": [measure(["make", "test"]) for _ in range(runs)],
        "check": [measure(["make", "check"]) for _ in range(runs)],
    }


def scenario_cohorts(tmp: Path, runs: int, sizes: list[int]) -> dict:
    res = {}
    for n in sizes:
        data = tmp / f"synth{n}"
        subprocess.run(
            [PY, "-m", "sle_cart", "synth", "--patients", str(n), "--out", str(data)],
            check=True,
            capture_output=True,
        )
        rs = []
        for i in range(runs):
            book = book_copy(tmp / f"cohort{n}-{i}")
            out = tmp / f"cohort{n}-{i}-site"
            r = measure(build_cmd(book, tmp / f"cohort{n}-{i}-cache", out, data=data))
            pages = sorted(_artefact_pages(out), key=lambda p: p.stat().st_size)
            r["largest_page"] = (pages[-1].name, pages[-1].stat().st_size)
            rs.append(r)
        res[n] = rs
    return res


def _artefact_pages(site: Path) -> list[Path]:
    """Chapter pages that hold a chart or a clinical table: what grows with the cohort.

    The source-code page is the largest page of every build and does not depend on the
    data, so measuring it would say nothing about cohort size.
    """
    return [
        p
        for p in (site / "chapters").glob("*.html")
        if any(m in p.read_text(encoding="utf-8") for m in ('class="sle-figure"', 'class="sle-table"'))
    ]


def speed_probe() -> float:
    """Seconds for 10 million integer additions in this process: this machine's speed drifts by a
    quarter within an hour, so the results say how fast it was when each part was measured."""
    t0 = time.perf_counter()
    total = 0
    for i in range(10_000_000):
        total += i
    return round(time.perf_counter() - t0, 2)


def machine() -> dict:
    mem = psutil.virtual_memory().total / 2**30
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(mem, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": dt.date.today().isoformat(),
    }


def write_results(
    m: dict, b: dict, base: list, floor: list, mt: dict | None, cohorts: dict, runs: int
) -> str:
    clean, noch, edit, code = (median_of(b[k]) for k in ("clean", "nochange", "edit", "edit_code"))
    bl, fl = median_of(base), median_of(floor)
    lines = [
        "# Benchmark results",
        "",
        f"Written by `bench/run.py` on {m['date']}: {m['cores']} cores, {m['memory_gib']} GiB memory, "
        f"Python {m['python']}, {m['platform']}. Each build figure is the median of {runs} runs made in this one run "
        "(all runs in brackets). Peak memory is the summed resident memory of the whole process tree "
        "(build, chapter workers, Jupyter kernels, Sphinx, the drawing process), sampled every 50 ms. The machine's speed, "
        "as seconds for 10 million integer additions in Python, before the builds, before `make test` and "
        f"at the end: {', '.join(f'{v:.2f}' for v in m['probes'])} (lower is faster).",
        "",
        "| scenario | wall time (s) | peak memory (MB) | runs (s) |",
        "|---|---:|---:|---|",
        f"| 1. clean build, bundled book | {clean['seconds']:.1f} | {clean['peak_mb']:.0f} | {clean['all_seconds']} |",
        f"| 2. rebuild, nothing changed | {noch['seconds']:.2f} | {noch['peak_mb']:.0f} | {noch['all_seconds']} |",
        f"| 3. rebuild after editing one chapter's markdown | {edit['seconds']:.1f} | {edit['peak_mb']:.0f} | "
        f"{edit['all_seconds']} |",
        f"| 3b. rebuild after editing one chapter's code cell | {code['seconds']:.1f} | {code['peak_mb']:.0f} | "
        f"{code['all_seconds']} |",
        f"| 4. baseline: `jupyter-book build`, `execute_notebooks: force` | {bl['seconds']:.1f} | "
        f"{bl['peak_mb']:.0f} | {bl['all_seconds']} |",
        f"| 4b. floor: `jupyter-book build` of the executed chapters, execution off (Sphinx alone) | "
        f"{fl['seconds']:.1f} | {fl['peak_mb']:.0f} | {fl['all_seconds']} |",
    ]
    if mt:
        for name, key in (("5. `make test`", "test"), ("5b. `make check`", "check")):
            t = median_of(mt[key])
            lines.append(
                f"| {name}, dependencies installed | {t['seconds']:.1f} | {t['peak_mb']:.0f} | "
                f"{t['all_seconds']} |"
            )
    lines += [
        "",
        "Chapters re-executed after the markdown edit: "
        + (", ".join(sorted({", ".join(r["reexecuted"]) for r in b["edit"]} - {""})) or "none")
        + " (a chapter's cache key covers its code cells; its text is taken from the edited notebook); "
        + "after the code-cell edit: "
        + ", ".join(sorted({", ".join(r["reexecuted"]) for r in b["edit_code"]}))
        + ".",
        "",
        "## Cohort size (clean builds of synthetic cohorts)",
        "",
        "| patients | wall time (s) | peak memory (MB) | largest page with charts or tables (bytes) | runs (s) |",
        "|---:|---:|---:|---:|---|",
    ]
    for n, rs in cohorts.items():
        med = median_of(rs)
        page = max(r["largest_page"][1] for r in rs)
        name = rs[0]["largest_page"][0]
        lines.append(
            f"| {n:,} | {med['seconds']:.1f} | {med['peak_mb']:.0f} | {page:,} ({name}) | "
            f"{med['all_seconds']} |"
        )
    small, large = min(cohorts), max(cohorts)
    s_small, s_large = median_of(cohorts[small]), median_of(cohorts[large])
    largest_page = max(r["largest_page"][1] for r in cohorts[large])
    ratios = [
        ("clean build / floor (Sphinx alone)", clean["seconds"] / fl["seconds"], "≤ 2.5"),
        ("one-chapter edit (markdown) / floor", edit["seconds"] / fl["seconds"], "≤ 1.3"),
        ("one-chapter edit (code cell) / floor", code["seconds"] / fl["seconds"], "≤ 1.3"),
        ("no-change rebuild / floor", noch["seconds"] / fl["seconds"], "≤ 0.1"),
        ("clean build / baseline (Jupyter Book's executor)", clean["seconds"] / bl["seconds"], "≤ 0.6"),
        (f"{large:,}-patient build / {small}-patient build", s_large["seconds"] / s_small["seconds"], "≤ 3"),
    ]
    lines += ["", "## Targets", "", "| ratio or limit | measured | target | met |", "|---|---:|---|---|"]
    for name, value, target in ratios:
        ok = value <= float(target.split()[-1])
        lines.append(f"| {name} | {value:.2f} | {target} | {'yes' if ok else 'no'} |")
    lines.append(
        f"| peak memory, {large:,} patients | {s_large['peak_mb']:.0f} MB | < 2048 MB | "
        f"{'yes' if s_large['peak_mb'] < 2048 else 'no'} |"
    )
    lines.append(
        f"| largest page with charts or tables, {large:,} patients | {largest_page:,} B | < 1.5 MB | "
        f"{'yes' if largest_page < 1.5e6 else 'no'} |"
    )
    if mt:
        for name, key, limit in (("`make test`", "test", 360), ("`make check`", "check", 30)):
            t = median_of(mt[key])["seconds"]
            lines.append(f"| {name} | {t:.0f} s | ≤ {limit} s | {'yes' if t <= limit else 'no'} |")
    e = statistics.median(chapter_seconds(r["output"]) for r in b["clean"])
    lines.append(floor_section(e, bl["seconds"], clean["seconds"], m["cores"]))
    return "\n".join(lines) + "\n"


def chapter_seconds(build_output: str) -> float:
    """Sum of the per-chapter execution times a build prints ('executed in N s')."""
    import re

    return sum(float(x) for x in re.findall(r"executed in ([\d.]+) s", build_output))


def floor_section(chapter_cpu_s: float, baseline_s: float, clean_s: float, cores: int) -> str:
    """Where a clean build's time goes, in words a maintainer can check against the table."""
    return "\n".join(
        [
            "",
            "## Where the time goes",
            "",
            f"A clean build's chapters took {chapter_cpu_s:.1f} s of execution in total, run {cores} at a time in "
            "kernels kept per worker (each worker's kernel starts, and imports what the chapters use, while the "
            "build checks the data and computes the findings). Meanwhile Sphinx sets itself up (its extensions, "
            "the configuration, the checked dataset) and waits for the pages, and the composite figures and "
            "`paper.pdf` are made by a process of their own at a lower priority than the kernels, finishing while "
            "Sphinx reads and writes the pages on one core (a process, not a thread: vl-convert holds the "
            "interpreter lock through each render, which stalled the build as it collected the chapters). The figures and the PDF are cached by data, code and "
            "commit, so an edit of a chapter's text reuses them, and reuses the chapter's outputs too (its key "
            "covers code cells only). Jupyter Book's own executor runs the chapters one after another, each in a "
            f"new kernel, before the same Sphinx: {baseline_s:.1f} s, against {clean_s:.1f} s for the clean build.",
            "",
        ]
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--sizes", default="6,60,600,6000")
    ap.add_argument("--skip-make-test", action="store_true", help="leave out scenario 5 (about 6 min a run)")
    ap.add_argument("--test-runs", type=int, default=1, help="runs of make test and make check")
    ap.add_argument("--cohort-runs", type=int, default=1, help="runs of each synthetic cohort")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results.md"))
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="sle-bench-") as tmp:
        tmp = Path(tmp)
        probes = [speed_probe()]
        print("builds ...", flush=True)
        b = scenario_builds(tmp, args.runs)
        print("baseline ...", flush=True)
        base = scenario_baseline(tmp, args.runs)
        print("floor ...", flush=True)
        floor = scenario_floor(tmp, args.runs)
        print("cohorts ...", flush=True)
        cohorts = scenario_cohorts(tmp, args.cohort_runs, sizes)
        mt = None
        probes.append(speed_probe())
        if not args.skip_make_test:
            print("make test, make check ...", flush=True)
            mt = scenario_make_test(args.test_runs)
    probes.append(speed_probe())
    text = write_results(machine() | {"probes": probes}, b, base, floor, mt, cohorts, args.runs)
    Path(args.out).write_text(text, encoding="utf-8")
    raw = Path(args.out).with_suffix(".json")
    strip = lambda rs: [{k: v for k, v in r.items() if k != "output"} for r in rs]  # noqa: E731
    raw.write_text(
        json.dumps(
            {
                "builds": {k: strip(v) for k, v in b.items()},
                "baseline": strip(base),
                "floor": strip(floor),
                "make_test": {k: strip(v) for k, v in mt.items()} if mt else None,
                "cohorts": {str(k): strip(v) for k, v in cohorts.items()},
                "speed_probe_seconds": probes,
            },
            indent=1,
        )
        + "\n"
    )
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
