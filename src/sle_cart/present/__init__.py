"""Presentation: the book's figures, tables, summary prose and claims ledger
(imports ``sle_cart.inputs``, ``sle_cart.analysis`` and ``sle_cart.paths`` only).

registry    every figure and table, declared once (name, function, chapter, title, caption)
figures     the figure functions; charts (Figure type, offline rendering) and layers (shared marks)
tables      the clinical tables (outcome_tables: renal, serology, safety); table (Table type, HTML);
            cells (censoring-aware summaries, evaluability notes); formatting (the one number rule)
ledger      the claims ledger and claims.json
dictionary  the data dictionary chapter's tables
summary     the summary's numbers as shown; prose: its sentences, built from them
publish     the one step that writes downloads
chapter     what a notebook cell calls: open_dataset, show, summary_section, dataset_notes
links       source links from a caption to the function that made it
"""
