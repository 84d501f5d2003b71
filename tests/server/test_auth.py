"""Roles and owners (layers/server/auth.py): viewers read, editors save their own, admins delete any; with the login
off everything is allowed; a gated background job refuses a lesser role and knows who started it."""

from __future__ import annotations

import json
import shutil
from types import SimpleNamespace

import flask
import flask_login
import pytest
from dash._callback_context import context_value

from layers.features import admin, briefings, upload
from layers.server import accounts, auth, store


def as_user(app, name):
    """A request context of ``app`` with ``name`` signed in (for calling callbacks as functions)."""
    ctx = app.server.test_request_context("/")
    ctx.push()
    account = accounts.Users(app.users_file).accounts()[name]
    flask_login.login_user(account)
    return ctx


def request(name="Brief", nonce="nonce-00000001"):
    return {"name": name, "nonce": nonce, "date": "2017-06-06", "bounds": [38.5, 35.7, 39.4, 36.2], "zoom": 10}


def briefing_id(name):
    return next(b["id"] for b in store.briefing_store().list_briefings() if b["name"] == name)


def test_viewers_read_editors_save_their_own_admins_delete_any(auth_app):
    ctx = as_user(auth_app, "vic")
    assert briefings.save_view(request())[0] == "Not saved: viewers cannot save briefings."
    ctx.pop()
    ctx = as_user(auth_app, "ana")
    assert briefings.save_view(request())[0].startswith("Saved as view 1")
    mine = briefing_id("Brief")
    items = str(briefings.show_list(None))
    assert "by ana" in items and "briefing-delete" in items
    ctx.pop()
    ctx = as_user(auth_app, "vic")
    assert "briefing-delete" not in str(briefings.show_list(None))  # no Delete shown to a viewer
    assert delete(mine) == "Not deleted: viewers cannot delete briefings."
    ctx.pop()
    ctx = as_user(auth_app, "ada")
    assert briefings.save_view(request("Ada's"))[0].startswith("Saved as view 1")
    theirs = briefing_id("Ada's")
    assert briefings.save_view(request(nonce="nonce-00000002"))[0].startswith("Saved as view 2")  # admin: any
    ctx.pop()
    ctx = as_user(auth_app, "ana")
    assert "belongs to ada" in briefings.save_view(request("Ada's", "nonce-00000003"))[0]
    assert "belongs to ada" in delete(theirs)
    assert "briefing-delete" not in str(briefings.show_list(None)).split("Ada's")[1].split("Brief")[0]
    ctx.pop()
    ctx = as_user(auth_app, "ada")
    assert delete(mine) == "Briefing deleted."
    ctx.pop()
    log = [(e["who"], e["action"], e["target"]) for e in store.audit_log().entries()]
    assert ("ada", "briefing.delete", f"briefing {mine}") in log
    assert ("ana", "briefing.save", f"briefing {mine} “Brief”") in log
    assert store.briefing_store().get(theirs) is not None and store.briefing_store().get(mine) is None


def delete(bid, value=1) -> str:
    """``delete_briefing`` as Dash calls it when the delete button of briefing ``bid`` was pressed."""
    prop = json.dumps({"index": bid, "type": briefings.DELETE}, separators=(",", ":")) + ".submit_n_clicks"
    token_ = context_value.set(SimpleNamespace(triggered_inputs=[{"prop_id": prop, "value": value}]))
    try:
        return briefings.delete_briefing([value])[0]
    finally:
        context_value.reset(token_)


def test_an_admin_is_needed_to_delete_a_theatre(auth_app, tiny_dir):
    folder = store.theatres_root() / "tiny"
    folder.parent.mkdir(parents=True)
    shutil.copytree(tiny_dir, folder)
    ctx = as_user(auth_app, "ana")
    assert admin.panel(None) == []  # no control for editors
    assert admin.delete_theatre(1, "tiny")[0] == "Not deleted: only an admin deletes theatres."
    assert store.theatre_folder("tiny") is not None
    ctx.pop()
    ctx = as_user(auth_app, "ada")
    assert admin.panel(None) != []
    status, _, options = admin.delete_theatre(1, "tiny")
    assert status == "Theatre “tiny” deleted." and options == []
    assert store.theatre_folder("tiny") is None
    assert admin.delete_theatre(1, "tiny")[0] == "There is no imported theatre “tiny”."
    table = str(admin.show_audit(None))
    assert "theatre.delete" in table and "ada" in table
    ctx.pop()
    assert ("ada", "theatre.delete", "theatre tiny") in [
        (e["who"], e["action"], e["target"]) for e in store.audit_log().entries()
    ]


def test_with_login_off_everything_is_allowed_and_recorded_as_local(monkeypatch, tmp_path):
    app = flask.Flask(__name__)
    with app.test_request_context("/"):
        assert auth.can("admin") and auth.who() == auth.LOCAL and auth.owns(None)
    with pytest.raises(ValueError):
        auth.can("superuser")


def gated_call(app, name, sent_actor="mallory"):
    """The upload's callback request as ``name`` (a client also sending a forged actor header): the gate's answer
    and the actor the job will see."""
    body = {"output": f"..{upload.RESULT_ID}.children...{upload.UPLOAD_ID}.contents..", "inputs": []}
    headers = {auth.ACTOR_HEADER: sent_actor}
    with app.server.test_request_context("/_dash-update-component", method="POST", json=body, headers=headers):
        flask_login.login_user(accounts.Users(app.users_file).accounts()[name])
        answer = auth.before_callback()
        return answer, flask.request.headers.get(auth.ACTOR_HEADER)


def test_a_viewer_cannot_start_an_import_job_and_the_job_knows_who_started_it(auth_app):
    refused, _ = gated_call(auth_app, "vic")
    assert refused.status_code == 403 and refused.get_data(as_text=True) == "editor role needed"
    allowed, actor = gated_call(auth_app, "ana")
    assert allowed is None and actor == "ana"  # the forged header is replaced by the signed-in user
    # in the job (no request), who() reads the actor Dash copied from the request's headers
    from dash._utils import AttributeDict

    token = context_value.set(AttributeDict(headers={auth.ACTOR_HEADER: "ana"}))
    try:
        assert auth.who() == "ana"
    finally:
        context_value.reset(token)
