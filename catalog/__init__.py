"""The facts rigfit reasons over: YAML under catalog/data/, validated into frozen types, loaded once."""

from catalog.loader import Catalog, CatalogError, load
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
    "load",
]
