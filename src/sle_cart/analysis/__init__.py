"""Analysis: pure functions of a validated ``Dataset`` (imports ``inputs`` only)."""
