"""业主表决 — models."""
