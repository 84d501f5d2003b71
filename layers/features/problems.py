"""A list of problems fit for the page however long it is: the first few of each file, then counts.

An import can find thousands of problems (the domain already stops after a budget of errors); the page shows
at most MAX_PER_FILE of each file's and MAX_FILES files, each cut counted in one line, as a flat list of text.
"""

from __future__ import annotations

from dash import html

from layers.core import Problem

MAX_PER_FILE = 20
MAX_FILES = 10


def problem_list(problems: list[Problem], class_name: str) -> html.Ul:
    """A flat ``<ul>`` of at most MAX_FILES x (MAX_PER_FILE + 1) + 1 lines of text."""
    by_file: dict[str, list[Problem]] = {}
    for p in problems:
        by_file.setdefault(p.file, []).append(p)
    items = []
    for file, found in list(by_file.items())[:MAX_FILES]:
        items += [html.Li(str(p)) for p in found[:MAX_PER_FILE]]
        if len(found) > MAX_PER_FILE:
            items.append(html.Li(f"… and {len(found) - MAX_PER_FILE:,} more in {file}", className="problem-more"))
    rest = [p for file in list(by_file)[MAX_FILES:] for p in by_file[file]]
    if rest:
        files = len(by_file) - MAX_FILES
        items.append(html.Li(f"… and {len(rest):,} more in {files:,} other file(s)", className="problem-more"))
    return html.Ul(items, className=class_name)
