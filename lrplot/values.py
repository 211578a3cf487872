"""Reading values the way ML configs write them, and naming what is wrong with them.

The bottom layer under the config, the metric logs and the framework records: YAML text to plain
data (numbers as YAML 1.2 reads them), numbers and integers checked with the field's path, and the
did-you-mean hint every "unknown ..." message carries.
"""

from __future__ import annotations

import math
import re
from typing import Any, Iterable, Mapping

from .errors import ConfigError, TorchWouldRaise

# A config expands to at most this many values (list items and mapping entries), aliases counted
# every time they are used: a 1 MiB file holds a few hundred thousand, an alias bomb billions.
MAX_VALUES_IN_CONFIG = 1_000_000
MAX_DEPTH = 64
# The longest run lrplot simulates, in optimizer steps (config.py checks a run against it; every
# count a framework derives from a config's numbers is held to it by ``count`` below).
MAX_STEPS = 10_000_000

# YAML 1.2's float (PyYAML follows YAML 1.1, where 5e-5 and 3e4 are strings because the exponent
# needs a dot and a sign). Plain integers stay integers: that rule comes first in YAML 1.2 too.
_FLOAT_12 = re.compile(
    r"""^(?:[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?
        |[-+]?[0-9]+[eE][-+]?[0-9]+
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""",
    re.X,
)


def _loader():
    import yaml

    class ValueProblem(yaml.constructor.ConstructorError):
        """A value no constructor can make, with the field it stands at; ``invalid`` when it is
        not valid YAML (``!!binary %%%``, an unknown tag), rather than a value lrplot cannot hold."""

        def __init__(self, field: str, reason: str, mark, invalid: bool):
            super().__init__(None, None, reason, mark)
            self.field = field
            self.invalid = invalid

    class Loader(yaml.SafeLoader):
        """safe_load with YAML 1.2 numbers, dates left as text, and every constructor failure a YAMLError."""

        def construct_document(self, node):
            self._root = node
            return super().construct_document(node)

        def construct_object(self, node, deep=False):
            try:
                return super().construct_object(node, deep=deep)
            except ValueProblem:  # from a node inside this one, which named its own field
                raise
            except yaml.constructor.ConstructorError as exc:  # an unknown tag, a tag on the wrong kind of node
                raise ValueProblem(self._path(node), exc.problem, exc.problem_mark, invalid=True) from None
            except (yaml.YAMLError, RecursionError, MemoryError):
                raise
            except Exception as exc:  # noqa: BLE001 - PyYAML's constructors raise whatever they hit
                # `!!float abc`, `!!timestamp x`, an integer of 5000 digits: the constructors raise
                # plain Python errors; name the field and the position like any YAML error.
                raise ValueProblem(self._path(node), _unreadable(node, exc), node.start_mark, invalid=False) from None

        def _path(self, node) -> str:
            return _node_path(getattr(self, "_root", None), node)

    class Tolerant(Loader):
        """The same loader, with a tag no safe constructor knows (detectron2's ``!!python/object/apply:eval``)
        read as a :class:`YamlTag` marker instead of failing: still nothing is run."""

    Tolerant.add_constructor(None, lambda loader, node: YamlTag(str(node.tag).replace("tag:yaml.org,2002:", "!!"), node.start_mark.line + 1))
    Loader.tolerant = Tolerant

    resolvers = {}
    for first, rules in yaml.SafeLoader.yaml_implicit_resolvers.items():
        kept = [r for r in rules if r[0] not in ("tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp")]
        if kept:
            resolvers[first] = kept
    Loader.yaml_implicit_resolvers = resolvers
    Loader.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT_12, list("-+0123456789."))
    return Loader


def _unreadable(node, exc: BaseException) -> str:
    """Why a scalar cannot be read, in the user's terms."""
    tag = str(node.tag).replace("tag:yaml.org,2002:", "!!")
    value = str(getattr(node, "value", ""))
    if "Exceeds the limit" in str(exc) and "digits" in str(exc):
        return f"an integer of {len(value.lstrip('+-'))} digits is too large for any field"
    shown = value if len(value) <= 40 else value[:37] + "..."
    return f"cannot read {shown!r} as {tag}"


def _node_path(root, target) -> str:
    """The path (``scheduler.gamma``, ``milestones[1]``) of ``target`` in the node tree under ``root``."""
    if root is None:
        return ""
    seen: set[int] = set()
    stack = [(root, "")]
    while stack:
        node, where = stack.pop()
        if node is target:
            return where
        if id(node) in seen:  # an alias used twice, or an anchor that contains itself
            continue
        seen.add(id(node))
        if isinstance(node.value, list):
            for i, item in enumerate(node.value):
                if isinstance(item, tuple):  # a mapping's (key, value) pair
                    key, value = item
                    name = str(key.value) if isinstance(key.value, str) else "?"
                    stack.append((key, where))
                    stack.append((value, f"{where}.{name}" if where else name))
                else:
                    stack.append((item, f"{where}[{i}]"))
    return ""


_LOADER = None


class YamlTag:
    """A YAML value under a tag lrplot does not construct (``!!python/object/apply:eval [...]``):
    opaque, so a reader that reads only some keys can read a file whose other keys hold one."""

    def __init__(self, tag: str, line: int):
        self.tag, self.line = tag, line

    def __repr__(self) -> str:
        return f"{self.tag} (line {self.line})"


class Missing:
    """A value a framework's file leaves for the flags to give (a LazyConfig's ``train.max_iter`` from
    detectron2's own files): an error saying ``why`` unless a flag or an including file sets it."""

    def __init__(self, why: str):
        self.why = why

    def __repr__(self) -> str:
        return self.why


def yaml_load(text: str, tolerant: bool = False) -> Any:
    """``yaml.safe_load`` with YAML 1.2 numbers (``5e-5`` is a float); raises yaml.YAMLError only.
    ``tolerant``: a tag no safe constructor knows is a :class:`YamlTag` rather than an error."""
    global _LOADER
    import yaml

    if _LOADER is None:
        _LOADER = _loader()
    try:
        return yaml.load(text, Loader=_LOADER.tolerant if tolerant else _LOADER)  # noqa: S506 - SafeLoader subclasses
    except RecursionError:
        raise yaml.YAMLError("nested too deeply") from None


def yaml_error_message(exc: Exception) -> str:
    """``scheduler.gamma: cannot read 'abc' as !!float (line 3, column 5)`` for a value lrplot
    cannot hold, ``invalid YAML at line 3, column 5: [field: ]<problem>`` for the rest."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or (str(exc).splitlines() or ["unreadable"])[0]
    field = getattr(exc, "field", None)
    if field is not None and not exc.invalid:
        at = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        return f"{field}: {problem}{at}" if field else f"{problem}{at}"
    at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return f"invalid YAML{at}: {field + ': ' if field else ''}{problem}"


def check_tree(data: Any, path: str = "") -> None:
    """Refuse data that refers to itself (a recursive YAML anchor) or expands beyond the limits.

    Iterative, so neither depth nor size can exhaust the interpreter.
    """
    count = 0
    stack: list[tuple[Any, str, int, frozenset[int]]] = [(data, path, 0, frozenset())]
    while stack:
        value, where, depth, above = stack.pop()
        if not isinstance(value, (Mapping, list, tuple)):
            continue
        if id(value) in above:
            raise ConfigError(where, "contains itself (a recursive YAML anchor); write the value out")
        if depth > MAX_DEPTH:
            raise ConfigError(where, f"nested more than {MAX_DEPTH} levels deep")
        count += len(value)
        if count > MAX_VALUES_IN_CONFIG:
            raise ConfigError(path, f"expands to more than {MAX_VALUES_IN_CONFIG:,} values (YAML aliases?); a config is much smaller")
        inner = above | {id(value)}
        items = value.items() if isinstance(value, Mapping) else enumerate(value)
        for key, child in items:
            if isinstance(child, (Mapping, list, tuple)):
                sub = f"{where}[{key}]" if not isinstance(value, Mapping) else (f"{where}.{key}" if where else str(key))
                stack.append((child, sub, depth + 1, inner))


# ----------------------------------------------------------------------------------------------
# Numbers


def type_name(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, YamlTag):
        return f"the YAML tag {value.tag}, which lrplot never runs:"
    if isinstance(value, Missing):
        return "nothing:"
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean", int: "an integer", float: "a number"}.get(
        type(value), type(value).__name__
    )


def number(value: Any, path: str) -> float:
    """A finite float from a YAML or flag value (ints and floats; never a bool or a string)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        hint = " (numbers are written without quotes)" if isinstance(value, str) and _looks_numeric(value) else ""
        raise ConfigError(path, f"must be a number, got {type_name(value)} {_shown(value)}{hint}")
    if isinstance(value, int):
        if abs(value) > 2**53:
            raise ConfigError(path, f"{_shown(value)} is too large")
        return float(value)
    if not math.isfinite(value):
        raise ConfigError(path, f"must be a finite number, got {value}")
    return value


def integer(value: Any, path: str) -> int:
    """An int; an integral float written like ML configs write counts (``6e5``, ``3e4``) counts too."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        hint = " (numbers are written without quotes)" if isinstance(value, str) and _looks_numeric(value) else ""
        raise ConfigError(path, f"must be an integer, got {type_name(value)} {_shown(value)}{hint}")
    if abs(value) > 2**53:
        raise ConfigError(path, f"{_shown(value)} is too large")
    return value


def count(value: float, path: str, how: str, limit: int = MAX_STEPS, overflow: str | None = None) -> int:
    """A count a config's numbers derive (epochs x updates per epoch, cycles growing by a factor),
    checked *before* it becomes an int or a length: the int, or a ConfigError on ``path``.

    ``value`` is the count as the framework computes it (a float or an int; round it first where
    the framework rounds), ``how`` the arithmetic in words (``"num_train_epochs 1e+18 x 125 steps
    per epoch"``). A count that is not a finite float (the framework's own arithmetic overflows: say
    what it raises in ``overflow``, and the error is a TorchWouldRaise) or exceeds ``limit`` is refused, so a 1e308 in a config is a
    clear error, never an OverflowError or a huge allocation. Every framework's section reader and
    engine use it for what they derive.
    """
    finite = isinstance(value, int) or math.isfinite(value)
    if not finite:
        if overflow:  # the library's own arithmetic fails there: a finding of `check`, like any raise
            raise TorchWouldRaise(path, f"{how} is {value} in floating point: {overflow}")
        raise ConfigError(path, f"{how} is {value} in floating point; give smaller numbers")
    if abs(value) > limit:
        raise ConfigError(path, f"{how} = {amount(value)}; lrplot simulates at most {limit:,} steps")
    return int(value)


def amount(value: float) -> str:
    """A number for a message: ``1,251`` or ``2.5``, and ``1.25e+20`` rather than 21 digits."""
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return f"{int(value):,}" if abs(value) < 1e15 else f"{float(value):.4g}"
    return f"{value:.6g}"


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _shown(value: Any) -> str:
    if isinstance(value, Missing):
        return value.why
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**30:
        return f"an integer of {len(str(abs(value)))} digits"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_text(value: str, path: str) -> str:
    """A string lrplot shows or writes (a name, a group name): it must be encodable as UTF-8.

    YAML's ``"\\ud800"`` escape makes a lone surrogate, which no file, figure or terminal can hold.
    """
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ConfigError(path, f"contains {value[exc.start]!r}, half of a UTF-16 pair and not a character; write the text out") from None
    return value


# ----------------------------------------------------------------------------------------------
# Names


def suggest(word: Any, options: Iterable[str]) -> str:
    """`` (did you mean 'step_size'?)`` for the closest option, or "" when nothing is close."""
    if not isinstance(word, str):
        return ""
    lowered = {o.lower().replace("-", "_"): o for o in options}
    import difflib

    match = difflib.get_close_matches(word.lower().replace("-", "_"), list(lowered), n=1, cutoff=0.6)
    return f" (did you mean {lowered[match[0]]!r}?)" if match else ""


def key_path(path: str, key: Any) -> str:
    """The path of an unknown key: ``scheduler.stepsize``, or ``scheduler['lr\\n']`` (repr) for a key
    a message could not show as it is (a newline in it, a number)."""
    if isinstance(key, str) and key.isprintable() and key.strip() == key and key:
        return f"{path}.{key}" if path else key
    return f"{path}[{key!r}]"


def check_keys(data: Mapping[str, Any], path: str, known: Iterable[str]) -> None:
    known = tuple(known)
    for key in data:
        if key not in known:
            where = key_path(path, key)
            section = f"`{path}`" if path else "the top level"
            raise ConfigError(where, f"unknown key{suggest(key, known)}; {section} takes {', '.join(known)}")
