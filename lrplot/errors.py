"""The library's exceptions. Only the CLI turns them into exit codes and messages."""

from __future__ import annotations


class LrplotError(Exception):
    """Base of every error lrplot reports to a user (exit code 2 on the command line)."""


class ConfigError(LrplotError):
    """A config that cannot be used: ``path`` names the offending field (``scheduler.gamma``)."""

    def __init__(self, path: str, message: str):
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}" if path else message)


class TorchWouldRaise(ConfigError):
    """The config is well formed, but real PyTorch raises while building or stepping it.

    lrplot never draws a curve torch could not produce, so it refuses the config and says what torch
    would do and how to fix it.
    """
