"""Pages of registry, one module per audience or section."""
