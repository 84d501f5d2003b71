"""Accounts in the page: the signed-in user with a "Sign out" control in the header (login on), and for admins
the Data tab's "Imported theatres" (delete one, asking first) and the latest entries of the audit log.

Every action checks the role on the server (``layers/server/auth.py``), whatever the page shows; each change is
recorded in the audit log. With the login off, the one local analyst is allowed everything.
"""

from __future__ import annotations

import time

import dash_mantine_components as dmc
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, dcc, html
from dash.exceptions import PreventUpdate

from layers.core import validate
from layers.features.common import TABS_ID
from layers.server import auth, login, store
from layers.server.guard import guarded

NAME = "admin"
THEATRE_SELECT = f"{NAME}-theatre"
DELETE_ID = f"{NAME}-theatre-delete"
STATUS_ID = f"{NAME}-status"
AUDIT_ID = f"{NAME}-audit"
REFRESH_ID = f"{NAME}-refresh"
AUDIT_ROWS = 50


def header_controls() -> list:
    """The signed-in user and "Sign out" (nothing with the login off)."""
    form = login.sign_out_form()
    return [form] if form is not None else []


def panel(ctx) -> list:
    """The admin part of the Data tab (nothing for viewers and editors)."""
    if not auth.can("admin"):
        return []
    return [
        html.Section(
            [
                html.H3("Imported theatres"),
                html.Div(
                    [
                        dmc.Select(
                            id=THEATRE_SELECT,
                            data=_theatre_options(),
                            placeholder="Imported theatre",
                            label="Theatre",
                            clearable=True,
                        ),
                        dcc.ConfirmDialogProvider(
                            html.Button("Delete theatre", className="tool admin-delete"),
                            id=DELETE_ID,
                            message="Delete this imported theatre for everyone? Saved views of it stop working.",
                        ),
                    ],
                    className="admin-theatres",
                ),
                html.Div(id=STATUS_ID, className="admin-status", role="status", **{"aria-live": "polite"}),
                html.H3("Audit log"),
                html.Div(id=AUDIT_ID, className="admin-audit"),
                dcc.Store(id=REFRESH_ID),
            ],
            className="admin",
        )
    ]


def _theatre_options() -> list[dict]:
    root = store.theatres_root()
    slugs = sorted(p.name for p in root.iterdir() if store.theatre_folder(p.name)) if root.is_dir() else []
    return [{"label": s, "value": s} for s in slugs]


@callback(
    Output(STATUS_ID, "children"),
    Output(REFRESH_ID, "data"),
    Output(THEATRE_SELECT, "data"),
    Input(DELETE_ID, "submit_n_clicks"),
    State(THEATRE_SELECT, "value"),
    prevent_initial_call=True,
)
@guarded
def delete_theatre(clicks, slug):
    """Delete the chosen imported theatre: admins only (checked here, not just hidden in the page)."""
    if not clicks:
        raise PreventUpdate
    if not auth.can("admin"):
        return "Not deleted: only an admin deletes theatres.", time.time(), _theatre_options()
    if not slug:
        return "Choose a theatre first.", time.time(), _theatre_options()
    slug = validate.slug(slug, name="theatre")
    if not store.delete_theatre(slug):
        return f"There is no imported theatre “{slug}”.", time.time(), _theatre_options()
    auth.record("theatre.delete", f"theatre {slug}")
    return f"Theatre “{slug}” deleted.", time.time(), _theatre_options()


clientside_callback(  # the audit log is read when the Data tab opens, not on the page's first view
    ClientsideFunction(namespace="briefings", function_name="refreshData"),
    Output(REFRESH_ID, "data", allow_duplicate=True),
    Input(TABS_ID, "value"),
    prevent_initial_call=True,
)


@callback(Output(AUDIT_ID, "children"), Input(REFRESH_ID, "data"), prevent_initial_call=True)
def show_audit(_refresh):
    """The latest entries of the audit log, as text (admins only)."""
    if not auth.can("admin"):
        return []
    keys = ("at", "who", "action", "target", "detail")
    rows = [
        html.Tr([html.Td(str(e[k]).replace("+00:00", "Z")) for k in keys])
        for e in store.audit_log().entries(AUDIT_ROWS)
    ]
    head = html.Thead(html.Tr([html.Th(h) for h in ("when (UTC)", "who", "what", "target", "detail")]))
    return html.Table([head, html.Tbody(rows)], className="audit-table") if rows else html.P("Nothing recorded yet.")
