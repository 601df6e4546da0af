"""Files for people: charts (PNG), tables (CSV/Parquet/Excel) and the council report (PDF).

Everything here writes into a folder prepared by :func:`files.atomic_dir`, so a failed run
never leaves a half-written result behind.
"""
