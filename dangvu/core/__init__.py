"""Pure rules and algorithms. Nothing in this package may import Django."""
