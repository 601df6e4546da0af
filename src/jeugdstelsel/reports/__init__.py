"""Files for people: charts (PNG), tables (CSV/Parquet/Excel) and the council report (PDF).

Everything here writes into an output folder checked by :func:`files.prepare_output` before
the simulation and filled through :meth:`files.OutputFolder.writing`, so a failed run never
leaves a half-written result behind and never touches a file the user had there.
"""
