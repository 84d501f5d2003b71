"""Validation problems that name the file, the feature or row, and what is wrong."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data: where it is and what is wrong."""

    file: str
    item: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.item}: {self.message}"


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
