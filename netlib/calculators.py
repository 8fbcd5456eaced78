"""The calculator registry by stable id: ``netlib.calculators.who_gep_grade.schema()``.

``netlib.calculators.list_ids()`` gives every calculator's id, ``all_calculators()`` the
calculators themselves, and ``netlib.calculators.get(id)`` one by its id.
"""

from __future__ import annotations

from .registry import Calculator, all_calculators, get

__all__ = ["get", "list_ids", "all_calculators", "Calculator"]


def list_ids() -> list[str]:
    return [c.id for c in all_calculators()]


def __getattr__(name: str) -> Calculator:
    if name.startswith("__"):
        raise AttributeError(name)
    from .registry import REGISTRY, _load_all

    _load_all()
    if name in REGISTRY:
        return REGISTRY[name]
    raise AttributeError(f"netlib.calculators has no calculator {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__ + list_ids())
