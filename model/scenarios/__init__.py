"""Built-in scenarios, shipped as package data (one TOML file each)."""
