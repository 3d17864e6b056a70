"""Inputs: the data contract, reading files and workbooks, normalising, checking, the ``Dataset`` type.

Imports the standard library, pandas, pandera, PyYAML and ``sle_cart.paths``; nothing else of ``sle_cart``.
The public entry points are :func:`sle_cart.inputs.dataset.load` and ``load_cached``.
"""
