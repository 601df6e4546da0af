"""The core system model: pure, vectorised NumPy, no I/O.

Arrays are shaped ``(draws, municipalities, ages)`` per state; the model's structure (stocks,
flows, parameters) is declared as data in :mod:`jeugdstelsel.core.model`.
"""
