"""Python files read statically: parsed with ``ast``, never imported or executed.

Frameworks configure themselves in Python (an OpenMMLab config, a detectron2 LazyConfig) and
users write their schedule in their own train.py. lrplot reads such a file as data: module-level
assignments of literals (numbers, strings, lists, tuples, dicts, ``dict(...)``), arithmetic on them,
names assigned earlier in the file, items and attributes of what those names hold, and the few
pure calls a reader allows (``calls``). A reader may also let the file's own module-level
functions be called (``functions=True``): a call with readable arguments runs the function's body
statically — assignments, ``if``/``elif``/``else`` and ``return``, no loops — as a detectron2
LazyConfig's ``default_X_scheduler(1)``. Everything else — an import, another call, a loop — is
not evaluated: the names it would bind hold an :class:`Unreadable` that says which line and
construct it was, and it becomes an error (:func:`need`) only when something lrplot needs is made
of it. So a config whose model part calls functions still gives its schedule.

The work is bounded: the file is at most ``sources.MAX_FILE_BYTES``, and no value grows beyond
``MAX_ITEMS`` items or ``MAX_INT_BITS`` bits (``10 ** 10 ** 10`` is refused, not computed).
"""

from __future__ import annotations

import ast
import math
import operator
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from .errors import ConfigError

MAX_ITEMS = 100_000  # items in a list, tuple, dict or string a file builds
MAX_INT_BITS = 4096
MAX_NODES = 200_000  # ast nodes evaluated for one file
MAX_CALL_DEPTH = 16  # nested calls of the file's own functions


@dataclass(frozen=True)
class Unreadable:
    """What a name holds when its value cannot be read statically: where, and why."""

    where: str  # "file.py:12"
    construct: str  # "an import", "a call of build_model()", ...
    instead: str = "write the value itself (a number, a string, a list or a dict)"

    def error(self, field: str = "") -> ConfigError:
        what = f"{field} comes from {self.construct}" if field else f"{self.construct}"
        return ConfigError(self.where, f"{what}, which lrplot cannot read without running the file; {self.instead}")


def need(value: Any, field: str = "") -> Any:
    """``value`` where it is needed: an error naming the line if it (or anything in it) is Unreadable."""
    found = find_unreadable(value)
    if found is not None:
        raise found.error(field)
    return value


def find_unreadable(value: Any, depth: int = 0) -> Unreadable | None:
    if isinstance(value, Unreadable):
        return value
    if depth > 64:
        return None
    if isinstance(value, dict):
        items = list(value.values())
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        return None
    for item in items:
        found = find_unreadable(item, depth + 1)
        if found is not None:
            return found
    return None


def parse(text: str, where: str) -> ast.Module:
    """The file's syntax tree; a ConfigError naming the line for text that is not Python."""
    try:
        return ast.parse(text, filename=where)
    except SyntaxError as exc:
        raise ConfigError(f"{where}:{exc.lineno or 1}", f"is not valid Python ({exc.msg})") from None
    except (RecursionError, MemoryError, ValueError):
        raise ConfigError(where, "is nested too deeply (or holds a NUL byte) to be read as Python") from None


_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow,
}
_COMPARE: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt,
    ast.GtE: operator.ge, ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
    ast.Is: operator.is_, ast.IsNot: operator.is_not,
}
# Pure calls a reader may allow beside dict().
PURE_CALLS: dict[str, Callable[..., Any]] = {
    "int": int, "float": float, "round": round, "min": min, "max": max, "abs": abs, "len": len,
    "str": str, "bool": bool, "list": list, "tuple": tuple,
}


@dataclass(frozen=True)
class Function:
    """A module-level function of the file, for a reader that lets them be called (``functions=True``)."""

    node: ast.FunctionDef
    defaults: tuple[Any, ...]  # evaluated where the function is defined, as Python does
    kw_defaults: tuple[Any, ...]


_NO_RETURN = object()


class Evaluator:
    """Evaluates expression nodes of one file against ``names``.

    ``calls`` maps a called name to a function of the evaluated arguments (``dict`` is always
    allowed and builds a dict); a call of anything else is Unreadable, except, with ``functions``,
    a call of a function the file defines (:meth:`call_function`).
    """

    def __init__(self, where: str, names: dict[str, Any] | None = None, calls: Mapping[str, Callable[..., Any]] | None = None,
                 functions: bool = False):
        self.where = where
        self.names: dict[str, Any] = names if names is not None else {}
        self.calls = {"dict": _dict_call, **(calls or {})}
        self.functions = functions
        self.nodes = 0
        self.depth = 0

    def at(self, node: ast.AST) -> str:
        return f"{self.where}:{getattr(node, 'lineno', 1)}"

    def unreadable(self, node: ast.AST, construct: str, instead: str | None = None) -> Unreadable:
        return Unreadable(self.at(node), construct, *(() if instead is None else (instead,)))

    # -- expressions ------------------------------------------------------------------------

    def value(self, node: ast.AST) -> Any:
        """The value of an expression node, or an Unreadable saying why it has none."""
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ConfigError(self.where, f"is too large to read statically (more than {MAX_NODES:,} expressions)")
        method = getattr(self, f"_{type(node).__name__}", None)
        if method is None:
            return self.unreadable(node, f"{_describe(node)}")
        return method(node)

    def _Constant(self, node: ast.Constant) -> Any:
        if isinstance(node.value, (bytes, complex)) or node.value is Ellipsis:
            return self.unreadable(node, f"a {type(node.value).__name__} literal")
        return node.value

    def _Name(self, node: ast.Name) -> Any:
        if node.id in self.names:
            return self.names[node.id]
        return self.unreadable(node, f"the name {node.id!r}, which the file does not assign before this line",
                               "assign it above, as a plain value")

    def _List(self, node: ast.List) -> Any:
        return self._sized(node, self._items(node.elts))

    def _Tuple(self, node: ast.Tuple) -> Any:
        return tuple(self._sized(node, self._items(node.elts)))

    def _Set(self, node: ast.Set) -> Any:
        return self._List(node)  # type: ignore[arg-type]

    def _items(self, elts: list[ast.expr]) -> list[Any]:
        out: list[Any] = []
        for elt in elts:
            if isinstance(elt, ast.Starred):
                inner = self.value(elt.value)
                if isinstance(inner, (list, tuple)):
                    out.extend(inner)
                else:
                    out.append(inner if isinstance(inner, Unreadable) else self.unreadable(elt, "a starred value that is not a list"))
            else:
                out.append(self.value(elt))
        return out

    def _Dict(self, node: ast.Dict) -> Any:
        out: dict[Any, Any] = {}
        for key, val in zip(node.keys, node.values):
            if key is None:  # {**other}
                inner = self.value(val)
                if isinstance(inner, dict):
                    out.update(inner)
                else:
                    return inner if isinstance(inner, Unreadable) else self.unreadable(val, "a ** of something that is not a dict")
                continue
            k = self.value(key)
            if isinstance(k, Unreadable) or not isinstance(k, (str, int, float, bool, tuple)) or k is None:
                return k if isinstance(k, Unreadable) else self.unreadable(key, "a dict key that is not a string or a number")
            out[k] = self.value(val)
        return self._sized(node, out)

    def _UnaryOp(self, node: ast.UnaryOp) -> Any:
        operand = self.value(node.operand)
        if isinstance(operand, Unreadable):
            return operand
        try:
            if isinstance(node.op, ast.USub) and _is_number(operand):
                return -operand
            if isinstance(node.op, ast.UAdd) and _is_number(operand):
                return +operand
            if isinstance(node.op, ast.Not):
                return not operand
        except TypeError:
            pass
        return self.unreadable(node, f"{type(node.op).__name__} of {type(operand).__name__}")

    def _BinOp(self, node: ast.BinOp) -> Any:
        left, right = self.value(node.left), self.value(node.right)
        for side in (left, right):
            if isinstance(side, Unreadable):
                return side
        op = _BINARY.get(type(node.op))
        if op is None:
            return self.unreadable(node, f"the operator {type(node.op).__name__}")
        problem = _too_big(node.op, left, right)
        if problem:
            raise ConfigError(self.at(node), problem)
        if isinstance(node.op, ast.Mod) and isinstance(left, str):
            return self.unreadable(node, "%-formatting of a string")
        try:
            result = op(left, right)
        except (ArithmeticError, TypeError, ValueError) as exc:
            raise ConfigError(self.at(node), f"{ast.unparse(node)[:60]!r} cannot be computed ({type(exc).__name__}: {exc})") from None
        return self._sized(node, result)

    def _BoolOp(self, node: ast.BoolOp) -> Any:
        result: Any = None
        for item in node.values:
            result = self.value(item)
            if isinstance(result, Unreadable):
                return result
            if isinstance(node.op, ast.And) and not result:
                return result
            if isinstance(node.op, ast.Or) and result:
                return result
        return result

    def _Compare(self, node: ast.Compare) -> Any:
        left = self.value(node.left)
        for op, comparator in zip(node.ops, node.comparators):
            right = self.value(comparator)
            for side in (left, right):
                if isinstance(side, Unreadable):
                    return side
            try:
                if not _COMPARE[type(op)](left, right):
                    return False
            except TypeError:
                return self.unreadable(node, "a comparison of values of different kinds")
            left = right
        return True

    def _IfExp(self, node: ast.IfExp) -> Any:
        test = self.value(node.test)
        if isinstance(test, Unreadable):
            return test
        return self.value(node.body if test else node.orelse)

    def _Subscript(self, node: ast.Subscript) -> Any:
        container, index = self.value(node.value), self.value(node.slice)
        for side in (container, index):
            if isinstance(side, Unreadable):
                return side
        try:
            return container[index]
        except (KeyError, IndexError, TypeError):
            return self.unreadable(node, f"{ast.unparse(node)[:60]!r}, which is not there", "use a key or index the value has")

    def _Slice(self, node: ast.Slice) -> Any:
        parts = [None if p is None else self.value(p) for p in (node.lower, node.upper, node.step)]
        for part in parts:
            if isinstance(part, Unreadable):
                return part
        return slice(*parts)

    def _Attribute(self, node: ast.Attribute) -> Any:
        # A dict's item read as an attribute: mmengine's ConfigDict and detectron2's LazyConfig
        # let `train_dataloader.batch_size` name the key.
        owner = self.value(node.value)
        if isinstance(owner, Unreadable):
            return owner
        if isinstance(owner, dict) and node.attr in owner:
            return owner[node.attr]
        return self.unreadable(node, f"the attribute {ast.unparse(node)[:60]!r}")

    def _JoinedStr(self, node: ast.JoinedStr) -> Any:
        parts = []
        for part in node.values:
            if isinstance(part, ast.Constant):
                parts.append(str(part.value))
                continue
            assert isinstance(part, ast.FormattedValue)
            inner = self.value(part.value)
            if isinstance(inner, Unreadable):
                return inner
            if part.format_spec is not None or part.conversion not in (-1, 115):
                return self.unreadable(node, "an f-string with a format")
            parts.append(str(inner))
        return self._sized(node, "".join(parts))

    def _Call(self, node: ast.Call) -> Any:
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name is not None and isinstance(self.names.get(name), Function):
            return self.call_function(node, self.names[name])
        function = self.calls.get(name) if name is not None else None
        if function is None:
            return self.unreadable(node, f"a call of {ast.unparse(node.func)[:60]}()", "write its result as a plain value")
        args = self._items(node.args)
        kwargs: dict[str, Any] = {}
        for kw in node.keywords:
            value = self.value(kw.value)
            if kw.arg is None:
                if not isinstance(value, dict):
                    return value if isinstance(value, Unreadable) else self.unreadable(kw, "a ** of something that is not a dict")
                kwargs.update(value)
            else:
                kwargs[kw.arg] = value
        if name != "dict":  # dict() keeps what it holds; other calls compute, so need readable arguments
            for a in (*args, *kwargs.values()):
                if isinstance(a, Unreadable):
                    return a
        try:
            return self._sized(node, function(*args, **kwargs))
        except (ArithmeticError, TypeError, ValueError) as exc:
            raise ConfigError(self.at(node), f"{ast.unparse(node)[:60]!r} cannot be computed ({type(exc).__name__}: {exc})") from None

    def call_function(self, node: ast.Call, fn: Function) -> Any:
        """A call of the file's own function: its body run statically over the module's names and the
        arguments (assignments, if/elif/else, return); Unreadable where it does anything else."""
        args = self._items(node.args)
        kwargs: dict[str, Any] = {}
        for kw in node.keywords:
            if kw.arg is None:
                return self.unreadable(kw, "a ** in a call of the file's own function", "pass its arguments by name")
            kwargs[kw.arg] = self.value(kw.value)
        for a in (*args, *kwargs.values()):
            if isinstance(a, Unreadable):
                return a
        spec = fn.node.args
        if spec.vararg or spec.kwarg:
            return self.unreadable(node, f"a call of {fn.node.name}(), which takes *args or **kwargs")
        if self.depth >= MAX_CALL_DEPTH:
            raise ConfigError(self.at(node), f"calls the file's functions more than {MAX_CALL_DEPTH} deep; lrplot reads no recursion")
        positional = [*spec.posonlyargs, *spec.args]
        if len(args) > len(positional):
            return self.unreadable(node, f"a call of {fn.node.name}() with {len(args)} positional arguments")
        bound = {a.arg: value for a, value in zip(positional, args)}
        named = {a.arg for a in (*spec.args, *spec.kwonlyargs)}
        for key, value in kwargs.items():
            if key not in named or key in bound:
                return self.unreadable(node, f"a call of {fn.node.name}() with an unexpected argument {key!r}")
            bound[key] = value
        defaults = dict(zip([a.arg for a in positional][len(positional) - len(fn.defaults):], fn.defaults))
        defaults.update({a.arg: d for a, d in zip(spec.kwonlyargs, fn.kw_defaults) if d is not _NO_RETURN})
        for a in (*positional, *spec.kwonlyargs):
            if a.arg not in bound:
                if a.arg not in defaults:
                    return self.unreadable(node, f"a call of {fn.node.name}() without its argument {a.arg!r}")
                bound[a.arg] = defaults[a.arg]
        scope = {**self.names, **bound}  # the module's names as they are when it is called, then its arguments
        inner = type(self).__new__(type(self))
        inner.__dict__.update(self.__dict__)
        inner.names, inner.depth = scope, self.depth + 1
        try:
            result = inner.body(fn.node.body)
        finally:
            self.nodes = inner.nodes
        return None if result is _NO_RETURN else result

    def body(self, stmts: list[ast.stmt]) -> Any:
        """A function's statements in order: the value it returns (``_NO_RETURN`` when it falls off the end)."""
        for stmt in stmts:
            if isinstance(stmt, ast.Return):
                return None if stmt.value is None else self.value(stmt.value)
            if isinstance(stmt, ast.If):
                test = self.value(stmt.test)
                if isinstance(test, Unreadable):
                    return test
                result = self.body(stmt.body if test else stmt.orelse)
                if result is not _NO_RETURN:
                    return result
            elif isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Pass)) or (
                    isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)):
                self.statement(stmt)  # binds in the call's own scope
            else:
                return self.unreadable(stmt, f"{_describe(stmt)} in a function", "write the function with assignments, if/else and return only")
        return _NO_RETURN

    def _sized(self, node: ast.AST, value: Any) -> Any:
        if isinstance(value, (list, tuple, dict, str)) and len(value) > MAX_ITEMS:
            raise ConfigError(self.at(node), f"builds a value of {len(value):,} items; lrplot reads at most {MAX_ITEMS:,}")
        if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_INT_BITS:
            raise ConfigError(self.at(node), f"builds an integer of {value.bit_length():,} bits; not a number a config holds")
        return value

    # -- statements -------------------------------------------------------------------------

    def run(self, body: list[ast.stmt]) -> dict[str, Any]:
        """Module-level statements in order: assignments bind names; what cannot be read binds Unreadable."""
        for stmt in body:
            self.statement(stmt)
        return self.names

    def statement(self, stmt: ast.stmt) -> None:
        if isinstance(stmt, ast.Assign):
            value = self.value(stmt.value)
            for target in stmt.targets:
                self.bind(target, value)
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            self.bind(stmt.target, self.value(stmt.value))
        elif isinstance(stmt, ast.AugAssign):
            current = ast.BinOp(left=_load(stmt.target), op=stmt.op, right=stmt.value)
            ast.copy_location(current, stmt)
            self.bind(stmt.target, self.value(current))
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            for alias in stmt.names:
                name = (alias.asname or alias.name).split(".")[0]
                if name != "*":
                    # the one name's import, whole (a long `from m import a, b, c` cut short named none of them)
                    what = (f"from {'.' * stmt.level}{stmt.module or ''} import {alias.name}" if isinstance(stmt, ast.ImportFrom)
                            else f"import {alias.name}")
                    self.names[name] = self.unreadable(stmt, f"an import ({what})", "write the value in the file instead of importing it")
        elif isinstance(stmt, ast.FunctionDef) and self.functions and not stmt.decorator_list:
            defaults = tuple(self.value(d) for d in stmt.args.defaults)
            kw_defaults = tuple(_NO_RETURN if d is None else self.value(d) for d in stmt.args.kw_defaults)
            self.names[stmt.name] = Function(stmt, defaults, kw_defaults)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self.names[stmt.name] = self.unreadable(stmt, f"the {'class' if isinstance(stmt, ast.ClassDef) else 'function'} {stmt.name}")
        elif isinstance(stmt, ast.Expr) or isinstance(stmt, ast.Pass):
            return  # a docstring, a bare call: binds nothing lrplot reads
        else:
            # A loop, an if, a with, ...: whatever it assigns is not known without running it.
            construct = f"{_describe(stmt)} at line {stmt.lineno}"
            for name in _assigned_names(stmt):
                self.names[name] = self.unreadable(stmt, construct)

    def bind(self, target: ast.expr, value: Any) -> None:
        if isinstance(target, ast.Name):
            self.names[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            if isinstance(value, (list, tuple)) and len(value) == len(target.elts):
                for t, v in zip(target.elts, value):
                    self.bind(t, v)
            else:
                for t in target.elts:
                    self.bind(t, value if isinstance(value, Unreadable) else self.unreadable(target, "an unpacking that does not fit"))
        elif isinstance(target, (ast.Attribute, ast.Subscript)):
            # `train_dataloader.batch_size = 256`, `cfg['lr'] = 0.1`: a key set on a dict the file built
            owner = self.value(target.value)
            key: Any = target.attr if isinstance(target, ast.Attribute) else self.value(target.slice)
            if isinstance(owner, dict) and isinstance(key, (str, int)):
                owner[key] = value
            else:
                root = _root_name(target)
                if root is not None:
                    self.names[root] = owner if isinstance(owner, Unreadable) else self.unreadable(target, f"an assignment to {ast.unparse(target)[:60]}")
        elif isinstance(target, ast.Starred):
            self.bind(target.value, self.unreadable(target, "a starred assignment"))


def module_names(text: str, where: str, names: dict[str, Any] | None = None, calls: Mapping[str, Callable[..., Any]] | None = None,
                 functions: bool = False) -> dict[str, Any]:
    """The names a file's module-level statements bind, read statically (Unreadable where they can't be)."""
    tree = parse(text, where)
    try:
        return Evaluator(where, names, calls, functions).run(tree.body)
    except RecursionError:
        raise ConfigError(where, "holds an expression nested too deeply to read") from None


def _dict_call(*args: Any, **kwargs: Any) -> dict[str, Any]:
    if len(args) > 1:
        raise TypeError("dict expected at most 1 argument")
    out = dict(args[0]) if args else {}
    out.update(kwargs)
    return out


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float))


def _too_big(op: ast.operator, left: Any, right: Any) -> str | None:
    """Why ``left op right`` would be too large to compute, before computing it."""
    if isinstance(op, ast.Pow) and isinstance(left, (int, float)) and isinstance(right, (int, float)):
        if abs(left) > 1 and right > 0:
            bits = right * math.log2(abs(left))
            if isinstance(left, int) and isinstance(right, int) and bits > MAX_INT_BITS:
                return f"{left} ** {right} has about {bits:,.0f} bits; not a number a config holds"
    if isinstance(op, ast.Mult):
        for seq, n in ((left, right), (right, left)):
            if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and len(seq) * max(n, 0) > MAX_ITEMS:
                return f"repeats a value into {len(seq) * n:,} items; lrplot reads at most {MAX_ITEMS:,}"
    return None


def _load(target: ast.expr) -> ast.expr:
    """An assignment target as an expression that reads it (for ``x += 1``)."""
    node = ast.parse(ast.unparse(target), mode="eval").body
    ast.copy_location(node, target)
    for child in ast.walk(node):
        ast.copy_location(child, target)
    return node


def _root_name(target: ast.expr) -> str | None:
    while isinstance(target, (ast.Attribute, ast.Subscript)):
        target = target.value
    return target.id if isinstance(target, ast.Name) else None


def _assigned_names(stmt: ast.stmt) -> list[str]:
    names = []
    for node in ast.walk(stmt):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.append(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names += [(a.asname or a.name).split(".")[0] for a in node.names if a.name != "*"]
    return names


_WORDS = {
    "Lambda": "a lambda", "ListComp": "a list comprehension", "DictComp": "a dict comprehension",
    "SetComp": "a set comprehension", "GeneratorExp": "a generator", "Await": "an await", "Yield": "a yield",
    "YieldFrom": "a yield", "NamedExpr": "an assignment expression (:=)", "For": "a for loop", "AsyncFor": "a for loop",
    "While": "a while loop", "If": "an if statement", "With": "a with block", "AsyncWith": "a with block",
    "Try": "a try block", "TryStar": "a try block", "Match": "a match statement", "Delete": "a del statement",
    "Import": "an import", "ImportFrom": "an import", "FunctionDef": "a function definition", "ClassDef": "a class definition",
    "Global": "a global statement", "Nonlocal": "a nonlocal statement", "Raise": "a raise", "Assert": "an assert",
}


def _describe(node: ast.AST) -> str:
    return _WORDS.get(type(node).__name__, f"a {type(node).__name__} expression")
