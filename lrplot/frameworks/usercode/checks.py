"""The pitfalls of a schedule written as a function, as ``lrplot check`` rules (codes UC...).

UC101: a function called once per epoch that compares its argument with numbers far beyond the
calls the run makes (``step < 500`` with 12 epochs): it was written for per-iteration calls.
UC102: a function that reads ``args.epochs`` (its own length) in a run of another length.
"""

from __future__ import annotations

from ...engine.pitfalls import FAR, Rule, Subject, compared_numbers


def _per_epoch_big_numbers(s: Subject):
    run = s.spec.run
    if run.steps_per_epoch == 1:
        return
    for part in s.spec.scheduler.params["translated"].parts:
        if part.when == "iteration":
            continue
        calls = run.epochs
        exprs = [e for stmt in part.program.statements() for e in (getattr(stmt, "test", None), getattr(stmt, "expr", None)) if e is not None]
        numbers = [c for e in exprs for c in compared_numbers(e, ("epoch",))]
        big = [c for c in numbers if c >= FAR * calls]
        if big:
            yield f"{s.spec.scheduler.path}.when", (
                f"{part.program.where} is called once per epoch ({calls} calls), but compares its argument with {max(big):g}: "
                f"written for per-iteration calls ({run.total_steps} steps)? set when: iteration (run.step: iteration)"
            )


def _epochs_differ(s: Subject):
    import ast

    run = s.spec.run
    if not run.has_epochs:
        return
    for part in s.spec.scheduler.params["translated"].parts:
        epochs = part.namespace.get("epochs")
        reads = any(isinstance(n, ast.Attribute) and n.attr == "epochs" and isinstance(n.value, ast.Name) and n.value.id in part.namespace_names
                    for n in ast.walk(ast.parse(part.source)))
        if reads and isinstance(epochs, int) and not isinstance(epochs, bool) and epochs != run.epoch_count:
            yield "run.epochs", (
                f"{part.program.where} reads args.epochs, which is {epochs}, but the run has {run.epoch_count:g} epochs: its schedule "
                f"{'ends before' if epochs < run.epoch_count else 'is cut short by'} the run; give --set epochs={run.epoch_count:g} "
                f"(the script's --epochs) or run.epochs {epochs}"
            )


RULES: tuple[Rule, ...] = (
    Rule("UC101", "function-per-epoch-counts-steps", "warning", "a function called per epoch that compares its argument with step counts",
         _per_epoch_big_numbers),
    Rule("UC102", "function-epochs-differ", "warning", "a function that reads args.epochs, run for another number of epochs", _epochs_differ),
)
