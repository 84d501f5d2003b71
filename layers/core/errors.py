"""Validation problems that name the file, the feature or row, and what is wrong; and the findings of the
consistency rules (``consistency.py``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

ERROR, WARNING = "error", "warning"  # a finding's severity

# C0 controls (ANSI escapes, carriage return, newline), DEL, C1 controls, bidirectional marks and overrides, line
# and paragraph separators: data must not move the cursor, recolour the terminal or fake a line of output.
UNSAFE_ON_TERMINAL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def terminal_text(text: str) -> str:
    """``text`` fit to print: every control character shown as its escape (``\\x1b``, ``\\n``, ``\\u202e``)."""
    return UNSAFE_ON_TERMINAL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data: where it is and what is wrong."""

    file: str
    item: str
    message: str

    def __str__(self) -> str:
        return terminal_text(f"{self.file}: {self.item}: {self.message}")


class DatasetError(ValueError):
    """Raised when a dataset does not validate; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        shown = "\n".join(f"  - {p}" for p in self.problems[:50])
        more = f"\n  ... and {len(self.problems) - 50} more" if len(self.problems) > 50 else ""
        super().__init__(f"{len(self.problems)} problem(s) in the dataset:\n{shown}{more}")


class DerivationError(DatasetError):
    """Raised when a theatre's files validate but its map cannot be derived (an overlay that fails, or more work
    than the declared budgets allow); its problems name the file, the feature and why."""


@dataclass(frozen=True)
class Finding:
    """One contradiction: its rule, severity, where it is (file, item), the subject an acceptance names."""

    rule: str
    severity: str
    file: str
    item: str
    subject: str
    message: str
    accepted: str = ""

    def __str__(self) -> str:
        return f"{self.file}: {self.item}: {self.message} [{self.rule}]"
