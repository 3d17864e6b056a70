"""The book: plan, execute, assemble and publish the site; the Sphinx extension; provenance
(imports everything before it)."""
