"""The errors the package raises on purpose.

Library code raises them; only the command line (`rnn_ref.cli`) turns an exception into
a message and an exit code: one `error: ...` line on stderr and exit 2 for bad input
(`InputError`, and any other `ValueError`), exit 3 for `TrainingDiverged`, exit 1 for a
failure of the machine (`OSError`), 130 for Ctrl-C. Each message says what was expected,
what was got, and how to fix it.
"""

from __future__ import annotations

__all__ = ["InputError", "CheckpointError", "TrainingDiverged"]


class InputError(ValueError):
    """Bad input from the user: a flag, a path, a file's contents, a digit sequence."""


class CheckpointError(InputError):
    """A checkpoint is missing, corrupt, unsafe, or does not fit the model."""


class TrainingDiverged(RuntimeError):
    """Training produced a non-finite loss; the message says at which step and what to
    try."""
