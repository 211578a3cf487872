"""``@record``: lrplot's frozen dataclasses, made in microseconds instead of a millisecond.

``dataclasses.dataclass`` writes each class's ``__init__``, ``__repr__``, ``__eq__``, ``__hash__``,
``__setattr__`` and ``__delattr__`` as source text and compiles it: about a millisecond a class, and
the thirty records of the config, the registry and the engine cost every lrplot command a fifth of
what importing numpy, yaml and click does. A record is the same class without the compiling: the
same fields (``dataclasses.fields``, ``replace`` and ``asdict`` work on it, and ``field(default=...,
default_factory=..., repr=False, compare=False)`` mean what they do there), the same keyword and
positional ``__init__``, frozen (``dataclasses.FrozenInstanceError``), compared and hashed by its
compared fields (or by identity with ``eq=False``), shown by its repr'd ones. Where the
interpreter's dataclasses lack what this builds on, it is ``dataclass(frozen=True)`` itself.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, TypeVar

__all__ = ["record"]

T = TypeVar("T", bound=type)
_MISSING = dataclasses.MISSING
_FIELD = getattr(dataclasses, "_FIELD", None)  # the marker dataclasses.fields() keeps (3.7 to 3.13)
_PARAMS = getattr(dataclasses, "_DataclassParams", None)


def record(cls: T | None = None, /, *, eq: bool = True) -> Any:
    """``@dataclass(frozen=True[, eq=False])``, without compiling source (see the module)."""

    def wrap(cls: T) -> T:
        if _FIELD is None or _PARAMS is None:
            return dataclasses.dataclass(frozen=True, eq=eq)(cls)
        return _make(cls, eq)

    return wrap(cls) if cls is not None else wrap


def _make(cls: type, eq: bool) -> type:
    fields: dict[str, dataclasses.Field] = {}
    for base in cls.__mro__[-1:0:-1]:  # inherited records' fields first, as dataclasses orders them
        fields.update(getattr(base, "__dataclass_fields__", {}))
    for name, kind in cls.__dict__.get("__annotations__", {}).items():
        text = kind if isinstance(kind, str) else getattr(kind, "__name__", "")
        if text.startswith(("ClassVar", "typing.ClassVar", "InitVar", "dataclasses.InitVar")):
            raise TypeError(f"{cls.__name__}.{name}: records have no ClassVar or InitVar fields; use @dataclass")
        given = cls.__dict__.get(name, _MISSING)
        f = given if isinstance(given, dataclasses.Field) else dataclasses.field(default=given)
        if not f.init:
            raise TypeError(f"{cls.__name__}.{name}: records have no init=False fields; use @dataclass")
        f.name, f.type, f._field_type = name, kind, _FIELD  # what dataclasses.fields() reads
        if isinstance(given, dataclasses.Field):
            if f.default is _MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, f.default)
        fields[name] = f
    order = tuple(fields.values())
    seen_default = False
    for f in order:
        if f.default is _MISSING and f.default_factory is _MISSING:
            if seen_default:
                raise TypeError(f"non-default argument {f.name!r} follows default argument")
        else:
            seen_default = True
    names = tuple(f.name for f in order)
    compared = tuple(f.name for f in order if f.compare)
    shown = tuple(f.name for f in order if f.repr)
    post_init = getattr(cls, "__post_init__", None)
    setter = object.__setattr__
    qualname = cls.__qualname__

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if len(args) > len(order):
            raise TypeError(f"{qualname}.__init__() takes {len(order) + 1} positional arguments but {len(args) + 1} were given")
        for i, f in enumerate(order):
            if i < len(args):
                if f.name in kwargs:
                    raise TypeError(f"{qualname}.__init__() got multiple values for argument {f.name!r}")
                value = args[i]
            elif f.name in kwargs:
                value = kwargs[f.name]
            elif f.default is not _MISSING:
                value = f.default
            elif f.default_factory is not _MISSING:
                value = f.default_factory()
            else:
                raise TypeError(f"{qualname}.__init__() missing 1 required positional argument: {f.name!r}")
            setter(self, f.name, value)
        if kwargs:
            unknown = next((k for k in kwargs if k not in fields), None)
            if unknown is not None:
                raise TypeError(f"{qualname}.__init__() got an unexpected keyword argument {unknown!r}")
        if post_init is not None:
            post_init(self)

    def __repr__(self) -> str:
        return f"{qualname}({', '.join(f'{name}={getattr(self, name)!r}' for name in shown)})"

    def __setattr__(self, name: str, value: Any) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")

    methods: dict[str, Callable] = {"__init__": __init__, "__setattr__": __setattr__, "__delattr__": __delattr__}
    if "__repr__" not in cls.__dict__:
        methods["__repr__"] = __repr__
    if eq:
        def __eq__(self, other: Any) -> Any:
            if other.__class__ is not self.__class__:
                return NotImplemented
            return tuple(getattr(self, n) for n in compared) == tuple(getattr(other, n) for n in compared)

        def __hash__(self) -> int:
            return hash(tuple(getattr(self, n) for n in compared))

        methods["__eq__"] = __eq__
        methods["__hash__"] = __hash__
    for name, method in methods.items():
        method.__qualname__ = f"{qualname}.{name}"
        setattr(cls, name, method)
    cls.__dataclass_fields__ = fields
    cls.__dataclass_params__ = _params(eq)
    cls.__match_args__ = names
    return cls


def _params(eq: bool) -> Any:
    given = dict(init=True, repr=True, eq=eq, order=False, unsafe_hash=False, frozen=True)
    try:
        return _PARAMS(**given)
    except TypeError:  # Python 3.12 and later take four more, as @dataclass(frozen=True) sets them
        return _PARAMS(**given, match_args=True, kw_only=False, slots=False, weakref_slot=False)
