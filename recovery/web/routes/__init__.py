"""One module per page group; each declares the least role its routes need."""
