"""jeugdstelsel: see, simulate and steer a municipality's youth-care system.

Layers (dependencies point one way): interfaces (``cli``, ``web``, reports) -> ``services``
-> ``core``. The core model is pure NumPy and does no I/O.
"""

__version__ = "0.1.0"
