"""Notices follow the dataset: reconstructed, synthetic or observed; text escaped; license shown."""

from __future__ import annotations

import subprocess
import sys

from sle_cart.book.sphinx_ext import footer_html, notice_html
from sle_cart.generate.synth import write_synthetic
from sle_cart.inputs.dataset import load


def test_reconstructed_notice_names_the_source(bundled):
    ds = bundled
    text = notice_html(ds)
    assert "Reconstructed data." in text and "consistent with the published summary statistics of" in text
    assert "abstract 0647" in text and "not patient data" in text
    assert "Dataset license: CC0-1.0" in footer_html(ds, "abc", {})


def test_synthetic_cohorts_say_so_and_never_claim_to_be_a_reconstruction(tmp_path):
    ds = load(write_synthetic(tmp_path / "s", n_patients=3, seed=2))
    assert ds.provenance == "synthetic"
    text = notice_html(ds)
    assert "Synthetic data." in text and "generated at random" in text and "not patient data" in text
    assert "reconstruct" not in text.lower() and "summary statistics" not in text


def test_observed_data_have_no_banner_but_the_footer_names_source_and_license(make_dataset):
    ds = load(make_dataset([{"patient_id": "A"}], [("A", 0, "c3", 1)], title="<b>Cohort</b> & co"))
    assert ds.provenance == "observed" and notice_html(ds) == ""
    foot = footer_html(ds, "abc", {"x": "<1>"})
    assert "Source: test fixture" in foot and "Dataset license: not stated" in foot
    assert "&lt;b&gt;Cohort&lt;/b&gt; &amp; co" in foot and "<b>Cohort" not in foot and "&lt;1&gt;" in foot


def test_reconstructed_text_from_the_dataset_is_escaped(bundled_copy):
    yml = bundled_copy / "dataset.yml"
    yml.write_text(
        yml.read_text(encoding="utf-8").replace("title: Anti-CD19", "title: <script>x</script> Anti"),
        encoding="utf-8",
    )
    text = notice_html(load(bundled_copy))
    assert "<script>" not in text and "&lt;script&gt;" in text


def test_yaml_alias_bomb_is_refused_briefly(bundled_copy):
    rows = ['  a0: &a0 ["x","x","x","x","x","x","x","x","x"]']
    rows += [f"  a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    yml = bundled_copy / "dataset.yml"
    yml.write_text(yml.read_text(encoding="utf-8") + "bomb:\n" + "\n".join(rows) + "\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "sle_cart", "validate", str(bundled_copy)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert len((proc.stdout + proc.stderr).encode()) < 2048
    assert "too large once its YAML aliases are expanded" in proc.stderr


def test_a_long_value_is_cut_in_messages(bundled_copy, capsys):
    from sle_cart import cli

    p = bundled_copy / "patients.csv"
    p.write_text(p.read_text(encoding="utf-8").replace("P2,M", "P2," + "M" * 5000), encoding="utf-8")
    assert cli.main(["validate", str(bundled_copy)]) == 2
    err = capsys.readouterr().err
    assert "MMMM…" in err and len(err) < 1000
