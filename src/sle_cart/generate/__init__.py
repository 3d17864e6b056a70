"""Dataset generators, apart from the data path: the reconstruction, synthetic cohorts, the template."""
