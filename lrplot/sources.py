"""Config files: lrplot's own YAML, or a file a framework already has, read as it is.

``lrplot plot FILE`` takes either. A YAML file whose top-level keys are lrplot's (``scheduler``,
``run``, a framework section such as ``timm:``) is lrplot's config. Any other file is offered to the
frameworks that read files of its kind (``Family.file_suffixes``): each one's ``files`` module says
whether the file is one of its own (an OpenMMLab ``.py`` config, the ``args.yaml`` timm's train.py
writes) and turns it into the lrplot config it means, usually a framework section. Nothing in a
file is ever executed: YAML is read with the safe loader, JSON and TOML with their parsers, and a
Python or shell file is parsed, never run. ``--framework NAME`` (or ``framework:`` beside
``include:``) says which framework a file belongs to when lrplot cannot tell.

An lrplot YAML may also ``include:`` a framework's file, relative to its own folder, and add what
the file does not hold: a name, the training plan (``run: {dataset_size: ..., devices: ...}``), a
metric, or keys of the framework section that override the file's. That is how a gallery recipe
documents a real config file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping

from .frozen import record
from .errors import ConfigError
from .values import check_tree, suggest, type_name, yaml_error_message, yaml_load

MAX_FILE_BYTES = 1 << 20
# lrplot's own top-level keys; with the frameworks' section names they are what makes a YAML lrplot's.
OWN_KEYS = ("name", "optimizer", "run", "vars", "scheduler", "metric", "include", "framework")
_STRUCTURED = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".toml": "toml"}


@record
class SourceFile:
    """A file as read: its text and, for YAML, JSON and TOML, its parsed data (else None)."""

    path: Path
    where: str  # the path as messages show it
    text: str
    data: Any = None
    # why YAML/JSON/TOML text did not parse: data is then None, or, where only tags lrplot does not
    # construct stood in the way, the YAML with each such value a values.YamlTag, for a framework's
    # reader that reads only some keys (lrplot's own YAML still refuses the file)
    parse_error: str | None = None

    @property
    def suffix(self) -> str:
        """The file's ending, lower case; a file without one (a pipe, ``<(...)``) counts as YAML."""
        return self.path.suffix.lower() or ".yaml"


@record
class ConfigFile:
    """What a file means to lrplot: a config mapping in lrplot's schema (a framework section, or a
    plain ``scheduler:``), the framework it was read as (None: lrplot's own YAML), lines saying which
    file gave what (for ``explain``), and every file read (for ``--watch`` and the gallery)."""

    data: Mapping[str, Any]
    framework: str | None = None
    lines: tuple[str, ...] = ()
    files: tuple[str, ...] = ()


def read_source(path: Path, where: str | None = None) -> SourceFile:
    """At most MAX_FILE_BYTES of UTF-8 text, whatever kind of file ``path`` is, parsed where it is structured."""
    from .files import read_limited, shown

    where = where or shown(path)
    raw = read_limited(path, MAX_FILE_BYTES, where, "configs")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(where, "is not UTF-8 text; a config is a text file") from None
    kind = _STRUCTURED.get(path.suffix.lower() or ".yaml")
    data, problem = None, None
    if kind == "yaml":
        import yaml

        try:
            data = yaml_load(text)
        except yaml.YAMLError as exc:
            problem = yaml_error_message(exc)
            try:
                data = yaml_load(text, tolerant=True)
            except yaml.YAMLError:
                data = None
    elif kind == "json":
        try:
            import json

            data = json.loads(text)
        except ValueError as exc:  # json.JSONDecodeError
            problem = f"is not JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        except RecursionError:
            problem = "is not JSON lrplot reads (nested too deep)"
    elif kind == "toml":
        try:
            import tomllib
        except ImportError:  # Python 3.10
            problem = "reading TOML needs Python 3.11 or newer (tomllib)"
        else:
            try:
                data = tomllib.loads(text)
            except tomllib.TOMLDecodeError as exc:
                problem = f"is not TOML ({exc})"
    if data is not None:
        check_tree(data)
    return SourceFile(path, where, text, data, problem)


def is_own(data: Any) -> bool:
    """A mapping in lrplot's schema: every top-level key is lrplot's or a framework section."""
    from .registry import section_family

    if not isinstance(data, Mapping) or not data:
        return False
    return all(isinstance(k, str) and (k in OWN_KEYS or section_family(k) is not None) for k in data)


def framework_named(name: Any, field: str = "--framework"):
    """The family a ``--framework`` (or ``framework:``) value names, if it reads files."""
    from .registry import FAMILIES

    readers = [f.name for f in FAMILIES if f.file_suffixes]
    by_name = {f.name: f for f in FAMILIES}
    if not isinstance(name, str) or name.lower() not in by_name:
        raise ConfigError(field, f"unknown framework {name!r}{suggest(str(name), list(by_name))}; lrplot reads the files of {', '.join(readers)}")
    family = by_name[name.lower()]
    if not family.file_suffixes:
        raise ConfigError(field, f"lrplot reads no {family.name} files of their own; the frameworks whose files it reads are {', '.join(readers)}")
    return family


def read_config(path: Path, framework: str | None = None, where: str | None = None, depth: int = 0) -> ConfigFile:
    """A config file as lrplot's schema: lrplot's YAML as it is, a framework's file as its reader reads it."""
    source = read_source(path, where)
    if framework is not None:
        family = framework_named(framework)
        return _framework_file(family, source, f"{family.name} (--framework)")
    if source.suffix in (".yaml", ".yml") and (source.data is None or is_own(source.data)):
        if source.parse_error:
            raise ConfigError(source.where, source.parse_error)
        if source.data is None:
            raise ConfigError(source.where, "is empty; a config needs at least a `scheduler:` mapping")
        return _own(source, depth)
    claims = _claims(source)
    if len(claims) > 1:
        said = " and ".join(f"{what} ({family.name})" for family, what in claims)
        raise ConfigError(source.where, f"could be {said}; say which with --framework")
    if claims:
        family, what = claims[0]
        return _framework_file(family, source, what)
    if source.parse_error:
        raise ConfigError(source.where, source.parse_error)
    if source.suffix in (".yaml", ".yml"):
        # lrplot's YAML with a mistake in it (a misspelt key): the config loader names it.
        return ConfigFile(source.data, None, (), (source.where,))
    raise ConfigError(source.where, f"is not a config lrplot reads: {readable()}")


def readable() -> str:
    """What ``read_config`` reads, for messages."""
    from .registry import FAMILIES

    kinds = sorted({s for f in FAMILIES for s in f.file_suffixes} - {".yaml", ".yml"})
    frameworks = ", ".join(f.name for f in FAMILIES if f.file_suffixes)
    also = f", or a {'/'.join(kinds)} file of {frameworks}" if kinds else (f", or a file of {frameworks}" if frameworks else "")
    return f"give lrplot's YAML config (scheduler:, run:, a framework section){also}"


def _claims(source: SourceFile) -> list[tuple[Any, str]]:
    from .registry import FAMILIES

    out = []
    for family in FAMILIES:
        if source.suffix in family.file_suffixes:
            what = family.part(family.files_module).claims(source)
            if what:
                out.append((family, what))
    return out


def _framework_file(family: Any, source: SourceFile, what: str) -> ConfigFile:
    read = family.part(family.files_module).read(source)
    lines = (f"{source.where}: read as {what}, never executed", *read.lines)
    files = read.files or (source.where,)
    return ConfigFile(read.data, family.name, lines, files)


def _own(source: SourceFile, depth: int) -> ConfigFile:
    data = source.data
    if "framework" in data and "include" not in data:
        raise ConfigError("framework", "says which framework an `include:`d file belongs to; add `include: PATH` or remove it")
    if "include" not in data:
        return ConfigFile(data, None, (), (source.where,))
    target = data["include"]
    if not isinstance(target, str) or not target:
        raise ConfigError("include", f"must be the path of a framework's config file, got {type_name(target)}")
    if depth > 0:
        raise ConfigError(f"{source.where}: include", "an included file cannot include another; include the framework's file directly")
    from .files import shown, user_path

    included_path = user_path(target, "include")
    if not included_path.is_absolute():
        included_path = Path(os.path.normpath(source.path.parent / included_path))
    framework = data.get("framework")
    included = read_config(included_path, framework, where=shown(included_path), depth=depth + 1)
    # the including file names the config (its own name:, or its file name), not the file it includes
    merged = {k: v for k, v in included.data.items() if k != "name"}
    for key, value in data.items():
        if key in ("include", "framework"):
            continue
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = {**merged[key], **value}  # the including file's keys win, one level deep
        else:
            merged[key] = value
    lines = included.lines
    overridden = [k for k in data if k not in ("include", "framework") and k in included.data]
    if overridden:
        lines += (f"{source.where}: includes {shown(included_path)}, and sets {', '.join(overridden)} over it",)
    return ConfigFile(merged, included.framework, lines, (source.where, *included.files))


def framework_target(text: str, keys: Mapping[str, Any] | None = None) -> dict | None:
    """The config a framework makes of a target in its own words (``train.py:get_lr``; ``keys``: the
    scheduler keywords given with it), or None when no framework takes the text for one of its own.

    A file or folder that exists, or a scheduler's name, is no such target: asking every framework
    (which loads every one's records) is kept for the text that could be one."""
    from .registry import families, lookup

    try:
        if Path(text).exists() or lookup(text) is not None:  # a path first: a lookup that misses loads every family
            return None
    except (OSError, ValueError):  # a name too long for a path, a NUL byte
        pass
    for family in families():
        if family.target is not None:
            made = family.target(text, dict(keys) if keys else None)
            if made is not None:
                return made
    return None
