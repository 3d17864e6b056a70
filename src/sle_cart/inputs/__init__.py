"""Inputs: the data contract, reading files and workbooks, normalising, checking, the ``Dataset`` type.

Imports only the standard library, pandas, pandera and PyYAML: nothing else of ``sle_cart``.
"""
