"""A Megatron-LM launch script (``pretrain_gpt.sh``), read for the arguments it passes, never run.

Megatron's examples and most users' scripts hold the arguments as bash arrays or continued lines
(``TRAINING_ARGS=( --lr 6.0e-5 --train-iters 500000 ... )``, ``torchrun ... pretrain_gpt.py
${TRAINING_ARGS[@]}``). The script is split into words the way the shell quotes them (``shlex``,
comments dropped, ``\\`` continuations joined); the schedule's ``--`` arguments are taken with their
values, and a value written as a variable (``--train-iters $TRAIN_ITERS``) is looked up among the
script's plain assignments (``TRAIN_ITERS=500000``). A value the script computes or receives
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

_ASSIGNMENT = re.compile(r"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$")
_VARIABLE = re.compile(r"^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))$")
_SCHEDULE = re.compile(r"--(?:lr|train-iters|train-samples|lr-decay-style)\b")


def claims(source: SourceFile) -> str | None:
    if _SCHEDULE.search(source.text) and ("--lr " in source.text or "--lr=" in source.text or "--lr\t" in source.text):
        return "a Megatron-LM launch script"
    return None


def words(text: str, where: str) -> list[tuple[str, int]]:
    """The script's words with the line each starts on (continuations joined, comments dropped)."""
    out: list[tuple[str, int]] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        start, line = i + 1, lines[i]
        while line.endswith("\\") and i + 1 < len(lines):
            i += 1
            line = line[:-1] + " " + lines[i]
        i += 1
        lexer = shlex.shlex(line, posix=True)
        lexer.whitespace_split = True
        lexer.commenters = "#"
        try:
            out += [(word, start) for word in lexer]
        except ValueError as exc:  # an unclosed quote: the shell would refuse the line too
            raise ConfigError(f"{where}: line {start}", f"cannot be split into words ({exc}); fix the quoting") from None
    return out


def read(source: SourceFile) -> ConfigFile:
    found = words(source.text, source.where)
    names: dict[str, str] = {}
    section: dict[str, Any] = {}
    lines: list[str] = []
    seen = 0
    for n, (word, line) in enumerate(found):
        assignment = _ASSIGNMENT.match(word)
        if assignment and (n == 0 or found[n - 1][1] != line or found[n - 1][0] == "export"):
            names[assignment.group(1)] = assignment.group(2)
            continue
        if not word.startswith("--"):
            continue
        seen += 1
        name, _, inline = word.partition("=")
        d = dest(name)
        if d in REFUSED:
            raise ConfigError(f"{source.where}: line {line}: {name}", REFUSED[d])
        if d not in ARGS:
            continue
        kind = ARGS[d][0]
        count = 0 if kind == "bool" else 3 if kind == "ints" else 1
        values = [inline] if inline else [w for w, _ in found[n + 1 : n + 1 + count]]
        if kind == "bool":
            value: Any = True
        else:
            if len(values) < count or any(v.startswith("--") for v in values):
                raise ConfigError(f"{source.where}: line {line}: {name}", f"needs {count} value{'s' if count > 1 else ''}")
            resolved = [_value(v, names, kind, f"{source.where}: line {line}: {name}") for v in values]
            value = resolved if kind == "ints" else resolved[0]
        key = name[2:]
        if key in section:
            lines.append(f"  line {line}: {name} again; the last one counts (argparse)")
        section[key] = value
    if not section:
        raise ConfigError(source.where, "passes none of Megatron's schedule arguments (--lr, --train-iters, ...)")
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
