"""公示本 — models."""
