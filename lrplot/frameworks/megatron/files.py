"""A Megatron-LM launch script (``pretrain_gpt.sh``), read for the arguments it passes, never run.

Megatron's examples and most users' scripts hold the arguments as bash arrays or continued lines
(``TRAINING_ARGS=( --lr 6.0e-5 --train-iters 500000 ... )``, ``torchrun ... pretrain_gpt.py
${TRAINING_ARGS[@]}``), or as a quoted string (``GPT_ARGS="--lr 1.5e-4 \\`` over several lines, then
``torchrun pretrain_gpt.py $GPT_ARGS``). The script is split into words the way the shell quotes them
(``shlex``, comments dropped, ``\\`` continuations joined, a quoted string may span lines, ``;``
``&&`` ``|`` end a command); the schedule's ``--`` arguments are taken with their values; a string
variable expanded unquoted (``$GPT_ARGS``, ``${GPT_ARGS}``) is split into its words where it is
expanded, as the shell splits it; and a value written as a variable (``--train-iters $TRAIN_ITERS``)
is looked up among the script's plain assignments (``TRAIN_ITERS=500000``). A value the script computes or receives
(``$1``, ``$((...))``, ``$(...)``) cannot be known without running it: it is kept as written, and the
section names the line when the schedule needs it (an lrplot YAML that ``include:``s the script can
give it). Every other argument (the model, the data, parallelism) is left alone.
"""

from __future__ import annotations

import re
import shlex
from typing import Any

from ...errors import ConfigError
from ...sources import ConfigFile, SourceFile
from .section import ARGS, REFUSED, dest

_ASSIGNMENT = re.compile(r"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$", re.S)
_VARIABLE = re.compile(r"^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))$")
_SCHEDULE = re.compile(r"--(?:lr|train-iters|train-samples|lr-decay-style)\b")


def claims(source: SourceFile) -> str | None:
    if _SCHEDULE.search(source.text) and ("--lr " in source.text or "--lr=" in source.text or "--lr\t" in source.text):
        return "a Megatron-LM launch script"
    return None


_COMMAND_ENDS = (";", "&&", "||", "|", "&", ";;")


def _quotes_open(text: str, state: str) -> str:
    """The quote still open after ``text`` (``'``, ``"`` or ""), starting inside ``state``; a ``#`` comment ends the scan."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if state == "'":
            if c == "'":
                state = ""
        elif state == '"':
            if c == "\\":
                i += 1
            elif c == '"':
                state = ""
        elif c == "\\":
            i += 1
        elif c in "'\"":
            state = c
        elif c == "#" and (i == 0 or text[i - 1].isspace()):
            break
        i += 1
    return state


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """The script's commands as (first line, text): ``\\`` continuations joined, and a quoted string that spans lines
    (``GPT_ARGS="`` ... ``"``) kept whole with its newlines."""
    out: list[tuple[int, str]] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        start, line, state = i + 1, lines[i], _quotes_open(lines[i], "")
        while i + 1 < len(lines) and (line.endswith("\\") or state):
            i += 1
            if line.endswith("\\") and state != "'":
                line, state = line[:-1] + "\n" + lines[i], _quotes_open(lines[i], state)
            else:
                line, state = line + "\n" + lines[i], _quotes_open(lines[i], state)
        i += 1
        out.append((start, line))
    return out


def words(text: str, where: str) -> list[tuple[str, int]]:
    """The script's words with the line each starts on (continuations joined, comments dropped); each command's
    separator (``;``, ``&&``, ``|``) is a word of its own."""
    out: list[tuple[str, int]] = []
    for start, line in _logical_lines(text):
        lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|")
        lexer.whitespace_split = True
        lexer.commenters = "#"
        try:
            out += [(word, start) for word in lexer]
        except ValueError as exc:  # a quote never closed: the shell would refuse the script too
            raise ConfigError(f"{where}: line {start}", f"cannot be split into words ({exc}: a quote opened here is never closed); fix the quoting") from None
    return out


def _expanded(found: list[tuple[str, int]]) -> tuple[list[tuple[str, int, str | None]], dict[str, str], dict[str, list[int]]]:
    """The words as the shell runs them: a string variable expanded unquoted (``$GPT_ARGS``) split into its words,
    each with the line it is written on and the variable it came from; the script's plain assignments (the last of
    each name) and the lines that assign each."""
    names: dict[str, str] = {}
    assigned: dict[str, list[int]] = {}
    out: list[tuple[str, int, str | None]] = []

    def expand(word: str, line: int, via: str | None, seen: frozenset[str]) -> None:
        m = _VARIABLE.match(word)
        name = m and (m.group(1) or m.group(2))
        value = names.get(name) if name else None
        if value is None or not value.split() or (len(value.split()) == 1 and not value.split()[0].startswith("--")) or name in seen:
            out.append((word, line, via))
            return
        for part in re.finditer(r"\S+", value):  # unquoted expansion: split on whitespace, no quotes read again
            expand(part.group(), assigned[name][-1] + value[: part.start()].count("\n"), name, seen | {name})

    for n, (word, line) in enumerate(found):
        assignment = _ASSIGNMENT.match(word)
        if assignment and (n == 0 or found[n - 1][1] != line or found[n - 1][0] in ("export", *_COMMAND_ENDS)):
            names[assignment.group(1)] = assignment.group(2)
            assigned.setdefault(assignment.group(1), []).append(line)
            continue
        expand(word, line, None, frozenset())
    return out, names, assigned


def read(source: SourceFile) -> ConfigFile:
    found, names, assigned = _expanded(words(source.text, source.where))
    section: dict[str, Any] = {}
    lines: list[str] = []
    seen = 0
    for n, (word, line, via) in enumerate(found):
        if not word.startswith("--"):
            continue
        seen += 1
        name, _, inline = word.partition("=")
        d = dest(name)
        at = f"{source.where}: line {line}" + (f" (in ${via})" if via else "") + f": {name}"
        if d in REFUSED:
            raise ConfigError(at, REFUSED[d])
        if d not in ARGS:
            continue
        kind = ARGS[d][0]
        count = 0 if kind == "bool" else 3 if kind == "ints" else 1
        values = [inline] if inline else [w for w, _, _ in found[n + 1 : n + 1 + count]]
        if kind == "bool":
            value: Any = True
        else:
            if len(values) < count or any(v.startswith("--") or v in _COMMAND_ENDS for v in values):
                raise ConfigError(at, f"needs {count} value{'s' if count > 1 else ''}")
            resolved = [_value(v, names, kind, at) for v in values]
            for v in values:
                m = _VARIABLE.match(v)
                if m and len(assigned.get(m.group(1) or m.group(2), ())) > 1:
                    var = m.group(1) or m.group(2)
                    lines.append(f"  line {line}: {name} {v}: {var} is assigned on lines {', '.join(map(str, assigned[var]))}; "
                                 f"lrplot takes the last ({names[var]}), whichever branch the script takes when it runs")
            value = resolved if kind == "ints" else resolved[0]
        key = name[2:]
        if key in section:
            lines.append(f"  line {line}: {name} again; the last one counts (argparse)")
        section[key] = value
    if not section:
        raise ConfigError(source.where, "passes none of Megatron's schedule arguments (--lr, --train-iters, ...)")
    strings = sorted({via for _, _, via in found if via})
    if strings:
        lines.insert(0, f"  {', '.join('$' + v for v in strings)} expanded into words where the script passes {'it' if len(strings) == 1 else 'them'}, as the shell splits an unquoted variable")
    lines.insert(0, f"  {len(section)} of its {seen} -- arguments make the schedule; the others (model, data, parallelism) do not change it")
    return ConfigFile({"megatron": section}, "megatron", tuple(lines), (source.where,))


def _value(word: str, names: dict[str, str], kind: str, where: str) -> Any:
    """A value as argparse converts it, a variable looked up among the script's assignments."""
    seen = set()
    while (m := _VARIABLE.match(word)) and (m.group(1) or m.group(2)) in names:
        name = m.group(1) or m.group(2)
        if name in seen:
            break
        seen.add(name)
        word = names[name]
    if "$" in word or "`" in word:
        return word  # computed or passed in: the section says so if the schedule needs it
    try:
        if kind in ("int", "ints"):
            return int(word)
        if kind == "float":
            return float(word)
    except ValueError:
        raise ConfigError(where, f"is {word!r}, not {'an integer' if kind in ('int', 'ints') else 'a number'} (Megatron's argparse refuses it)") from None
    return word
