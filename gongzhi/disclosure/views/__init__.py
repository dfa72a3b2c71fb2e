"""Pages of disclosure, one module per audience or section."""
