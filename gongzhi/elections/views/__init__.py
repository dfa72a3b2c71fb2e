"""Pages of elections, one module per audience or section."""
