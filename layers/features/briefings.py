"""Saved briefings in the page: name a briefing, add the current map view to it, present or delete it.

The view comes from the browser: ``assets/briefings.js`` turns a click on "Add this view" into the value of
the ``briefing-save-request`` store (``{name, nonce, date, compare, bounds, center, zoom, layers, caption,
theatre}``, the view from ``window.raqqaEngine.view()``), and the server callback checks and saves it in
``$RAQQA_INSTANCE/briefings.sqlite3`` (``layers.server.store``, ``layers.core.briefings``).
``steps_for(id)`` gives a saved briefing's views to the briefing mode (``/?mode=briefing&briefing=<id>``).
"""

from __future__ import annotations

import time

from dash import ALL, ClientsideFunction, Input, Output, State, callback, clientside_callback, dcc, html
from dash import ctx as dash_ctx
from dash.exceptions import PreventUpdate

from layers.core import validate
from layers.core.briefings import MAX_NAME, BriefingError
from layers.features.common import ENGINE_ID, TABS_ID, URL_ID, query
from layers.server import auth
from layers.server.context import context
from layers.server.guard import guarded
from layers.server.store import briefing_store as store

NAME = "briefing"
NAME_INPUT = f"{NAME}-name"
ADD_ID = f"{NAME}-add"
STATUS_ID = f"{NAME}-status"
LIST_ID = f"{NAME}-list"
REQUEST_ID = f"{NAME}-save-request"
REFRESH_ID = f"{NAME}-refresh"
DELETE = f"{NAME}-delete"
WANTED_ID = f"{NAME}-wanted"  # the query string, set in the browser when its ``?briefing=`` changes
STEPS_ID = f"{NAME}-steps"  # the views briefing mode steps through (page-wide store)
VIEW_KEYS = ("date", "compare", "bounds", "center", "zoom", "layers", "caption", "theatre")
MAX_ID = 2**53 - 1


def panel(ctx) -> list:
    """The Saved tab."""
    return [
        html.P("Step through the events on a shared screen: press Briefing mode (or B).", className="muted"),
        component(ctx),
    ]


def component(ctx) -> html.Section:
    """The panel: a name, "Add this view", and the saved briefings (filled in by ``show_list`` on load)."""
    return html.Section(
        [
            html.H3("Saved briefings"),
            html.Div(
                [
                    html.Label("Briefing name", htmlFor=NAME_INPUT, className="visually-hidden"),
                    dcc.Input(id=NAME_INPUT, type="text", maxLength=MAX_NAME, placeholder="Briefing name"),
                    html.Button("Add this view", id=ADD_ID, n_clicks=0, className="tool"),
                ],
                className="briefing-form",
            ),
            html.Div(id=STATUS_ID, className="briefing-status", role="status", **{"aria-live": "polite"}),
            html.Ul(id=LIST_ID, className="briefing-list"),
            dcc.Store(id=REQUEST_ID),
            dcc.Store(id=REFRESH_ID),
            dcc.Store(id=WANTED_ID),
        ],
        className="briefings",
    )


# ---------------------------------------------------------------------------------------------------------
# callbacks


# ``?briefing=<id>`` is read in the browser; the server is asked for its views only when it changes.
clientside_callback(
    ClientsideFunction(namespace="briefings", function_name="wanted"),
    Output(WANTED_ID, "data"),
    Input(URL_ID, "search"),
    State(WANTED_ID, "data"),
)


@callback(Output(STEPS_ID, "data"), Input(WANTED_ID, "data"), prevent_initial_call=True)
def briefing_steps(search):
    """The views of the saved briefing named by ``?briefing=<id>`` (None: briefing mode steps through the events)."""
    return steps_for(query(search).get("briefing")) or None


clientside_callback(
    ClientsideFunction(namespace="engine", function_name="fromSteps"),
    Output(ENGINE_ID, "data", allow_duplicate=True),
    Input(STEPS_ID, "data"),
    prevent_initial_call=True,
)

clientside_callback(
    ClientsideFunction(namespace="briefings", function_name="saveRequest"),
    Output(REQUEST_ID, "data"),
    Input(ADD_ID, "n_clicks"),
    State(NAME_INPUT, "value"),
    prevent_initial_call=True,
)


@callback(
    Output(STATUS_ID, "children"),
    Output(REFRESH_ID, "data"),
    Input(REQUEST_ID, "data"),
    prevent_initial_call=True,
)
@guarded
def save_view(request):
    """Check the request from the browser and append its view to the named briefing."""
    if not isinstance(request, dict):
        raise validate.BadInput("save request must be an object")
    if not auth.can("editor"):
        return "Not saved: viewers cannot save briefings.", time.time()
    name = validate.short_text(request.get("name"), MAX_NAME, name="briefing name")
    if not name:
        return "Give the briefing a name first.", time.time()
    if not request.get("date"):
        return "Nothing to save: the map has not reported its view yet.", time.time()
    ds = context().dataset
    try:
        validate.iso_date(request["date"], ds.start, ds.end, name="date")
        if request.get("compare"):
            validate.iso_date(request["compare"], ds.start, ds.end, name="compare date")
        view = {k: request.get(k) for k in VIEW_KEYS}
        bid, pos = store().add(name, view, request.get("nonce"), owner=auth.who(), admin=auth.can("admin"))
    except (validate.BadInput, BriefingError) as exc:
        return f"Not saved: {exc}.", time.time()
    auth.record("briefing.save", f"briefing {bid} “{name}”", f"view {pos + 1} ({request['date']})")
    return f"Saved as view {pos + 1} of “{name}”.", time.time()


clientside_callback(
    ClientsideFunction(namespace="briefings", function_name="refreshSaved"),
    Output(REFRESH_ID, "data", allow_duplicate=True),
    Input(TABS_ID, "value"),
    prevent_initial_call=True,
)


@callback(Output(LIST_ID, "children"), Input(REFRESH_ID, "data"), prevent_initial_call=True)
def show_list(_refresh):
    """The saved briefings, newest first."""
    return [_list_item(b) for b in store().list_briefings()]


@callback(
    Output(STATUS_ID, "children", allow_duplicate=True),
    Output(REFRESH_ID, "data", allow_duplicate=True),
    Input({"type": DELETE, "index": ALL}, "submit_n_clicks"),
    prevent_initial_call=True,
)
@guarded
def delete_briefing(_clicks):
    """Delete the briefing whose (confirmed) delete button was pressed."""
    trigger = dash_ctx.triggered_id
    if not isinstance(trigger, dict) or not dash_ctx.triggered or not dash_ctx.triggered[0].get("value"):
        raise PreventUpdate  # the list was redrawn, nothing was pressed
    briefing_id = validate.integer(trigger.get("index"), lo=1, hi=MAX_ID, name="briefing id")
    if not auth.can("editor"):
        return "Not deleted: viewers cannot delete briefings.", time.time()
    try:
        gone = store().delete(briefing_id, owner=auth.who(), admin=auth.can("admin"))
    except BriefingError as exc:
        return f"Not deleted: {exc}.", time.time()
    if gone:
        auth.record("briefing.delete", f"briefing {briefing_id}")
    return ("Briefing deleted." if gone else "That briefing was already deleted."), time.time()


# ---------------------------------------------------------------------------------------------------------
# helpers


def steps_for(briefing_id) -> list[dict] | None:
    """The views of a saved briefing in order (``{date, compare, bounds, center, zoom, layers, caption,
    theatre}``), or None if there is no such briefing or the id is not a positive integer."""
    try:
        briefing_id = validate.integer(briefing_id, lo=1, hi=MAX_ID, name="briefing id")
    except validate.BadInput:
        return None
    found = store().get(briefing_id)
    return None if found is None else found["items"]


def present_href(briefing_id: int) -> str:
    return f"/?mode=briefing&briefing={briefing_id}"


def _list_item(b: dict) -> html.Li:
    views = f"{b['items']} view{'s' if b['items'] != 1 else ''}"
    delete = dcc.ConfirmDialogProvider(
        html.Button("Delete", className="briefing-delete", title=f"Delete “{b['name']}”"),
        id={"type": DELETE, "index": b["id"]},
        message=f"Delete the briefing “{b['name']}” and its {views}?",
    )
    owner = [html.Span(f"by {b['owner']}", className="briefing-owner")] if auth.login_on() and b["owner"] else []
    return html.Li(
        [
            html.Span(b["name"], className="briefing-name"),
            html.Span(views, className="briefing-count"),
            *owner,
            html.A("Present", href=present_href(b["id"]), className="briefing-present"),
            *([delete] if auth.owns(b["owner"]) else []),
        ],
        **{"data-briefing": str(b["id"])},
    )
