"""人选把关 — models."""
