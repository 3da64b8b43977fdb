"""Generated numpy code rewritten so that every step writes into a reusable buffer (ours).

The code ``sympy.lambdify`` prints (with the printers of :mod:`.codegen`) allocates a new array for every
operation.  On a grid of 10^5 points each temporary is 800 KB: glibc serves it from fresh pages and hands
them back to the kernel when it is freed (its trim threshold), so a five-step expression pays hundreds of
page faults per call, several times the arithmetic (measured: ``log(2*N*d + 1)`` on 10^5 points, 670 us as
numpy prints it, 90 us with the allocator told to keep its memory).  :func:`block_program` parses that code
and prints it again with every ufunc writing ``out=`` a buffer: the buffers are taken from a per-thread pool
(:func:`scratch`), a buffer is reused as soon as the value it holds is dead, and the last step writes
straight into the caller's output.  Run block by block over a grid the buffers stay in cache as well (the
technique numexpr uses, here with numpy's own loops).

The operations, their operands and their order are the original code's, so every value is bit for bit the
same: ``a*b + c`` becomes ``multiply(a, b, out=r0); add(r0, c, out=out)``.  Subexpressions that depend on no
input (constants) and calls of anything but a numpy or scipy ufunc (the log-space helpers) are evaluated as
the original code evaluates them, and their results are read, never written over.  Code with anything else
(comparisons, conditionals, subscripts) is not rewritten: :func:`block_program` answers ``None`` and the
caller keeps the original function.

>>> import numpy as np
>>> def f(x, y):
...     t = np.sqrt(x)
...     return 2.0*t*y + np.log(x)/t
>>> program = block_program(f, {"np": np})
>>> print(program.source)
def _block(x, y, _out, _r0, _r1):
    np.sqrt(x, out=_out)
    _np.multiply(2.0, _out, out=_r0)
    _np.multiply(_r0, y, out=_r0)
    np.log(x, out=_r1)
    _np.true_divide(_r1, _out, out=_out)
    _np.add(_r0, _out, out=_out)
    return _out
>>> x, y = np.array([1.0, 4.0, 9.0]), np.array([1.0, 2.0, 3.0])
>>> out = np.empty(3)
>>> bool((program(x, y, out=out) == f(x, y)).all())
True
"""

from __future__ import annotations

import ast
import inspect
import math
import textwrap
import threading
from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np


def _known() -> dict:
    """The helpers the printers of :mod:`.codegen` call, by the names they print."""
    import functools

    from .codegen import fold_inplace, inplace, integer_power

    return {"inplace": inplace, "fold_inplace": fold_inplace, "integer_power": integer_power,
            "reduce": functools.reduce}


_KNOWN = _known()
_BINARY = {ast.Add: "add", ast.Sub: "subtract", ast.Mult: "multiply", ast.Div: "true_divide", ast.Pow: "power"}
_UNARY = {ast.USub: "negative", ast.UAdd: "positive"}


class _Unsupported(Exception):
    """Code :func:`block_program` does not rewrite (the caller keeps the original function)."""


class NotFloat(Exception):
    """A helper answered something other than float64 values: the caller runs the original code instead."""


def _float(value):
    """A helper's result, read as an operand: float64 arrays and Python floats pass, anything else (integers,
    which the original code would combine in integer arithmetic) raises :class:`NotFloat`."""
    if type(value) is float or (isinstance(value, (np.ndarray, np.floating)) and value.dtype == np.float64):
        return value
    raise NotFloat(type(value).__name__)


@dataclass
class _Step:
    """One line of the rewritten code: ``func(*operands, out=dest)`` (a ufunc), ``_v<dest> = func(*operands)``
    (a helper) or ``dest = func`` (a constant under its original name)."""

    func: str
    operands: list  # each ("reg", k): a buffer; ("dyn", text): an input or a helper's value; ("const", text)
    dest: object  # virtual register (ufunc), value number (helper call) or name (constant)
    kind: str  # "ufunc", "call" or "let"

    @property
    def ufunc(self) -> bool:
        return self.kind == "ufunc"


@dataclass(frozen=True)
class BlockProgram:
    """``program(*inputs, out=array)``: the original function's values written into ``out`` (also returned),
    using :attr:`registers` scratch buffers shaped like ``out`` from the calling thread's pool."""

    function: Callable
    registers: int
    source: str

    def __call__(self, *inputs, out: np.ndarray) -> np.ndarray:
        buffers = scratch.take(self.registers, out.shape)
        try:
            return self.function(*inputs, out, *buffers)
        finally:
            scratch.give(buffers)


class _Pool(threading.local):
    """Flat float64 buffers kept between calls, one pool per thread (a nested call takes others)."""

    def __init__(self):
        self.free: list[np.ndarray] = []

    def take(self, count: int, shape) -> list:
        size = math.prod(shape)
        out = []
        for _ in range(count):
            flat = self.free.pop() if self.free else _EMPTY
            if flat.size < size:
                flat = np.empty(size)
            out.append(flat[:size] if len(shape) == 1 else flat[:size].reshape(shape))
        return out

    def give(self, views: list) -> None:
        for v in views:
            flat = v.base if v.base is not None else v
            if flat.size <= KEEP_AT_MOST and len(self.free) < 64:  # (a grid too large to block is not kept)
                self.free.append(flat)


_EMPTY = np.empty(0)
#: The pool keeps buffers up to this many points (4 MB); larger ones are freed after the call.
KEEP_AT_MOST = 2 ** 19
scratch = _Pool()


class _Compiler:
    """Virtual-register code for one function body (see :func:`block_program`)."""

    def __init__(self, namespace: dict, arguments: list[str]):
        self.namespace = namespace
        self.arguments = set(arguments)
        self.steps: list[_Step] = []
        self.names: dict[str, tuple] = {}  # a common subexpression's name -> its operand
        self.registers = 0
        self.values = 0

    # ---------------------------------------------------------------- classification
    def _dynamic(self, node: ast.AST) -> bool:
        """Whether ``node`` depends on an input (directly or through a common subexpression that does)."""
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and (sub.id in self.arguments or
                                              (sub.id in self.names and self.names[sub.id][0] != "const")):
                return True
        return False

    def _ufunc(self, func: ast.AST, arity: int) -> Optional[str]:
        """The source of ``func`` where it names a numpy or scipy ufunc of ``arity`` inputs and one output."""
        try:
            target = eval(compile(ast.Expression(func), "<block>", "eval"), self.namespace)  # a name or attribute
        except Exception:
            return None
        if isinstance(target, np.ufunc) and target.nin == arity and target.nout == 1:
            return ast.unparse(func)
        return None

    # ---------------------------------------------------------------- code
    def _register(self, func: str, operands: list) -> tuple:
        self.steps.append(_Step(func, operands, self.registers, "ufunc"))
        self.registers += 1
        return ("reg", self.registers - 1)

    def _value(self, text: str, operands: list = ()) -> tuple:
        """A helper's result kept in a local: read, never written over."""
        self.steps.append(_Step(text, list(operands), self.values, "call"))
        self.values += 1
        return ("dyn", f"_v{self.values - 1}")

    def operand(self, node: ast.AST) -> tuple:
        if isinstance(node, ast.Name):
            if node.id in self.names:
                return self.names[node.id]
            return ("dyn" if node.id in self.arguments else "const", node.id)
        if isinstance(node, ast.Constant):
            return ("const", repr(node.value))
        if not self._dynamic(node):
            return ("const", f"({ast.unparse(node)})")
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow) and isinstance(node.right, ast.Constant) \
                and node.right.value == 2 and self._dynamic(node.left):
            # An array's x**2 is numpy's square (ndarray.__pow__ takes that shortcut), not its power loop (1.7 times
            # slower); a helper's Python float squared is one rounded product either way.
            return self._register("_np.square", [self.operand(node.left)])
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            left, right = self.operand(node.left), self.operand(node.right)
            return self._register(f"_np.{_BINARY[type(node.op)]}", [left, right])
        if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
            return self._register(f"_np.{_UNARY[type(node.op)]}", [self.operand(node.operand)])
        if isinstance(node, ast.Call) and not node.keywords:
            return self._call(node)
        raise _Unsupported(ast.unparse(node))

    def _call(self, node: ast.Call) -> tuple:
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name in _KNOWN and self.namespace.get(name) is not _KNOWN[name]:
            name = None  # (a function of that name that is not ours: called as it is)
        args = node.args
        unary = self._ufunc(args[0], 1) if name == "inplace" and len(args) == 2 else None
        if unary:
            return self._register(unary, [self.operand(args[1])])
        folded = args[1:] if name == "fold_inplace" and len(args) >= 3 else \
            args[1].elts if name == "reduce" and len(args) == 2 and isinstance(args[1], ast.List) and \
            len(args[1].elts) >= 2 else None  # Max/Min as the printers write them
        func = self._ufunc(args[0], 2) if folded else None
        if func:
            out = self.operand(folded[0])
            for other in folded[1:]:
                out = self._register(func, [out, self.operand(other)])
            return out
        if name == "integer_power" and len(args) == 2 and isinstance(args[1], ast.Constant):
            return self._integer_power(self.operand(args[0]), int(args[1].value))
        func = self._ufunc(node.func, len(args))
        if func:
            return self._register(func, [self.operand(a) for a in args])
        # Anything else (a log-space helper, a scipy function that is not a ufunc): called as the original does.
        operands = [self.operand(a) for a in args]
        return self._value(ast.unparse(node.func), operands)

    def _integer_power(self, x: tuple, p: int) -> tuple:
        """:func:`.codegen.integer_power`'s steps, in its order (squares and products)."""
        bits = bin(p)[3:]
        out = self._register("_np.multiply", [x, x])
        if bits[0] == "1":
            out = self._register("_np.multiply", [out, x])
        for bit in bits[1:]:
            out = self._register("_np.square", [out])
            if bit == "1":
                out = self._register("_np.multiply", [out, x])
        return out

    def body(self, function: ast.FunctionDef) -> tuple:
        for statement in function.body:
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and \
                    isinstance(statement.targets[0], ast.Name):
                name = statement.targets[0].id
                operand = self.operand(statement.value)
                if operand[0] == "const":  # (kept under its name: constant code below may read it)
                    self.steps.append(_Step(operand[1], [], name, "let"))
                    operand = ("const", name)
                self.names[name] = operand
            elif isinstance(statement, ast.Return) and statement.value is not None:
                return self.operand(statement.value)
            else:
                raise _Unsupported(ast.unparse(statement))
        raise _Unsupported("no return")


def _allocate(steps: list[_Step], result: tuple) -> tuple[dict[int, str], int]:
    """Physical buffers for the virtual registers: ``_out`` for the result, ``_r0``.. for the rest, a buffer
    reused once the value it held has been read for the last time (a step may write over its own operand).
    ``_out`` also holds values that are dead by the step that writes the result."""
    last_use: dict[int, int] = {}
    defined: dict[int, int] = {}
    for i, step in enumerate(steps):
        if step.ufunc:
            defined[step.dest] = i
        for kind, ref in step.operands:
            if kind == "reg":
                last_use[ref] = i
    names: dict[int, str] = {}
    final = defined[result[1]] if result[0] == "reg" else len(steps)
    free: list[str] = ["_out"]
    count = 0
    for i, step in enumerate(steps):
        dying = [ref for kind, ref in step.operands if kind == "reg" and last_use.get(ref) == i]
        for ref in dict.fromkeys(dying):  # (an operand read twice dies once)
            free.append(names[ref])
        if not step.ufunc:
            continue
        if result[0] == "reg" and step.dest == result[1]:
            free.remove("_out")  # (free again by now: whatever held it died by this step)
            names[step.dest] = "_out"
            continue
        usable = [b for b in free if b != "_out" or last_use.get(step.dest, i) <= final]
        if usable:
            names[step.dest] = usable[-1]
            free.remove(usable[-1])
        else:
            names[step.dest] = f"_r{count}"
            count += 1
    return names, count


def program_steps(function: Callable, namespace: Optional[dict] = None) -> Optional[tuple[list, tuple, list, dict]]:
    """``function``'s code as :class:`_Step` lines, the operand it returns, its arguments and its namespace; or
    ``None`` where :func:`block_program` does not rewrite it (:mod:`.loopcode` prints the same steps as C)."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError, SyntaxError):
        return None
    definition = tree.body[0] if tree.body else None
    if not isinstance(definition, ast.FunctionDef) or definition.args.vararg or definition.args.kwonlyargs:
        return None
    arguments = [a.arg for a in definition.args.args]
    namespace = function.__globals__ if namespace is None else namespace
    compiler = _Compiler(namespace, arguments)
    try:
        result = compiler.body(definition)
    except (_Unsupported, ValueError):
        return None
    return compiler.steps, result, arguments, namespace


def block_program(function: Callable, namespace: Optional[dict] = None) -> Optional[BlockProgram]:
    """``function`` (numpy code of assignments and one return) rewritten with ``out=`` buffers, or ``None``."""
    parsed = program_steps(function, namespace)
    if parsed is None:
        return None
    steps, result, arguments, namespace = parsed
    names, count = _allocate(steps, result)

    def text(operand: tuple) -> str:
        return names[operand[1]] if operand[0] == "reg" else operand[1]

    lines = []
    for step in steps:
        args = ", ".join(text(o) for o in step.operands)
        if step.kind == "ufunc":
            lines.append(f"    {step.func}({args}, out={names[step.dest]})")
        elif step.kind == "call":
            lines.append(f"    _v{step.dest} = _float({step.func}({args}))")
        else:
            lines.append(f"    {step.dest} = {step.func}")
    if result[0] != "reg":  # the result is an input, a constant or a helper's value: copied into the output
        lines.append(f"    _out[...] = {result[1]}")
    registers = ", ".join(["_out"] + [f"_r{i}" for i in range(count)])
    source = "\n".join([f"def _block({', '.join(arguments)}, {registers}):", *lines, "    return _out"])
    scope = {**namespace, "_np": np, "_float": _float}
    exec(compile(source, f"<block program of {getattr(function, '__name__', 'a function')}>", "exec"), scope)
    return BlockProgram(scope["_block"], count, source)
