"""Presentation: figures, clinical tables, the summary prose and the claims ledger
(imports ``inputs`` and ``analysis``)."""
