r"""`rnn-ref predict`'s reader: digits streamed, memory flat in the sequence length.

Input is read in blocks of 64 KiB and cut into tokens (digits separated by spaces or
commas, one sequence per line), never into whole lines, so an endless line costs no
more memory than a short one. A line ends at `\n`, `\r\n` or a lone `\r`; a digit is
one character 0-9 (for a model of more than ten digits, an integer without leading
zeros): `00`, `01` and `-0` are refused. A sequence is fed to the model in chunks of
`CHUNK` digits, the recurrent state carried from one chunk to the next (what the model
computes on the whole sequence at once). A line may hold at most `MAX_DIGITS` digits
(`MAX_DIGITS_BIDIRECTIONAL` for a bidirectional model, which reads each line backwards
too and so holds it whole). Errors quote at most `EXCERPT` characters of the input.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import BinaryIO

import torch

from rnn_ref.errors import InputError
from rnn_ref.model import SumModClassifier

__all__ = [
    "MAX_DIGITS",
    "MAX_DIGITS_BIDIRECTIONAL",
    "CHUNK",
    "tokens",
    "parse_digit",
    "predict_stream",
]

MAX_DIGITS = 10**7
MAX_DIGITS_BIDIRECTIONAL = 10**5
CHUNK = 4096
EXCERPT = 20
_BLOCK = 1 << 16
# a line ends at \n, \r\n or a lone \r; tokens are separated by spaces or commas
_TOKEN = re.compile(rb"\r\n?|\n|[^\s,]+")
_LINE_END = (b"\n", b"\r", b"\r\n")
# an integer written one way: no leading zero, no sign but a minus (out of range)
_NUMBER = re.compile(rb"0|-?[1-9][0-9]{0,%d}" % (EXCERPT - 1))


def _excerpt(token: bytes) -> str:
    text = token[:EXCERPT].decode("ascii", errors="replace")
    return repr(text + ("..." if len(token) > EXCERPT else ""))


def tokens(stream: BinaryIO) -> Iterator[bytes | None]:
    """The tokens of `stream`, and `None` at the end of each line (and of the input).

    A token longer than `EXCERPT + 1` bytes is cut there (it is no digit anyway).

    Examples:
        >>> import io
        >>> list(tokens(io.BytesIO(b"3 7,1\\n9")))
        [b'3', b'7', b'1', None, b'9', None]
    """
    pending = b""
    while block := stream.read(_BLOCK):
        buffer = pending + block
        pending = b""
        for match in _TOKEN.finditer(buffer):
            token = match.group()
            if match.end() == len(buffer) and (
                token == b"\r" or (token not in _LINE_END and len(token) <= EXCERPT)
            ):
                pending = token  # may continue in the next block (\r: as \r\n)
            else:
                yield None if token in _LINE_END else token[: EXCERPT + 1]
    if pending:
        yield None if pending == b"\r" else pending
    yield None


def parse_digit(token: bytes, num_digits: int, where: str) -> int:
    """One token as a digit `0 .. num_digits - 1`, or an `InputError` quoting it.

    A digit is written one way: one character 0-9 (for a model of more than ten
    digits, an integer without leading zeros); `00`, `01`, `-0` and `+1` are refused.
    """
    if len(token) == 1 and 0 <= token[0] - 48 < min(num_digits, 10):  # b"0" is 48
        return token[0] - 48
    if not _NUMBER.fullmatch(token):
        raise InputError(
            f"{_excerpt(token)}{where} is not a digit: expected integers "
            f"0..{num_digits - 1} written without leading zeros, separated by "
            f"spaces or commas, e.g. `3 7 1 9`"
        )
    digit = int(token)
    if not 0 <= digit < num_digits:
        raise InputError(
            f"digit {_excerpt(token)[1:-1]}{where} is out of range: this model reads "
            f"digits 0..{num_digits - 1}; separate digits with spaces, e.g. `3 7 1 9`"
        )
    return digit


class _Sequence:
    """One line being read: its first digits (to print), count, sum, and the model's
    state after the digits fed so far."""

    def __init__(self, model: SumModClassifier, limit: int) -> None:
        self.model, self.limit = model, limit
        self.pending: list[int] = []
        self.head: list[int] = []
        self.count, self.total, self.state = 0, 0, None

    def add(self, digit: int, where: str) -> None:
        self.count += 1
        if self.count > self.limit:
            raise InputError(
                f"the sequence{where} is longer than {self.limit:,} digits, the most "
                f"predict reads per line; split it or shorten it"
            )
        self.total += digit
        if len(self.head) <= EXCERPT:
            self.head.append(digit)
        self.pending.append(digit)
        if len(self.pending) == CHUNK and not self.model.rnn.bidirectional:
            self._feed()

    def _feed(self) -> None:
        ids = torch.tensor(self.pending, device=self.model.head.weight.device)[None]
        # h_{t} from h_{t-1}: the state after the previous chunk starts this one
        _, self.state = self.model.rnn(self.model.embed(ids), self.state)  # (1, L, E)
        self.pending = []

    def predict(self) -> int:
        if self.pending:
            self._feed()
        h_n = self.state[0] if isinstance(self.state, tuple) else self.state
        if self.model.rnn.bidirectional:  # top layer, forward and backward
            summary = torch.cat([h_n[-2], h_n[-1]], dim=1)  # (1, 2H)
        else:
            summary = h_n[-1]  # (1, H)
        return int(self.model.head(summary).argmax(dim=1))

    def shown(self) -> str:
        if self.count <= EXCERPT:
            return " ".join(map(str, self.head))
        return " ".join(map(str, self.head[:10])) + f" ... ({self.count:,} digits)"


@torch.no_grad()
def predict_stream(
    model: SumModClassifier,
    num_digits: int,
    modulus: int,
    stream: BinaryIO,
    write: Callable[[str], None],
    name_lines: bool = True,
) -> int:
    """Predict each line of `stream`, calling `write` with one result line per
    sequence as soon as it is read; return how many sequences there were.

    `name_lines=False` leaves the line number out of error messages (for digits given
    on the command line)."""
    limit = MAX_DIGITS_BIDIRECTIONAL if model.rnn.bidirectional else MAX_DIGITS
    line, done, seq, blank = 1, 0, _Sequence(model, limit), None
    for token in tokens(stream):
        where = f" on line {line}" if name_lines else ""
        if token is not None:
            if blank is not None:  # a blank line with sequences after it
                raise InputError(
                    f"empty sequence on line {blank}: expected at least one digit "
                    f"0..{num_digits - 1} on each line, e.g. `3 7 1 9`"
                )
            seq.add(parse_digit(token, num_digits, where), where)
            continue
        if not seq.count and blank is None:
            blank = line
        if seq.count:
            predicted, truth = seq.predict(), seq.total % modulus
            mark = "" if predicted == truth else "  (wrong)"
            write(f"{seq.shown()} -> predicted {predicted}, true {truth}{mark}")
            done += 1
            seq, blank = _Sequence(model, limit), None
        line += 1
    return done
