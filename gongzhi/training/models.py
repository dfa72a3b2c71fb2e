"""以考促学 — models."""
