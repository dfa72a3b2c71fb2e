"""Pages of finance, one module per audience or section."""
