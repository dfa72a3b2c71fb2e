"""Pages of home, one module per audience or section."""
