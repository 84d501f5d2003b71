"""The page shown instead of a theatre that cannot be opened: which theatre, every problem (file, feature, what
is wrong; capped), and the way back to the bundled theatre.

Its problems come from :func:`layers.server.context.theatre_failure`: the failure is kept for every worker,
so a theatre that fails to derive is derived at most once per change of its files, never on every visit.
"""

from __future__ import annotations

from dash import html

from layers.core import Problem
from layers.features.problems import problem_list
from layers.server.context import context

NAME = "theatre-failed"


def failed_page(slug: str, problems: list[Problem]) -> html.Div:
    """The failure page for theatre ``slug``: its problems as text and a link back."""
    home = context().dataset.theatre["name"]
    return html.Div(
        [
            html.H1("This theatre cannot be opened"),
            html.P(
                f"The map of the imported theatre “{slug}” cannot be derived from its files: "
                f"{len(problems):,} problem(s). Nothing else on this server is affected."
            ),
            problem_list(problems, "theatre-problems"),
            html.P(html.A(f"Back to {home}", href="/", id=f"{NAME}-back")),
        ],
        className=NAME,
        id=NAME,
        role="alert",
    )


def preparing_page(slug: str, stage: str) -> html.Div:
    """The page of theatre ``slug`` while its tables are derived in the background: what is being done, and a
    link that opens it (done, or the stage reached)."""
    return html.Div(
        [
            html.H1("This theatre is being prepared"),
            html.P(f"The map of the imported theatre “{slug}” is derived once, on the server: {stage}"),
            html.P(html.A("Open it again", href=f"/?theatre={slug}", id=f"{NAME}-retry")),
        ],
        className=NAME,
        id=f"{NAME}-preparing",
        role="status",
    )
