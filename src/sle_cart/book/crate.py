"""An RO-Crate for a built site: what went in, what came out, and what made it.

:func:`write_crate` writes ``ro-crate-metadata.json`` at the root of a site
(RO-Crate 1.1, following the Process Run Crate profile 0.5).  It lists

* the dataset's files (``dataset.yml`` and the tables) as contextual ``File``
  entities ``#input/<name>`` with their SHA-256, size, format and licence; they
  live outside the site, and absolute paths would differ between machines;
* the site's outputs (``claims.json``, the chapters' HTML, the downloads and
  ``paper.pdf`` when there is one) as ``File`` data entities;
* the publication whose values the build compares the data with (the dataset's own
  ``publication.yml``, else abstract 0647) as a ``ScholarlyArticle`` the root cites;
* one ``CreateAction``, the build: ``instrument`` is sle-cart (version and git
  commit, with the key packages as ``softwareRequirements``), ``object`` the
  inputs and ``result`` the outputs.

The same inputs give the same bytes: no wall-clock times (no ``startTime`` or
``endTime``), a fixed ``datePublished``, entities and keys sorted.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from rocrate.model.contextentity import ContextEntity
from rocrate.model.file import File
from rocrate.rocrate import ROCrate

from sle_cart.analysis import publications
from sle_cart.inputs.dataset import Dataset

__all__ = ["CRATE", "DATE_PUBLISHED", "write_crate"]

#: The file name RO-Crate requires at the root of a crate.
CRATE = "ro-crate-metadata.json"
#: The Process Run Crate profile the crate follows.
PROFILE = "https://w3id.org/ro/wfrun/process/0.5"
#: Licence of the book content (prose, figures, tables).
CONTENT_LICENSE = "https://creativecommons.org/licenses/by/4.0/"
#: RO-Crate 1.1 requires a datePublished on the root.  The build time would make every build
#: differ, so this is the release date of the sle-cart version that writes it (CITATION.cff
#: date-released; a test keeps the two equal).
DATE_PUBLISHED = "2026-11-25"
#: The software's own entity.
SOFTWARE_ID = "#sle-cart"
ACTION_ID = "#build"

# A fixed table, not ``mimetypes``: that one reads the machine's /etc/mime.types.
_FORMATS = {
    ".csv": "text/csv",
    ".html": "text/html",
    ".json": "application/json",
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".txt": "text/plain",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".yaml": "application/yaml",
    ".yml": "application/yaml",
}
_SPDX_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+-]*$")


def write_crate(
    site: Path, ds: Dataset, *, commit: str, versions: dict[str, str], software_version: str
) -> Path:
    """Write ``ro-crate-metadata.json`` into ``site`` describing the build; return its path.

    Call it on a finished site, before its manifest is written (the crate is one of the
    site's files).  ``versions`` maps package names to versions (``provenance.versions()``),
    ``commit`` is ``provenance.git_commit()``.  Same arguments and files give the same bytes.
    """
    site = Path(site)
    crate = ROCrate(version="1.1")
    inputs = _add_inputs(crate, ds)
    outputs = _add_outputs(crate, site)
    software = _add_software(crate, commit=commit, versions=versions, software_version=software_version)
    crate.add(
        ContextEntity(
            crate,
            ACTION_ID,
            {
                "@type": "CreateAction",
                "name": f"Build the sle-cart book from dataset {ds.name}",
                "description": "Validate the dataset, execute the chapters and build the site "
                "(figures, tables, claims and pages) with sle-cart.",
                "instrument": {"@id": software},
                "object": [{"@id": i} for i in inputs],
                "result": [{"@id": o} for o in outputs],
            },
        )
    )
    _describe_root(crate, ds, outputs)
    path = site / CRATE
    path.write_text(_dumps(crate.metadata.generate()), encoding="utf-8")
    return path


def _file_facts(path: Path) -> dict[str, str]:
    data = path.read_bytes()
    return {
        "contentSize": str(len(data)),
        "encodingFormat": _FORMATS.get(path.suffix.lower(), "application/octet-stream"),
        "sha256": hashlib.sha256(data).hexdigest(),
    }


def _add_inputs(crate: ROCrate, ds: Dataset) -> list[str]:
    """The dataset (``#input/``) and its files (``#input/<name>``); the files' ids, sorted."""
    license_id = _add_license(crate, ds.license)
    ids = []
    for f in sorted(ds.files, key=lambda p: p.name):
        ident = f"#input/{f.name}"
        props = {"@type": "File", "name": f.name, "license": {"@id": license_id}, **_file_facts(f)}
        crate.add(ContextEntity(crate, ident, props))
        ids.append(ident)
    props = {
        "@type": "Dataset",
        "name": ds.title,
        "identifier": ds.name,
        "description": f"The input dataset '{ds.name}' (provenance: {ds.provenance}). "
        "Its files were read from outside the site and are identified by name and SHA-256.",
        "license": {"@id": license_id},
        "hasPart": [{"@id": i} for i in ids],
    }
    if ds.source:
        props["citation"] = ds.source
    crate.add(ContextEntity(crate, "#input/", props))
    return ids


def _add_license(crate: ROCrate, license: str | None) -> str:
    """The dataset licence as a contextual entity: an SPDX id, free text, or 'not stated'."""
    if license is None:
        ident, props = (
            "#license/not-stated",
            {"name": "not stated", "description": "The dataset's dataset.yml states no licence."},
        )
    elif _SPDX_ID.match(license):
        ident = f"https://spdx.org/licenses/{license}"
        props = {"name": license, "identifier": license, "url": ident}
    else:
        ident, props = "#license/input", {"name": license, "description": "As stated in dataset.yml."}
    crate.add(ContextEntity(crate, ident, {"@type": "CreativeWork", **props}))
    return ident


def _outputs(site: Path) -> list[Path]:
    """The site's files the crate describes: claims, the consistency audit, chapter pages, downloads, the paper."""
    found = [site / "claims.json", site / "consistency.json", site / "paper.pdf"]
    found += (site / "chapters").glob("*.html")
    found += (site / "downloads").rglob("*")
    return sorted((p for p in found if p.is_file()), key=lambda p: p.relative_to(site).as_posix())


def _add_outputs(crate: ROCrate, site: Path) -> list[str]:
    ids = []
    for p in _outputs(site):
        rel = p.relative_to(site).as_posix()
        entity = crate.add(
            File(crate, source=None, dest_path=rel, properties={"name": rel, **_file_facts(p)})
        )
        ids.append(entity.id)
    return ids


def _add_software(crate: ROCrate, *, commit: str, versions: dict[str, str], software_version: str) -> str:
    """sle-cart with its version, git commit and key packages; returns its id."""
    needs = []
    for name in sorted(versions):
        version = versions[name]
        known = version != "not installed"
        url = f"https://pypi.org/project/{name}/" + (f"{version}/" if known else "")
        crate.add(
            ContextEntity(
                crate, url, {"@type": "SoftwareApplication", "name": name, "version": version, "url": url}
            )
        )
        needs.append({"@id": url})
    crate.add(
        ContextEntity(
            crate,
            "#sle-cart-commit",
            {"@type": "PropertyValue", "name": "git commit", "propertyID": "git-commit", "value": commit},
        )
    )
    crate.add(
        ContextEntity(
            crate,
            SOFTWARE_ID,
            {
                "@type": "SoftwareApplication",
                "name": "sle-cart",
                "version": software_version,
                "description": "Rebuilds ACR Convergence 2025 abstract 0647 (IM19 anti-CD19 CAR T cells "
                "in refractory SLE) from a dataset folder.",
                "identifier": {"@id": "#sle-cart-commit"},
                "softwareRequirements": needs,
            },
        )
    )
    return SOFTWARE_ID


def _add_publication(crate: ROCrate, ds: Dataset) -> str:
    """The publication in force as a cited work, identified by its DOI or address; returns its id."""
    pub = publications.of(ds)
    props = {
        "@type": "ScholarlyArticle",
        "name": pub.title,
        "alternateName": pub.label,
        "author": list(pub.authors),
        "datePublished": pub.year,
        "isPartOf": pub.venue,
        "description": "The publication whose stated values this build compares the dataset with.",
    }
    if pub.doi:
        props["identifier"] = pub.doi
    if pub.link:
        props["url"] = pub.link
    if pub.registration:
        props["about"] = pub.registration
    ident = pub.link or "#publication"
    crate.add(ContextEntity(crate, ident, props))
    return ident


def _describe_root(crate: ROCrate, ds: Dataset, outputs: list[str]) -> None:
    crate.add(
        ContextEntity(
            crate,
            PROFILE,
            {"@type": "CreativeWork", "name": "Process Run Crate", "version": "0.5"},
        )
    )
    crate.add(
        ContextEntity(
            crate,
            CONTENT_LICENSE,
            {"@type": "CreativeWork", "name": "CC BY 4.0", "identifier": "CC-BY-4.0"},
        )
    )
    root = crate.root_dataset
    root["name"] = f"sle-cart book: {ds.title}"
    checked = (
        "ACR Convergence 2025 abstract 0647 rebuilt from data"
        if publications.is_default(ds)
        else f"the numbers of {publications.of(ds).label} checked against data"
    )
    root["description"] = (
        f"The built sle-cart book ({checked}): its pages, "
        "figure and table downloads and claims, with the inputs and software that made them."
    )
    root["citation"] = {"@id": _add_publication(crate, ds)}
    root["license"] = {"@id": CONTENT_LICENSE}
    root["datePublished"] = DATE_PUBLISHED
    root["conformsTo"] = {"@id": PROFILE}
    root["mentions"] = {"@id": ACTION_ID}
    root["hasPart"] = [{"@id": o} for o in outputs]


def _dumps(doc: dict) -> str:
    """The crate as JSON with a fixed order: descriptor, root, then entities by id; keys sorted."""
    first = {CRATE: 0, "./": 1}
    graph = sorted(doc["@graph"], key=lambda e: (first.get(e["@id"], 2), e["@id"]))
    out = {"@context": doc["@context"], "@graph": graph}
    return json.dumps(out, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
