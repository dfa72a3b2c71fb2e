"""支部工作 — models."""
