"""sle_cart: ACR Convergence 2025 abstract 0647 (IM19 anti-CD19 CAR T in refractory SLE) rebuilt from data."""

__version__ = "1.0.0"
