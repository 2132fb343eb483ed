"""django-simple-history's `Model.history` without building a manager class on every access.

simple-history's HistoryDescriptor makes a new manager class (Manager.from_queryset, which walks
the queryset class with inspect.getmembers) each time `Model.history` or `instance.history` is
read. The case page reads a dozen history tables, the audit trail forty: about a quarter of a
millisecond each, for the same class every time. install() keeps the class on the descriptor
the first time and returns a manager of it for the model and instance asked for, as before
(docs/performance.md, "The case page").
"""

from __future__ import annotations

from typing import Any

from simple_history.manager import HistoryDescriptor


def _history_manager(self: Any, instance: Any, owner: Any) -> Any:
    manager_class = self.__dict__.get("_nrm_manager_class")
    if manager_class is None:
        manager_class = self.manager_class.from_queryset(self.queryset_class)
        self._nrm_manager_class = manager_class
    return manager_class(self.model, instance)


def install() -> None:
    HistoryDescriptor.__get__ = _history_manager  # type: ignore[method-assign]
