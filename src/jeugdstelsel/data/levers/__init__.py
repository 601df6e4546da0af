"""The lever library as data: one TOML file per lever (see docs/levers.md)."""
