"""Population inputs: start population by age, births, migration and the risk index.

The engine (:mod:`jeugdstelsel.core.simulate`) ages every stock by 1/12 of an age per month;
births, ageing out at 23 and migration are the only sources and sinks (mass balance).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PopulationInputs:
    """Demographic inputs of a run (no I/O: the services layer builds them from data).

    ``population0``: persons per municipality and single age on 1 January of ``start_year``;
    ``births``: live births per calendar year and municipality; ``migration``: net migration per
    municipality and age as a fraction of the age's population per year, in a year of average
    migration; ``migration_index``: per calendar year, that year's migration relative to the
    average (``None``: 1 in every year); ``risk``: the municipal risk index (1 = national
    average).
    """

    start_year: int
    population0: np.ndarray  # (M, A)
    births: np.ndarray  # (Y, M)
    migration: np.ndarray  # (M, A)
    risk: np.ndarray  # (M,)
    names: tuple[str, ...]
    migration_index: np.ndarray | None = None  # (Y,)

    @property
    def n_municipalities(self) -> int:
        return self.population0.shape[0]

    @property
    def n_years(self) -> int:
        return self.births.shape[0]

    def migration_by_year(self) -> np.ndarray:
        """Net migration per calendar year, municipality and age, ``(Y, M, A)``."""
        index = (np.ones(self.n_years) if self.migration_index is None
                 else np.asarray(self.migration_index, dtype=float))
        return index[:, None, None] * np.asarray(self.migration, dtype=float)[None]
