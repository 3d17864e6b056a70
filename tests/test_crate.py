"""The site's RO-Crate: inputs, outputs and the build action, byte-identical for the same inputs."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
import yaml
from rocrate.rocrate import ROCrate

from conftest import BUNDLED, ROOT
from sle_cart.book.crate import CRATE, DATE_PUBLISHED, write_crate
from sle_cart.inputs.dataset import load

VERSIONS = {"pandas": "3.1.1", "scipy": "1.17.1", "jupyter-book": "1.0.4.post1"}
OUTPUTS = ("claims.json", "chapters/01-summary.html", "downloads/fig1a.svg")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _site(path: Path) -> Path:
    """A small fake site: the kinds of files a build writes, and one it does not describe."""
    (path / "chapters").mkdir(parents=True)
    (path / "downloads").mkdir()
    (path / "claims.json").write_text('{"claims": []}\n', encoding="utf-8")
    (path / "chapters" / "01-summary.html").write_text(
        "<html><body>Summary</body></html>\n", encoding="utf-8"
    )
    (path / "downloads" / "fig1a.svg").write_text(
        "<svg xmlns='http://www.w3.org/2000/svg'/>\n", encoding="utf-8"
    )
    (path / "index.html").write_text("<html></html>\n", encoding="utf-8")
    return path


def _write(site: Path, ds, commit: str = "0123456789ab") -> Path:
    return write_crate(site, ds, commit=commit, versions=VERSIONS, software_version="1.0.0")


@pytest.fixture
def site(tmp_path) -> Path:
    return _site(tmp_path / "site")


@pytest.fixture
def crate(site, bundled) -> ROCrate:
    _write(site, bundled)
    return ROCrate(site)


def test_same_inputs_same_bytes(site, bundled, tmp_path):
    path = _write(site, bundled)
    assert path == site / CRATE
    first = path.read_bytes()
    assert _write(site, bundled).read_bytes() == first
    # another folder, same content: nothing machine- or path-specific leaks in
    other = _site(tmp_path / "elsewhere" / "site")
    assert _write(other, load(shutil.copytree(BUNDLED, tmp_path / "ds-copy"))).read_bytes() == first


def test_no_absolute_paths_or_clock_times(site, bundled):
    text = _write(site, bundled).read_text(encoding="utf-8")
    for leak in (str(site), str(BUNDLED), str(ROOT), "file://"):
        assert leak not in text
    doc = json.loads(text)
    keys = {k for e in doc["@graph"] for k in e}
    assert not keys & {"startTime", "endTime", "sdDatePublished"}
    assert doc["@context"] == "https://w3id.org/ro/crate/1.1/context"


def test_inputs_listed_with_sha256_and_licence(crate, bundled):
    assert {f.name for f in bundled.files} >= {"dataset.yml", "patients.csv"}
    for f in bundled.files:
        entity = crate.get(f"#input/{f.name}")
        assert entity is not None, f.name
        assert entity.type == "File"
        assert entity["sha256"] == _sha(f)
        assert entity["contentSize"] == str(f.stat().st_size)
        assert entity["encodingFormat"] in ("text/csv", "application/yaml")
        assert entity["license"]["identifier"] == "CC0-1.0"
        assert entity["license"].id == "https://spdx.org/licenses/CC0-1.0"


def test_outputs_listed_with_sha256(crate, site):
    parts = {e.id: e for e in crate.root_dataset["hasPart"]}
    assert set(parts) == set(OUTPUTS)  # index.html is not one of the described outputs
    for rel in OUTPUTS:
        assert parts[rel].type == "File"
        assert parts[rel]["sha256"] == _sha(site / rel)
        assert parts[rel]["encodingFormat"]
    assert parts["downloads/fig1a.svg"]["encodingFormat"] == "image/svg+xml"


def test_paper_pdf_listed_when_present(site, bundled):
    (site / "paper.pdf").write_bytes(b"%PDF-1.7\n")
    parts = {e.id: e for e in ROCrate(_write(site, bundled).parent).root_dataset["hasPart"]}
    assert parts["paper.pdf"]["encodingFormat"] == "application/pdf"


def test_the_consistency_audit_is_listed_when_present(site, bundled):
    (site / "consistency.json").write_text('{"checks": []}\n', encoding="utf-8")
    parts = {e.id: e for e in ROCrate(_write(site, bundled).parent).root_dataset["hasPart"]}
    assert parts["consistency.json"]["encodingFormat"] == "application/json"


@pytest.mark.build
def test_a_built_site_holds_the_consistency_audit_of_the_published_numbers(bundled_build):
    from sle_cart.analysis import consistency

    _, base = bundled_build
    doc = json.loads((base / "html" / "consistency.json").read_text(encoding="utf-8"))
    assert doc == json.loads(json.dumps(consistency.document()))
    crate = json.loads((base / "html" / CRATE).read_text(encoding="utf-8"))
    assert any(e.get("@id") == "consistency.json" for e in crate["@graph"])


def test_one_create_action(crate, bundled):
    actions = crate.get_by_type("CreateAction")
    assert len(actions) == 1
    action = actions[0]
    assert "startTime" not in action and "endTime" not in action
    tool = action["instrument"]
    assert tool.type == "SoftwareApplication"
    assert (tool["name"], tool["version"]) == ("sle-cart", "1.0.0")
    assert tool["identifier"]["value"] == "0123456789ab"
    needs = {e["name"]: e["version"] for e in tool["softwareRequirements"]}
    assert needs == VERSIONS
    assert {e.id for e in action["object"]} == {f"#input/{f.name}" for f in bundled.files}
    assert {e.id for e in action["result"]} == set(OUTPUTS)
    assert crate.root_dataset["mentions"].id == action.id


def test_root_metadata(crate, bundled):
    root = crate.root_dataset
    assert root["license"].id == "https://creativecommons.org/licenses/by/4.0/"
    assert bundled.title in root["name"] and root["description"]
    assert root["datePublished"] == DATE_PUBLISHED
    assert root["conformsTo"].id == "https://w3id.org/ro/wfrun/process/0.5"
    assert crate.get("https://w3id.org/ro/wfrun/process/0.5")["version"] == "0.5"


def test_date_published_is_the_release_date():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert str(cff["date-released"]) == DATE_PUBLISHED


def test_changed_input_changes_the_crate(site, bundled_copy, bundled):
    before = _write(site, bundled).read_bytes()
    table = bundled_copy / "adverse_events.csv"
    table.write_text(table.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    changed = load(bundled_copy)
    after = _write(site, changed).read_bytes()
    assert after != before
    entity = ROCrate(site).get("#input/adverse_events.csv")
    assert entity["sha256"] == _sha(table)


def test_changed_output_or_commit_changes_the_crate(site, bundled):
    before = _write(site, bundled).read_bytes()
    assert _write(site, bundled, commit="0123456789ab+dirty").read_bytes() != before
    (site / "claims.json").write_text('{"claims": [1]}\n', encoding="utf-8")
    assert _write(site, bundled).read_bytes() != before


def test_licence_not_stated(site, bundled_copy):
    meta = bundled_copy / "dataset.yml"
    meta.write_text(
        "".join(
            line
            for line in meta.read_text(encoding="utf-8").splitlines(True)
            if not line.startswith("license:")
        ),
        encoding="utf-8",
    )
    ds = load(bundled_copy)
    assert ds.license is None
    _write(site, ds)
    assert ROCrate(site).get("#input/dataset.yml")["license"]["name"] == "not stated"
