"""How the command line explains itself: ``--help`` fits one screen, ``lrplot help`` has the rest.

A schedule command takes many options (the run and its training plan, the metric, what-ifs, the
figure). Its ``--help`` lists the ones most runs use and names the others by topic; ``lrplot help
TOPIC`` lists one topic's options and ``lrplot help COMMAND`` every option of a command. An option
joins a topic where its group of options is declared (``cli._apply(options, f, topic)``), so an
option added to a group is placed without further work.
"""

from __future__ import annotations

import textwrap

import click

# option name -> topic, filled as the commands' option groups are declared
TOPICS: dict[str, str] = {}

TOPIC_WORDS = {
    "run": "How long the run is, how the scheduler steps, the optimizer, the training plan and which framework a file is.",
    "metric": "What ReduceLROnPlateau (and every metric-driven schedule) is fed.",
    "what-if": "A resume from a checkpoint, or a stepping mistake, drawn over the plan.",
    "figure": "The figure's size, look and output, in a file or in the terminal.",
}

# shown by --help whatever their topic: what most runs give
COMMON = {"epochs", "iterations", "steps_per_epoch", "lr", "output", "log_scale", "size", "term", "resume_at", "what_if"}
ALL_OPTIONS = "lrplot.all_options"


class TopicCommand(click.Command):
    """A command whose ``--help`` lists its common options and names the others by topic."""

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        everything = ctx.meta.get(ALL_OPTIONS, False)
        shown, by_topic = [], {}
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx) if isinstance(param, click.Option) else None
            if record is None:
                continue
            topic = TOPICS.get(param.name or "")
            if topic is None or (not everything and param.name in COMMON):
                shown.append(record)
            else:
                by_topic.setdefault(topic, []).append((param, record))
        with formatter.section("Options"):
            formatter.write_dl(shown)
        if everything:
            for topic, rows in by_topic.items():
                with formatter.section(f"{topic.capitalize()} options"):
                    formatter.write_dl([record for _, record in rows])
            return
        if by_topic:
            with formatter.section("More options (lrplot help TOPIC)"):
                # names packed into lines by hand: click would cut --metric-column at its hyphen
                room = (formatter.width or 80) - formatter.current_indent - max(len(t) for t in by_topic) - 6  # write_dl's columns
                lines = []
                for topic, rows in by_topic.items():
                    names, line = [param.opts[0] for param, _ in rows], ""
                    for name in names:
                        if line and len(line) + len(name) + 3 > room:
                            lines.append((topic if not any(t == topic for t, _ in lines) else "", line + ","))
                            line = ""
                        line = f"{line}, {name}" if line else name
                    lines.append((topic if not any(t == topic for t, _ in lines) else "", line))
                formatter.write_dl(lines)


def topic_help(group: click.Group, ctx: click.Context, topic: str) -> str:
    """One topic's options, as the commands that take them declare them."""
    formatter = ctx.make_formatter()
    records, takers, seen = [], {}, {}
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        sub = click.Context(command, info_name=name, parent=ctx)
        params = [p for p in command.get_params(sub) if TOPICS.get(p.name or "") == topic]
        if params:
            takers[name] = tuple(p.opts[0] for p in params)
        for param in params:
            record = param.get_help_record(sub)
            if record is not None and param.name not in seen:
                seen[param.name] = param.opts[0]
                records.append(record)
    # the commands that take every option of the topic, then those that take some, naming which
    every = [name for name, opts in takers.items() if len(opts) == len(seen)]
    partial: dict[tuple[str, ...], list[str]] = {}
    for name, opts in takers.items():
        if len(opts) < len(seen):
            partial.setdefault(opts, []).append(name)
    words = [f"Taken by: {_listed(every)}."] if every else []
    for opts, names in partial.items():
        words.append(f"{_listed(names)} take{'s' if len(names) == 1 else ''} only {', '.join(opts)}.")
    # wrapped by hand: click's wrapping would cut --grad-accum at its hyphen
    width = (formatter.width or 80) - formatter.current_indent
    formatter.write(textwrap.fill(f"{TOPIC_WORDS[topic]} {' '.join(words)}", width, break_on_hyphens=False, break_long_words=False) + "\n")
    with formatter.section(f"{topic.capitalize()} options"):
        formatter.write_dl(records)
    return formatter.getvalue()


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def full_help(command: click.Command, ctx: click.Context) -> str:
    """Every option of a command, grouped by topic."""
    ctx.meta[ALL_OPTIONS] = True
    return command.get_help(ctx)
