"""Reproducible paper: anti-CD19 CAR T cells (IM19) in refractory SLE (ACR 2025 abstract 0647)."""
