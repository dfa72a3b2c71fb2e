"""Pages of fees, one module per audience or section."""
