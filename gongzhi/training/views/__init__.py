"""Pages of training, one module per audience or section."""
