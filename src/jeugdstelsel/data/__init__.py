"""Data: the embedded default data set, CBS StatLine, a municipality's own figures."""
