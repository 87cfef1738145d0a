"""Base class for the factory_boy factories of the tests: calling a factory is typed as its model.

factory_boy's metaclass ``__call__`` (``UserFactory()`` creates a ``User``) carries no annotation, so
mypy types ``UserFactory()`` as an instance of the factory. ``ModelFactory[User]`` declares, for the
type checker only, that calling the factory returns the model instance; at run time it is
``DjangoModelFactory`` unchanged. Imported by the apps' tests only (factory_boy is a dev dependency).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypeVar

from factory.django import DjangoModelFactory

T = TypeVar("T")


class ModelFactory(DjangoModelFactory[T], Generic[T]):
    """``DjangoModelFactory`` whose call (the default create strategy) is typed as returning ``T``."""

    class Meta:
        abstract = True

    if TYPE_CHECKING:
        # mypy insists that __new__ returns an instance of the class; factory_boy's metaclass returns the model
        def __new__(cls, *args: Any, **kwargs: Any) -> T: ...  # type: ignore[misc]
