"""Issue 21: generators that keep real data, bounded work and output on hostile input, safe echoes.

Each test states one promise of the issue (the item number is in its docstring) and
fails on the code before the issue was mended.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from sle_cart import cli

P, M = "patients.csv", "measurements.csv"


def _run(argv: list[str], capsys) -> tuple[int, str, str]:
    rc = cli.main(argv)
    out, err = capsys.readouterr()
    return rc, out, err


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


# ---------------------------------------------------------------- item 3: generators keep real data
OBSERVED = "name: my-cohort\ntitle: MY REAL OBSERVED COHORT\nprovenance: observed\n"


@pytest.mark.parametrize(
    "argv", [["synth", "--patients", "6", "--out", "{d}"], ["reconstruct", "--out", "{d}"]]
)
def test_generators_refuse_to_overwrite_an_observed_dataset(tmp_path, capsys, argv):
    """Item 3: a folder holding only the files a generator writes is still someone's dataset."""
    d = tmp_path / "my-cohort"
    d.mkdir()
    (d / "dataset.yml").write_text(OBSERVED, encoding="utf-8")
    (d / P).write_text("patient_id,sex\nP1,F\n", encoding="utf-8")
    before = _snapshot(d)
    rc, _, err = _run([a.format(d=d) for a in argv], capsys)
    assert rc == 2
    assert str(d / "dataset.yml") in err and "refusing to overwrite" in err
    assert _snapshot(d) == before


def test_generators_refuse_a_dataset_without_dataset_yml(tmp_path, capsys):
    """Item 3: tables without a dataset.yml are not a generator's output either."""
    d = tmp_path / "tables"
    d.mkdir()
    (d / M).write_text("patient_id,day,analyte,value,unit\n", encoding="utf-8")
    rc, _, err = _run(["synth", "--patients", "3", "--out", str(d)], capsys)
    assert rc == 2 and "no dataset.yml" in err
    assert [p.name for p in d.iterdir()] == [M]


def test_a_generator_overwrites_its_own_output_but_not_the_other_generators(tmp_path, capsys):
    """Item 3: synth rewrites what synth wrote; reconstruct does not take over a synthetic cohort."""
    d = tmp_path / "s"
    assert cli.main(["synth", "--patients", "3", "--out", str(d)]) == 0
    assert "generator: sle_cart synth" in (d / "dataset.yml").read_text(encoding="utf-8")
    assert cli.main(["synth", "--patients", "4", "--seed", "2", "--out", str(d)]) == 0
    before = _snapshot(d)
    rc, _, err = _run(["reconstruct", "--out", str(d)], capsys)
    assert rc == 2 and "generator: sle_cart reconstruct" in err
    assert _snapshot(d) == before


# ---------------------------------------------------------------- item 13: synth --patients bounded
@pytest.mark.parametrize("n", ["0", "-5", "5000000", "many"])
def test_synth_patients_must_be_within_the_stated_limit(tmp_path, capsys, n):
    """Item 13: no traceback, no runaway memory: exit 2 naming the limit, nothing written."""
    with pytest.raises(SystemExit) as stop:
        cli.main(["synth", "--patients", n, "--out", str(tmp_path / "s")])
    assert stop.value.code == 2
    assert "from 1 to 10,000" in capsys.readouterr().err
    assert not (tmp_path / "s").exists()


def test_synth_help_states_the_limit(capsys):
    """Item 13: the limit is documented where the option is."""
    with pytest.raises(SystemExit):
        cli.main(["synth", "--help"])
    assert "1 to 10,000" in capsys.readouterr().out


# ---------------------------------------------------------------- item 12: the cache is not in DATA
@pytest.mark.parametrize("where", [".", "cache", "deeper/cache"])
def test_cache_dir_inside_the_dataset_is_refused(bundled_copy, tmp_path, capsys, monkeypatch, where):
    """Item 12: the build would write its cache into the inputs, which it only reads."""
    import sle_cart.book.build

    def no_plan(*args, **kwargs):  # the output guard refuses before the build plans anything
        raise AssertionError("the build started")

    monkeypatch.setattr(sle_cart.book.build, "make_plan", no_plan)
    before = _snapshot(bundled_copy)
    cache = bundled_copy / where
    argv = ["build", "--data", str(bundled_copy), "--out", str(tmp_path / "site"), "--cache-dir", str(cache)]
    rc, _, err = _run(argv, capsys)
    assert rc == 2
    assert "inside the dataset folder" in err and str(bundled_copy) in err
    assert _snapshot(bundled_copy) == before and not (tmp_path / "site").exists()


# ---------------------------------------------------------------- item 8: YAML nesting depth
@pytest.mark.parametrize(
    "yml",
    [
        "name: x\ntitle: t\nprovenance: observed\ndefinitions: " + "[" * 500 + "]" * 500 + "\n",
        # each anchor nests the one before: shallow as written, deep once expanded
        "a0: &a0 [[[[[[[[[[1]]]]]]]]]]\n"
        + "".join(f"a{i}: &a{i} [[[[[[[[[[*a{i - 1}]]]]]]]]]]\n" for i in range(1, 200)),
    ],
    ids=["brackets", "anchor-chain"],
)
def test_deeply_nested_yaml_is_refused_cleanly(bundled_copy, capsys, yml):
    """Item 8: a RecursionError traceback becomes one problem naming dataset.yml and the limit."""
    (bundled_copy / "dataset.yml").write_text(yml, encoding="utf-8")
    rc, _, err = _run(["validate", str(bundled_copy)], capsys)
    assert rc == 2
    assert "dataset.yml: nests lists or mappings too deeply (more than 50 levels)" in err
    assert "Traceback" not in err and len(err.splitlines()) == 2


# ---------------------------------------------------------------- item 9: bounded output
def _rows(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def _write_rows(path: Path, rows: list[list[str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def test_many_problems_of_one_kind_are_listed_twenty_then_counted(bundled_copy, capsys):
    """Item 9: every wrong unit used to print a line; 20 are listed, the rest counted."""
    rows = _rows(bundled_copy / M)
    unit = rows[0].index("unit")
    for r in rows[1:]:
        r[unit] = "furlongs"
    _write_rows(bundled_copy / M, rows)
    n = len(rows) - 1
    rc, _, err = _run(["validate", str(bundled_copy)], capsys)
    assert rc == 2 and f"{n:,} problems found" in err
    listed = [line for line in err.splitlines() if "value 'furlongs'" in line]
    assert 20 <= len(listed) < n and len(err.splitlines()) < 200
    assert "more of this kind (see `validate --all`)" in err
    rc, _, err = _run(["validate", "--all", str(bundled_copy)], capsys)
    assert rc == 2 and len([line for line in err.splitlines() if "value 'furlongs'" in line]) == n


def test_a_note_names_a_few_extra_columns_and_counts_the_rest(bundled_copy, capsys):
    """Item 9: 10,000 extra columns made an 89 KB note line (shown in the data dictionary too)."""
    rows = _rows(bundled_copy / P)
    extra = [f"extra_{i}" for i in range(10_000)]
    _write_rows(bundled_copy / P, [rows[0] + extra] + [r + [""] * len(extra) for r in rows[1:]])
    rc, out, err = _run(["validate", str(bundled_copy)], capsys)
    assert rc == 0, err
    (note,) = [line for line in out.splitlines() if "extra columns" in line]
    assert "'extra_0'" in note and "and 9,995 more" in note and "'extra_9999'" not in note
    assert len(note) < 200


def test_the_data_dictionary_shows_warnings_capped_like_validate(bundled):
    """Item 9: the dictionary page lists the first warnings of a kind and counts the rest."""
    from dataclasses import replace

    from sle_cart.inputs.errors import Violation
    from sle_cart.present.dictionary import dataset_notes

    warnings = [
        Violation(M, None, "patient_id", f"P-{c}", f"patient P-{c} has no baseline", "warning")
        for c in map(chr, range(0x4E00, 0x4E00 + 500))  # ids without digits: each differs only in text
    ]
    html = dataset_notes(replace(bundled, warnings=warnings)).markup
    assert "P-\u4e13" in html and "P-\u4e14" not in html and "480 more of this kind" in html


# ---------------------------------------------------------------- item 10: control characters escaped
OSC52 = "\x1b]52;c;ZWNobyBwd25lZAo=\x07"


def test_control_characters_in_a_column_name_are_escaped_in_errors(bundled_copy, capsys):
    """Item 10: an OSC 52 sequence (it sets the clipboard) reached the terminal raw in the privacy error."""
    rows = _rows(bundled_copy / P)
    _write_rows(bundled_copy / P, [rows[0] + [f"email{OSC52}"]] + [r + ["x"] for r in rows[1:]])
    rc, _, err = _run(["validate", str(bundled_copy)], capsys)
    assert rc == 2 and "looks like a direct identifier" in err
    assert "\x1b" not in err and "\x07" not in err
    assert "email\\x1b]52;c;ZWNobyBwd25lZAo=\\x07" in err


def test_control_characters_in_the_dataset_path_are_escaped(tmp_path, capsys):
    """Item 10: the same for the folder name the error echoes."""
    d = tmp_path / "cohort\x1b[2J"
    rc, _, err = _run(["validate", str(d)], capsys)
    assert rc == 2 and "\x1b" not in err and "cohort\\x1b[2J" in err
