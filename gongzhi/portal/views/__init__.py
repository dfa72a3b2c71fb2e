"""Pages of portal, one module per audience or section."""
