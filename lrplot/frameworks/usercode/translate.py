"""A user's schedule function, translated statement by statement into a :class:`~.program.Program`.

The function is never run. Its body is walked once, with every name it reads replaced by what the
file says (module constants, argparse defaults, pins) and its arguments by what the training loop
passes (the call): values known now are computed now (``warmup_iters + 1`` is 2001, ``if args.cos:``
takes one branch), and what depends on the step becomes lrplot expressions. What it accepts:
``if``/``elif``/``else``, ``return``, local assignments (``=``, ``+=``, ...), arithmetic and
comparisons, ``min``/``max``/``abs``/``round``/``int``/``float``, ``math.*`` and ``np.*``/``numpy.*``
functions, ``assert`` (checked), conditional expressions, ``x in [..]``, ``for`` over a known list, an
argparse list, a constant ``range`` or ``optimizer.param_groups`` (unrolled), ``param_group['lr'] =
...`` for every group or ``optimizer.param_groups[i]`` by index, and ``print``/logging lines
(skipped). Anything else is a ConfigError naming the file, the line and the construct, and what to
write instead.
"""

from __future__ import annotations

import ast
import math
import operator
from dataclasses import dataclass
from typing import Any

from ...errors import ConfigError
from ...expr import CONSTANTS, FUNCTIONS, Expr, ExprError, parse_expr
from ...pysource import Unreadable
from .program import Branch, Check, Let, Program, Return, SetLR, state_name
from .reader import SourceModule

MAX_UNROLLED = 2000  # loop bodies translated, in all
MAX_STATEMENTS = 5000  # statements of the translated program

# The math functions a function may call, as the expression language names them.
_MATH = {name for name in FUNCTIONS if name not in ("abs", "min", "max")}
_NUMPY = {"cos": "cos", "sin": "sin", "tan": "tan", "arccos": "acos", "arcsin": "asin", "arctan": "atan", "arctan2": "atan2",
          "cosh": "cosh", "sinh": "sinh", "tanh": "tanh", "exp": "exp", "expm1": "expm1", "log": "log", "log1p": "log1p",
          "log2": "log2", "log10": "log10", "sqrt": "sqrt", "floor": "floor", "ceil": "ceil", "trunc": "trunc", "abs": "abs",
          "minimum": "min", "maximum": "max", "power": "pow", "round": "round"}
_BUILTINS = ("min", "max", "abs", "round", "int", "float")
_LOGGING = ("debug", "info", "warning", "warn", "error", "critical", "exception", "log", "write", "add_scalar")
_FILE_READS = ("open", "load", "loads", "safe_load", "read_text", "read", "readline", "readlines", "loadtxt", "read_csv")
_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
           ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow}
_COMPARE = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt,
            ast.GtE: operator.ge}


# -- the values a function works with ------------------------------------------------------------


@dataclass(frozen=True)
class Sym:
    """A number that depends on the call: an expression over the call's variables and the locals."""

    node: ast.expr


@dataclass(frozen=True)
class Optimizer:
    groups: int


@dataclass(frozen=True)
class ParamGroups:
    groups: int


@dataclass(frozen=True)
class Group:
    index: int


@dataclass(frozen=True)
class Loader:
    """A data loader the loop passes (``len(loader)`` is the batches per epoch)."""

    length: int


@dataclass(frozen=True)
class ModuleRef:
    name: str  # "math" or "numpy"


@dataclass(frozen=True)
class Elementwise:
    """A numpy array of numbers or of expressions (``epoch > np.asarray(milestones)``), only to be summed."""

    items: tuple


class _Unbound:
    pass


UNBOUND = _Unbound()


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float))  # bools too: Python computes with them as 0 and 1


# -- the translator ------------------------------------------------------------------------------


class _Done(Exception):
    """Control leaves the block: ``kind`` is return (always), break or continue (of an unrolled loop)."""

    def __init__(self, kind: str):
        self.kind = kind


class Translator:
    def __init__(self, module: SourceModule, function: ast.FunctionDef, name: str, globals_: dict[str, Any], n_groups: int):
        self.module = module
        self.function = function
        self.name = name
        self.globals = globals_
        self.n_groups = n_groups
        self.counter = 0
        self.unrolled = 0
        self.statements = 0
        self.sets = False
        self.stateful = False
        self.modules = dict(module.modules)
        self.imported = dict(module.imported)

    # -- errors

    def refuse(self, node: ast.AST, construct: str, instead: str) -> ConfigError:
        return ConfigError(self.module.line(node), f"{self.name} has {construct}, which lrplot does not translate; {instead}")

    def unreadable(self, node: ast.AST, value: Unreadable, name: str) -> ConfigError:
        return ConfigError(self.module.line(node), f"{self.name} reads {name}, which comes from {value.construct} ({value.where}): "
                           f"lrplot cannot know it without running the file; give it with --set {name}=VALUE")

    # -- statements

    def translate(self, env: dict[str, Any]) -> tuple:
        out: list = []
        try:
            self.block(self.function.body, env, out)
        except _Done as done:
            if done.kind != "return":
                raise self.refuse(self.function, f"a {done.kind} outside a loop", "remove it") from None
        return tuple(out)

    def block(self, body: list[ast.stmt], env: dict[str, Any], out: list) -> None:
        for stmt in body:
            self.statements += 1
            if self.statements > MAX_STATEMENTS:
                raise ConfigError(self.module.line(stmt), f"{self.name} unrolls into more than {MAX_STATEMENTS} statements; lrplot reads smaller functions")
            self.statement(stmt, env, out)

    def statement(self, stmt: ast.stmt, env: dict[str, Any], out: list) -> None:
        if isinstance(stmt, ast.Expr):
            self.expression_statement(stmt)
        elif isinstance(stmt, ast.Assign):
            value = self.value(stmt.value, env)
            for target in stmt.targets:
                self.assign(target, value, env, out, stmt)
        elif isinstance(stmt, ast.AnnAssign):
            if stmt.value is not None:
                self.assign(stmt.target, self.value(stmt.value, env), env, out, stmt)
        elif isinstance(stmt, ast.AugAssign):
            current = self.value(_as_load(stmt.target), env)
            value = self.binary(stmt.op, current, self.value(stmt.value, env), stmt)
            self.assign(stmt.target, value, env, out, stmt)
        elif isinstance(stmt, ast.If):
            self.if_statement(stmt, env, out)
        elif isinstance(stmt, ast.Return):
            try:
                value = None if stmt.value is None else self.value(stmt.value, env)
            except ConfigError:
                if not self.sets:
                    raise
                value = None  # a function that has set the groups returns for its caller's logs: not the lr
            
            if value is None or (not isinstance(value, Sym) and not _is_number(value)):
                out.append(Return(None, stmt.lineno))  # returns nothing lrplot draws (or not a number: only the groups count)
            else:
                out.append(Return(self.expr(value, stmt), stmt.lineno))
            raise _Done("return")
        elif isinstance(stmt, ast.For):
            self.for_loop(stmt, env, out)
        elif isinstance(stmt, (ast.Break, ast.Continue)):
            raise _Done("break" if isinstance(stmt, ast.Break) else "continue")
        elif isinstance(stmt, ast.Assert):
            test = self.value(stmt.test, env)
            if isinstance(test, Sym):
                out.append(Check(self.expr(test, stmt), stmt.lineno, ast.unparse(stmt)))
            elif not test:
                raise ConfigError(self.module.line(stmt), f"`{ast.unparse(stmt)}` fails for every call: the training script stops there")
        elif isinstance(stmt, ast.Pass):
            return
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            for alias in stmt.names:
                if isinstance(stmt, ast.Import):
                    self.modules[(alias.asname or alias.name).split(".")[0]] = alias.name.split(".")[0]
                elif stmt.module:
                    self.imported[alias.asname or alias.name] = (stmt.module, alias.name)
                    env.pop(alias.asname or alias.name, None)
        elif isinstance(stmt, ast.While):
            raise self.refuse(stmt, "a while loop", "lrplot reads no loop whose count depends on values it changes; write the "
                              "closed form (a power for repeated multiplication, a // for a count)")
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            raise self.refuse(stmt, "a with block (I/O)", "a schedule must be computed from its arguments and names, not read")
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            raise self.refuse(stmt, "a nested definition", "define it at module level and name it")
        elif isinstance(stmt, ast.Raise):
            raise self.refuse(stmt, "a raise", "lrplot draws schedules that run; remove it, or use assert for a check")
        else:
            raise self.refuse(stmt, _statement_words(stmt), "write the schedule with if/else, assignments and arithmetic")

    def expression_statement(self, stmt: ast.Expr) -> None:
        node = stmt.value
        if isinstance(node, ast.Constant):
            return  # a docstring
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id == "print":
                return
            if isinstance(func, ast.Attribute) and func.attr in _LOGGING and not self._reads_file(node):
                return  # logger.info(...), logging.warning(...), writer.add_scalar(...)
            if self._reads_file(node):
                raise self.refuse(stmt, "a file read", "a schedule must be computed from its arguments and names, not read")
        raise self.refuse(stmt, f"a call of {ast.unparse(node.func if isinstance(node, ast.Call) else node)[:50]}() for its effect",
                          "lrplot translates what the function computes; remove the call, or name the function that computes the lr")

    def _reads_file(self, node: ast.AST) -> bool:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Call):
                name = sub.func.attr if isinstance(sub.func, ast.Attribute) else sub.func.id if isinstance(sub.func, ast.Name) else ""
                if name in _FILE_READS:
                    return True
        return False

    def assign(self, target: ast.expr, value: Any, env: dict[str, Any], out: list, stmt: ast.stmt) -> None:
        if isinstance(target, ast.Name):
            env[target.id] = self.bound(target.id, value, out, stmt)
        elif isinstance(target, (ast.Tuple, ast.List)):
            if not isinstance(value, (tuple, list)) or len(value) != len(target.elts):
                raise self.refuse(stmt, "an unpacking of something that is not a known tuple", "assign each name on its own")
            for t, v in zip(target.elts, value):
                self.assign(t, v, env, out, stmt)
        elif isinstance(target, ast.Subscript):
            owner = self.value(target.value, env)
            key = self.value(target.slice, env)
            if isinstance(owner, Group):
                if key != "lr":
                    raise self.refuse(stmt, f"an assignment to param_group[{key!r}]", "lrplot follows the lr; remove it")
                if not (isinstance(value, Sym) or _is_number(value)):
                    raise self.refuse(stmt, "an lr that is not a number", "assign a number")
                self.sets = True
                out.append(SetLR(owner.index, self.expr(value, stmt), stmt.lineno))
                env[("lr", owner.index)] = value  # what a later read of param_group['lr'] finds
            elif isinstance(owner, dict) and isinstance(key, (str, int)):
                owner[key] = value
            else:
                raise self.refuse(stmt, f"an assignment to {ast.unparse(target)[:50]}", "assign a local name instead")
        elif isinstance(target, ast.Attribute):
            owner = self.value(target.value, env)
            if isinstance(owner, dict):
                owner[target.attr] = value
            else:
                raise self.refuse(stmt, f"an assignment to {ast.unparse(target)[:50]}", "assign a local name instead")
        else:
            raise self.refuse(stmt, f"an assignment to {ast.unparse(target)[:50]}", "assign a local name instead")

    def bound(self, name: str, value: Any, out: list, stmt: ast.stmt) -> Any:
        """A value bound to a local: an expression of the step gets a variable of its own (so it is computed once)."""
        if not isinstance(value, Sym) or isinstance(value.node, ast.Name):
            return value
        fresh = self.fresh(name)
        out.append(Let(fresh, self.expr(value, stmt), stmt.lineno))
        return Sym(ast.Name(fresh, ast.Load()))

    def fresh(self, name: str) -> str:
        self.counter += 1
        base = name if name.isidentifier() and name not in CONSTANTS and name not in FUNCTIONS else "v"
        return f"{base}_{self.counter}"

    def if_statement(self, stmt: ast.If, env: dict[str, Any], out: list) -> None:
        test = self.value(stmt.test, env)
        if not isinstance(test, Sym):
            self.block(stmt.body if self.truth(test, stmt.test) else stmt.orelse, env, out)
            return
        branches = []
        for body in (stmt.body, stmt.orelse):
            branch_env, branch_out = dict(env), []
            try:
                self.block(body, branch_env, branch_out)
                ended = None
            except _Done as done:
                if done.kind != "return":
                    raise self.refuse(stmt, f"a {done.kind} that depends on the step", "write the condition into the arithmetic") from None
                ended = done.kind
            branches.append((branch_env, branch_out, ended))
        live = [b for b in branches if b[2] is None]
        # names the branches bind differently become one variable, set at the end of each live branch
        if len(live) == 2:
            (env_a, out_a, _), (env_b, out_b, _) = live
            for key in set(env_a) | set(env_b):
                a, b = env_a.get(key, UNBOUND), env_b.get(key, UNBOUND)
                if a is b or (type(a) is type(b) and not isinstance(a, Sym) and _same(a, b)):
                    env[key] = a
                    continue
                if isinstance(key, tuple):  # a group's lr, set in one branch only: the read is then the state
                    env.pop(key, None)
                    continue
                if a is UNBOUND or b is UNBOUND:
                    env[key] = UNBOUND
                    continue
                if not ((isinstance(a, Sym) or _is_number(a)) and (isinstance(b, Sym) or _is_number(b))):
                    raise self.refuse(stmt, f"branches that give {key} values of different kinds", "give it a number in both")
                fresh = self.fresh(key)
                out_a.append(Let(fresh, self.expr(a, stmt), stmt.lineno))
                out_b.append(Let(fresh, self.expr(b, stmt), stmt.lineno))
                env[key] = Sym(ast.Name(fresh, ast.Load()))
        elif len(live) == 1:
            env.clear()
            env.update(live[0][0])
        out.append(Branch(self.expr(test, stmt.test), tuple(branches[0][1]), tuple(branches[1][1]), stmt.lineno))
        if not live:
            raise _Done("return")

    def for_loop(self, stmt: ast.For, env: dict[str, Any], out: list) -> None:
        if stmt.orelse:
            raise self.refuse(stmt, "a for loop with an else", "write the loop without else")
        items = self.value(stmt.iter, env)
        if isinstance(items, ParamGroups):
            items = [Group(g) for g in range(items.groups)]
        elif isinstance(items, dict):
            items = list(items)
        if isinstance(items, Unreadable):
            raise self.unreadable(stmt.iter, items, ast.unparse(stmt.iter))
        if not isinstance(items, (list, tuple, range)):
            raise self.refuse(stmt, f"a for loop over {ast.unparse(stmt.iter)[:50]}", "lrplot unrolls loops over a known list, an "
                              "argparse list, a constant range or optimizer.param_groups")
        if _length(items) > MAX_UNROLLED:
            raise ConfigError(self.module.line(stmt), f"{self.name} loops over more than {MAX_UNROLLED} items; lrplot unrolls shorter loops")
        for item in items:
            self.unrolled += 1
            if self.unrolled > MAX_UNROLLED:
                raise ConfigError(self.module.line(stmt), f"{self.name} unrolls loops more than {MAX_UNROLLED} times; lrplot reads shorter loops")
            self.assign(stmt.target, item, env, out, stmt)
            try:
                self.block(stmt.body, env, out)
            except _Done as done:
                if done.kind == "break":
                    break
                if done.kind == "return":
                    raise
        return

    # -- expressions

    def truth(self, value: Any, node: ast.AST) -> bool:
        if isinstance(value, Unreadable):
            raise self.unreadable(node, value, ast.unparse(node)[:60])
        if value is UNBOUND:
            raise self.refuse(node, "a name that may not be assigned here", "assign it on every path")
        return bool(value)

    def value(self, node: ast.expr, env: dict[str, Any]) -> Any:
        method = getattr(self, f"_{type(node).__name__}", None)
        if method is None:
            raise self.refuse(node, _expression_words(node), "write it with arithmetic, comparisons and if/else")
        result = method(node, env)
        if isinstance(result, Unreadable):
            raise self.unreadable(node, result, ast.unparse(node)[:60])
        if result is UNBOUND:
            raise self.refuse(node, f"a read of {ast.unparse(node)[:40]}, which is not assigned on every path", "assign it on every path")
        return result

    def _Constant(self, node: ast.Constant, env):
        return node.value

    def _Name(self, node: ast.Name, env):
        if node.id in env:
            return env[node.id]
        if node.id in self.modules and self.modules[node.id] in ("math", "numpy"):
            return ModuleRef(self.modules[node.id])
        if node.id in self.imported:
            module, name = self.imported[node.id]
            if module in ("math", "numpy"):
                return _module_member(ModuleRef(module), name, node, self)
            if not (node.id in self.globals and not isinstance(self.globals[node.id], Unreadable)):
                return Unreadable(self.module.line(node), f"another module (from {module} import {name})")
        if node.id in self.globals:
            return self.globals[node.id]
        if node.id in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[node.id]
        if node.id in _BUILTINS or node.id in ("len", "range", "enumerate", "zip", "sum", "list", "tuple", "sorted", "reversed"):
            return ("builtin", node.id)
        raise ConfigError(self.module.line(node), f"{self.name} reads {node.id!r}, which neither the function nor the file assigns; "
                          f"give it with --set {node.id}=VALUE, or name the file that defines it with args_from")

    def _Attribute(self, node: ast.Attribute, env):
        owner = self.value(node.value, env)
        if isinstance(owner, ModuleRef):
            return _module_member(owner, node.attr, node, self)
        if isinstance(owner, Optimizer) and node.attr == "param_groups":
            return ParamGroups(owner.groups)
        if isinstance(owner, dict):
            if node.attr in owner:
                return owner[node.attr]
            if node.attr in ("optimizer", "opt", "optim", "optimiser"):  # self.opt: the optimizer whose param groups it sets
                return Optimizer(self.n_groups)
            text = ast.unparse(node)
            head = text.split(".", 1)[0]
            name = text.split(".", 1)[-1] if head in self.module.namespace_names else text
            raise ConfigError(self.module.line(node), f"{self.name} reads {text}, which the file's arguments and names do not hold; "
                              f"give it with --set {name}=VALUE")
        raise self.refuse(node, f"the attribute {ast.unparse(node)[:50]}", "lrplot reads attributes of math, numpy, the arguments and the optimizer")

    def _Subscript(self, node: ast.Subscript, env):
        owner = self.value(node.value, env)
        key = self.value(node.slice, env)
        if isinstance(key, Sym):
            raise self.refuse(node, "an index that depends on the step", "write the choice with if/else")
        if isinstance(owner, ParamGroups):
            if not isinstance(key, int) or not -owner.groups <= key < owner.groups:
                raise ConfigError(self.module.line(node), f"{self.name} uses optimizer.param_groups[{key!r}], but the optimizer has "
                                  f"{owner.groups} param group{'s' if owner.groups != 1 else ''}; give one lr per group (--lr 0.1,0.01 "
                                  "or optimizer.param_groups)")
            return Group(key % owner.groups)
        if isinstance(owner, Group):
            if key == "lr":
                if ("lr", owner.index) in env:
                    return env[("lr", owner.index)]
                self.stateful = True
                return Sym(ast.Name(state_name(owner.index), ast.Load()))
            raise self.refuse(node, f"a read of param_group[{key!r}]", "lrplot's optimizer holds only each group's lr")
        try:
            return owner[key]
        except (KeyError, IndexError, TypeError):
            raise ConfigError(self.module.line(node), f"{self.name} reads {ast.unparse(node)[:60]}, which is not there") from None

    def _Tuple(self, node, env):
        return tuple(self.value(e, env) for e in node.elts)

    def _List(self, node, env):
        return [self.value(e, env) for e in node.elts]

    def _UnaryOp(self, node: ast.UnaryOp, env):
        operand = self.value(node.operand, env)
        if isinstance(operand, Sym):
            return Sym(ast.UnaryOp(node.op, operand.node))
        if isinstance(operand, Elementwise):
            raise self.refuse(node, "arithmetic on a numpy array", "sum it with np.sum")
        try:
            return {ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Not: operator.not_, ast.Invert: operator.invert}[type(node.op)](operand)
        except TypeError:
            raise self.refuse(node, f"{ast.unparse(node)[:50]} on a value that is not a number", "use numbers") from None

    def _BinOp(self, node: ast.BinOp, env):
        return self.binary(node.op, self.value(node.left, env), self.value(node.right, env), node)

    def binary(self, op: ast.operator, left: Any, right: Any, node: ast.AST) -> Any:
        if type(op) not in _BINARY:
            raise self.refuse(node, f"the operator {type(op).__name__}", "use + - * / // % **")
        if isinstance(left, Elementwise) or isinstance(right, Elementwise):
            return self.elementwise(lambda a, b: self.binary(op, a, b, node), left, right)
        if isinstance(left, Sym) or isinstance(right, Sym):
            return Sym(ast.BinOp(self.node(left, node), op, self.node(right, node)))
        if isinstance(op, ast.Pow) and isinstance(left, int) and isinstance(right, int) and not isinstance(left, bool) and right > 0 \
                and abs(left) > 1 and right * math.log2(abs(left)) > 1024:
            raise ConfigError(self.module.line(node), f"{ast.unparse(node)[:60]} is too large a number")
        try:
            return _BINARY[type(op)](left, right)
        except (ArithmeticError, TypeError, ValueError) as exc:
            raise ConfigError(self.module.line(node), f"{self.name}: {ast.unparse(node)[:60]} cannot be computed ({type(exc).__name__}: {exc})") from None

    def _BoolOp(self, node: ast.BoolOp, env):
        # known operands decide as Python does (and, or short-circuit); the rest stays an expression
        parts: list[Any] = []
        for item in node.values:
            value = self.value(item, env)
            if not isinstance(value, Sym) and not parts:
                if isinstance(node.op, ast.And) and not value or isinstance(node.op, ast.Or) and value:
                    return value
                continue
            parts.append(value)
        if not parts:
            return value
        if len(parts) == 1:
            return parts[0]
        return Sym(ast.BoolOp(node.op, [self.node(p, node) for p in parts]))

    def _Compare(self, node: ast.Compare, env):
        left = self.value(node.left, env)
        terms: list[Any] = []
        for op, comparator in zip(node.ops, node.comparators):
            right = self.value(comparator, env)
            terms.append(self.compare(op, left, right, node))
            left = right
        known = [t for t in terms if not isinstance(t, Sym)]
        if any(not t for t in known if not isinstance(t, Elementwise)):
            return False
        symbolic = [t for t in terms if isinstance(t, (Sym, Elementwise))]
        if not symbolic:
            return True
        if len(symbolic) == 1:
            return symbolic[0]
        return Sym(ast.BoolOp(ast.And(), [self.node(t, node) for t in symbolic]))

    def compare(self, op: ast.cmpop, left: Any, right: Any, node: ast.AST) -> Any:
        if isinstance(op, (ast.In, ast.NotIn)):
            if isinstance(right, Group):
                return (left == "lr") == isinstance(op, ast.In)  # lrplot's groups hold only their lr (and params)
            if isinstance(right, (list, tuple, range)) and isinstance(left, Sym):
                if len(right) == 0:
                    return isinstance(op, ast.NotIn)
                tests = [Sym(ast.Compare(left.node, [ast.Eq()], [self.node(v, node)])) for v in right]
                joined = Sym(ast.BoolOp(ast.Or(), [t.node for t in tests])) if len(tests) > 1 else tests[0]
                return joined if isinstance(op, ast.In) else Sym(ast.UnaryOp(ast.Not(), joined.node))
            if isinstance(right, (list, tuple, range, dict, str)):
                return (left in right) == isinstance(op, ast.In)
            raise self.refuse(node, f"an `in` test on {type(right).__name__}", "test against a known list")
        if isinstance(op, (ast.Is, ast.IsNot)):
            if isinstance(left, Sym) or isinstance(right, Sym):
                return isinstance(op, ast.IsNot) if (left is None or right is None) else self._refuse_is(node)
            return (left is right) == isinstance(op, ast.Is)
        if isinstance(left, Elementwise) or isinstance(right, Elementwise):
            return self.elementwise(lambda a, b: self.compare(op, a, b, node), left, right)
        if isinstance(left, Sym) or isinstance(right, Sym):
            return Sym(ast.Compare(self.node(left, node), [op], [self.node(right, node)]))
        try:
            return _COMPARE[type(op)](left, right)
        except TypeError:
            raise self.refuse(node, "a comparison of values of different kinds", "compare numbers") from None

    def _refuse_is(self, node):
        raise self.refuse(node, "an `is` test on a number of the step", "compare with ==")

    def elementwise(self, fn, left: Any, right: Any) -> Elementwise:
        a = left.items if isinstance(left, Elementwise) else None
        b = right.items if isinstance(right, Elementwise) else None
        n = len(a if a is not None else b)
        if a is not None and b is not None and len(a) != len(b):
            raise ConfigError(self.module.line(self.function), f"{self.name}: numpy arrays of different lengths")
        return Elementwise(tuple(fn(a[k] if a is not None else left, b[k] if b is not None else right) for k in range(n)))

    def _IfExp(self, node: ast.IfExp, env):
        test = self.value(node.test, env)
        if not isinstance(test, Sym):
            return self.value(node.body if test else node.orelse, env)
        return Sym(ast.IfExp(test.node, self.node(self.value(node.body, env), node), self.node(self.value(node.orelse, env), node)))

    def _Call(self, node: ast.Call, env):
        what = ast.unparse(node.func)[:50]
        if self._reads_file(node):
            raise self.refuse(node, "a file read", "a schedule must be computed from its arguments and names, not read")
        if isinstance(node.func, ast.Name) and node.func.id not in env:
            if node.func.id in self.imported and self.imported[node.func.id][0] not in ("math", "numpy"):
                module, name = self.imported[node.func.id]
                raise self.refuse(node, f"a call of {what}(), a helper from another module (from {module} import {name})",
                                  "lrplot reads one file's function and the math it calls: write the helper's arithmetic into it")
            if node.func.id in self.module.functions:
                raise self.refuse(node, f"a call of {what}(), another function of the file", "lrplot translates one function and the "
                                  f"math it calls: name the function that computes the lr, or write {what}'s arithmetic into it")
        if isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name) and node.func.value.id in self.modules \
                and self.modules[node.func.value.id] not in ("math", "numpy") and node.func.value.id not in env:
            raise self.refuse(node, f"a call of {what}(), a helper from another module (import {self.modules[node.func.value.id]})",
                              "lrplot reads one file's function and the math it calls: write the helper's arithmetic into it")
        if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
            raise self.refuse(node, "a call with * or ** arguments", "pass the arguments one by one")
        if isinstance(node.func, ast.Attribute) and node.func.attr == "get":
            owner = self.value(node.func.value, env)
            args = [self.value(a, env) for a in node.args]
            if isinstance(owner, Group) and args and not node.keywords and len(args) <= 2:  # param_group.get('lr_scale', 1.0)
                if args[0] == "lr":
                    return self._Subscript(ast.Subscript(node.func.value, ast.Constant("lr"), ast.Load(), lineno=node.lineno), env)
                return args[1] if len(args) > 1 else None
            if isinstance(owner, dict) and args and not node.keywords and len(args) <= 2 and not isinstance(args[0], (Sym, list, dict)):
                return owner.get(*args)
        func = self.value(node.func, env)
        if isinstance(func, tuple) and len(func) == 2 and func[0] in ("builtin", "math", "numpy"):
            args = [self.value(a, env) for a in node.args]
            kwargs = {k.arg: self.value(k.value, env) for k in node.keywords}
            return self.call(func, args, kwargs, node)
        raise self.refuse(node, f"a call of {what}()", "lrplot translates math, numpy's math, min/max/abs/round/int/float and the "
                          "step's arithmetic; write the value, or give it with --set")

    def call(self, func: tuple, args: list, kwargs: dict, node: ast.Call) -> Any:
        kind, name = func
        if kind == "numpy" and name in ("asarray", "array"):
            if len(args) != 1 or not isinstance(args[0], (list, tuple)):
                raise self.refuse(node, f"np.{name} of something that is not a known list", "use a list")
            return Elementwise(tuple(args[0]))
        if kind == "numpy" and name == "sum" or kind == "builtin" and name == "sum":
            items = args[0] if len(args) == 1 else None
            seq = items.items if isinstance(items, Elementwise) else items
            if not isinstance(seq, (list, tuple)) or kwargs:
                raise self.refuse(node, f"{name}() of something that is not a known list or array", "sum a known list")
            total: Any = 0
            for item in seq:
                total = self.binary(ast.Add(), total, item, node)
            return total
        if kwargs:
            raise self.refuse(node, f"keyword arguments to {name}()", "pass them by position")
        if kind == "builtin" and name == "len":
            (arg,) = args
            if isinstance(arg, Loader):
                return arg.length
            if isinstance(arg, ParamGroups):
                return arg.groups
            if isinstance(arg, (list, tuple, str, dict, range)):
                return len(arg)
            raise self.refuse(node, "len() of something lrplot does not know the length of", "write the number")
        if kind == "builtin" and name in ("range", "enumerate", "zip", "list", "tuple", "sorted", "reversed"):
            if any(isinstance(a, (Sym, Elementwise)) for a in args):
                raise self.refuse(node, f"{name}() of a value of the step", "loop over known values")
            args = [[Group(g) for g in range(a.groups)] if isinstance(a, ParamGroups) else a for a in args]
            if not all(isinstance(a, (int, list, tuple, range, dict, str)) and not isinstance(a, bool) for a in args):
                raise self.refuse(node, f"{name}() of something that is not a known list or integer", "loop over known values")
            if name == "range":
                made = range(*args)
                if _length(made) > MAX_UNROLLED:
                    raise ConfigError(self.module.line(node), f"{self.name}: a range of more than {MAX_UNROLLED} items; lrplot unrolls at most {MAX_UNROLLED}")
                return made
            return list({"enumerate": enumerate, "zip": zip, "list": list, "tuple": tuple, "sorted": sorted, "reversed": reversed}[name](*args))
        target = _NUMPY[name] if kind == "numpy" else name
        if any(isinstance(a, Elementwise) for a in args):
            raise self.refuse(node, f"{name}() of a numpy array", "sum the array with np.sum first")
        if any(isinstance(a, Sym) for a in args):
            if target not in FUNCTIONS:
                raise self.refuse(node, f"{name}() of a value of the step", "write it with the math functions lrplot knows")
            return Sym(ast.Call(ast.Name(target, ast.Load()), [self.node(a, node) for a in args], []))
        if not all(_is_number(a) for a in args):
            raise self.refuse(node, f"{name}() of something that is not a number", "use numbers")
        try:
            if kind == "numpy":
                import numpy as np

                return _plain(getattr(np, name)(*args))
            if kind == "math":
                return getattr(math, name)(*args)
            return {"min": min, "max": max, "abs": abs, "round": round, "int": int, "float": float}[name](*args)
        except (ArithmeticError, ValueError, TypeError) as exc:
            raise ConfigError(self.module.line(node), f"{self.name}: {ast.unparse(node)[:60]} cannot be computed ({type(exc).__name__}: {exc})") from None

    # -- from values to expressions

    def node(self, value: Any, at: ast.AST) -> ast.expr:
        if isinstance(value, Sym):
            return value.node
        if isinstance(value, Elementwise):
            raise self.refuse(at, "a numpy array where a number is needed", "sum it with np.sum")
        if _is_number(value):
            if isinstance(value, float) and not math.isfinite(value):
                raise self.refuse(at, f"the number {value}", "use finite numbers")
            return ast.Constant(value) if value >= 0 else ast.UnaryOp(ast.USub(), ast.Constant(-value))
        if value is None:
            raise self.refuse(at, f"{ast.unparse(at)[:50]}, which is None here", "give it a number (with --set NAME=VALUE)")
        raise self.refuse(at, f"{ast.unparse(at)[:50]}, which is a {type(value).__name__} where a number is needed", "use a number")

    def expr(self, value: Any, at: ast.AST) -> Expr:
        node = self.node(value, at)
        names = sorted({n.id for n in ast.walk(node) if isinstance(n, ast.Name) and n.id not in FUNCTIONS})
        text = ast.unparse(node)
        try:
            return parse_expr(text, tuple(names))
        except ExprError as exc:
            raise ConfigError(self.module.line(at), f"{self.name}: {ast.unparse(at)[:60]} cannot be translated ({exc})") from None


def _module_member(module: ModuleRef, name: str, node: ast.AST, translator: Translator) -> Any:
    if name in ("pi", "e", "tau", "inf"):
        return getattr(math, name)
    if module.name == "math" and (name in _MATH or name in ("pow",)):
        return ("math", name)
    if module.name == "numpy" and (name in _NUMPY or name in ("asarray", "array", "sum")):
        return ("numpy", name)
    raise translator.refuse(node, f"{module.name}.{name}", "lrplot knows math's and numpy's elementary functions")


def _length(items: Any) -> int:
    """len() that also measures a range too long for a C size (range(10 ** 100))."""
    try:
        return len(items)
    except OverflowError:
        return MAX_UNROLLED + 1


def _plain(value: Any) -> Any:
    item = getattr(value, "item", None)
    return item() if callable(item) else value


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - objects that cannot compare are different
        return False


def _as_load(target: ast.expr) -> ast.expr:
    node = ast.parse(ast.unparse(target), mode="eval").body
    for child in ast.walk(node):
        ast.copy_location(child, target)
    return node


def _statement_words(stmt: ast.stmt) -> str:
    from ...pysource import _describe

    return _describe(stmt)


def _expression_words(node: ast.expr) -> str:
    from ...pysource import _describe

    return _describe(node)


def translate(module: SourceModule, function: ast.FunctionDef, name: str, globals_: dict[str, Any], params: dict[str, Any],
              n_groups: int, variables: tuple[str, ...]) -> Program:
    """``function`` with ``params`` bound to what the call passes (numbers, Sym of the call's variables, objects)."""
    translator = Translator(module, function, name, globals_, n_groups)
    body = translator.translate(dict(params))
    program = Program(name, module.where, body, variables, translator.sets, translator.stateful)
    used = {n for stmt in program.statements() for expr in _exprs(stmt) for n in expr.variables}
    lines = tuple(sorted({s.line for s in program.statements() if isinstance(s, (Return, SetLR))}))
    return Program(name, module.where, body, tuple(v for v in variables if v in used), translator.sets, translator.stateful, lines)


def _exprs(stmt) -> list[Expr]:
    if isinstance(stmt, Branch):
        return [stmt.test]
    expr = getattr(stmt, "expr", None)
    return [expr] if expr is not None else []
