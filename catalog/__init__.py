"""The facts rigfit reasons over: YAML under catalog/data/, validated into frozen types, loaded once.

Importing the package reads no file and loads no YAML: `catalog.loader.load()` does.
"""

from catalog.catalog import Catalog, CatalogError
from catalog.types import (
    ApiPrice,
    Attention,
    Experts,
    Gpu,
    Hardware,
    Model,
    Price,
    Quant,
    RentalPrice,
    SystemMemory,
    Unified,
)

__all__ = [
    "ApiPrice",
    "Attention",
    "Catalog",
    "CatalogError",
    "Experts",
    "Gpu",
    "Hardware",
    "Model",
    "Price",
    "Quant",
    "RentalPrice",
    "SystemMemory",
    "Unified",
]
