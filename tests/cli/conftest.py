"""Fixtures shared by the CLI tests."""

import pytest

from rnn_ref.cli import main


@pytest.fixture
def one_error_line(capsys):
    """A check: the CLI run on `argv` exits with `code`, and its stderr is one
    `error: ...` line (no traceback) containing `match`; returns that line."""

    def check(argv: list[str], match: str, code: int = 2) -> str:
        assert main(argv) == code
        err = capsys.readouterr().err
        assert "Traceback" not in err
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), err
        assert match in lines[0], err
        return lines[0]

    return check
