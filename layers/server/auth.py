"""What callbacks ask of the optional login: who is signed in, may they act with a role, may they change what someone
owns, and the audit record of what they did.

The login is off unless ``RAQQA_AUTH_FILE`` names a users file (``login.enable(app, path)``, called by
``security.secure``). Its parts:

- **Accounts** (``accounts.py``): one ``user:role:hash`` line per analyst (``role`` is ``viewer``, ``editor`` or
  ``admin``; Werkzeug's ``scrypt:…``/``pbkdf2:…`` hash). A line without a role (``user:hash``, the format before
  roles) is an editor. The file is re-read when it changes.
- **Sessions** (``login.py``) live on the server (Flask-Session over cachelib's ``FileSystemCache`` in
  ``$RAQQA_INSTANCE/sessions``, shared by every worker); the cookie holds only a random id. Signing out deletes the
  session; a session id is Flask-Login's ``name:stamp``, where the stamp is derived from the password hash, so
  changing a password (``python -m layers passwd``) ends every session of that user at its next request. A session
  lasts ``RAQQA_SESSION_HOURS`` (default 12) from sign-in.
- **CSRF** (``login.py``): the sign-in and sign-out forms carry Flask-WTF's token; every other non-GET request must
  come from this site (``security.same_origin``).
- **Throttle** (``throttle.py``): failed sign-ins are counted per account *and* client address
  (``$RAQQA_INSTANCE/logins.sqlite3``, shared by the workers). After ``FREE_FAILURES`` failures within
  ``FAILURE_WINDOW_S`` every further attempt for that pair waits (``delay_for``), right or wrong: a correct password
  is delayed, never refused, and an attacker at another address does not slow anyone else down. The client address
  is the socket's, or the proxy's ``X-Forwarded-For`` only when ``RAQQA_PROXIES`` says how many proxies to trust
  (``security.py``).
- **Roles** (this module): ``viewer`` reads; ``editor`` also saves briefings (its own) and imports theatres;
  ``admin`` also deletes anyone's briefing and theatres, and manages users (the command line). ``can(role)`` is what
  callbacks ask; with the login off the app is one analyst's tool on loopback and everything is allowed.
- **Audit** (this module): ``record(action, target)`` appends to the audit log with the signed-in user's name.
"""

from __future__ import annotations

import dash
import flask
import flask_login

from layers.server.accounts import Account, check_role
from layers.server.store import audit_log

__all__ = ["ACTOR_HEADER", "LOCAL", "before_callback", "can", "current", "gate", "login_on", "owns", "record", "who"]

LOCAL = "local"  # who changed something when the login is off


def login_on() -> bool:
    return bool(flask.has_app_context() and flask.current_app.config.get("RAQQA_LOGIN"))


# Background callbacks run in a job process with no request, so who may start one is checked before it starts,
# and who started it travels with the job: the server sets ACTOR_HEADER on the request (any value a client sent
# is replaced), and Dash copies the request's headers into the job's callback context.
ACTOR_HEADER = "X-Raqqa-Actor"
GATED: dict[str, str] = {}  # callback output id -> the role needed to run it


def gate(output_id: str, role: str) -> None:
    """Require ``role`` of whoever runs the (background) callback writing ``output_id``, before it runs."""
    check_role(role)
    GATED[output_id] = role


def before_callback() -> flask.Response | None:
    """A request's hook: stamp the actor for background jobs; refuse a gated callback to a lesser role."""
    req = flask.request
    req.environ["HTTP_" + ACTOR_HEADER.upper().replace("-", "_")] = who()
    if req.method != "POST" or not req.path.endswith("/_dash-update-component") or not GATED:
        return None
    body = req.get_json(silent=True)
    output = body.get("output") if isinstance(body, dict) else None
    if not isinstance(output, str):
        return None
    for output_id, role in GATED.items():
        if f"{output_id}." in output and not can(role):
            return flask.Response(f"{role} role needed", status=403, mimetype="text/plain")
    return None


def current() -> Account | None:
    """The signed-in account; None when the login is off or nobody is signed in."""
    if not login_on():
        return None
    user = flask_login.current_user
    return user if isinstance(user, Account) else None


def can(role: str) -> bool:
    """May the requester act with ``role``? Always with the login off."""
    check_role(role)
    if not login_on():
        return True
    account = current()
    return account is not None and account.can(role)


def who() -> str:
    """The name changes are recorded under: the signed-in user, or ``local`` with the login off. In a
    background job, the actor the server stamped on the request that started it."""
    if not flask.has_request_context():
        try:
            headers = dash.callback_context.headers or {}
        except dash.exceptions.MissingCallbackContextException:  # neither a request nor a callback: a script
            headers = {}
        actor = {k.lower(): v for k, v in headers.items()}.get(ACTOR_HEADER.lower())
        return actor if isinstance(actor, str) and actor else LOCAL
    account = current()
    return account.name if account else LOCAL


def owns(owner: str | None) -> bool:
    """May the requester change something owned by ``owner``? Its owner (an editor) or an admin may."""
    if not login_on() or can("admin"):
        return True
    account = current()
    return account is not None and account.can("editor") and owner == account.name


def record(action: str, target: str, detail: str = "") -> None:
    audit_log().record(who(), action, target, detail)
