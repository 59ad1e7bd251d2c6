"""Launcher run by the udata venv's python: the real udata 17 app on 127.0.0.1, MongoDB swapped for mongomock.

It is a script, not a luxcat module: it imports udata (only installed in `.venv-udata`) and nothing from
luxcat. `luxcat.udata_local.LocalUdata` starts it as
`<udata venv>/bin/python luxcat/udata_app.py STATE_FILE PARENT_PID` and reads STATE_FILE (JSON: port,
organisation ids, API tokens) once it exists.

The only change to udata is the database driver: mongoengine's connection is registered with
`mongo_client_class=mongomock.MongoClient` (through `MONGODB_SETTINGS`, which udata's flask_mongoengine
passes to `mongoengine.connect`). Celery tasks run eagerly, mail is not sent, search is off
(`ELASTICSEARCH_URL` unset, no auto-indexing), sockets may only reach 127.0.0.1. Everything the API does
(validation, permissions, licences, tags, contact points, resources, API tokens, the DCAT export) is
udata's own code.

Seeded: data.public.lu's licence ids with their canonical URLs, the organisation STATEC (certified +
public service, so udata's HVD badge job applies to it) with a member holding an API token, a non-member
with a token, and a second organisation (Géoportail) the member does not belong to.

`/_luxcat/*` endpoints exist for the tests only (reset the data, revoke or issue a token, run udata's HVD
badge job); they are not part of udata and luxcat never calls them.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import threading
import time

import mongomock

STATEC = "56f3c3390d6ceb1b0b4030e8"  # STATEC's organisation id on data.public.lu
GEOPORTAIL = "585b9f70111e9b70fda95c09"

# data.public.lu's licence ids with the licences' canonical URLs (url first, then alternate_urls).
LICENCES = [
    ("cc-zero", "Creative Commons CCZero", ["http://creativecommons.org/publicdomain/zero/1.0/",
                                             "https://creativecommons.org/publicdomain/zero/1.0/"]),
    ("cc-by", "Creative Commons Attribution", ["http://creativecommons.org/licenses/by/4.0/",
                                                "https://creativecommons.org/licenses/by/4.0/"]),
    ("cc-by-sa", "Creative Commons Attribution Share-Alike", ["http://creativecommons.org/licenses/by-sa/4.0/",
                                                             "https://creativecommons.org/licenses/by-sa/4.0/"]),
    ("odc-pddl", "Open Data Commons Public Domain Dedication and Licence (PDDL)",
     ["http://opendatacommons.org/licenses/pddl/1.0/", "https://opendatacommons.org/licenses/pddl/1-0/"]),
    ("odc-by", "Open Data Commons Attribution License", ["http://opendatacommons.org/licenses/by/1.0/",
                                                         "https://opendatacommons.org/licenses/by/1-0/"]),
    ("odc-odbl", "Open Data Commons Open Database License (ODbL)",
     ["http://opendatacommons.org/licenses/odbl/1.0/", "https://opendatacommons.org/licenses/odbl/1-0/"]),
    ("other-pd", "Other (Public Domain)", []),
    ("other-at", "Other (Attribution)", []),
    ("other-open", "Other (Open)", []),
    ("notspecified", "License Not Specified", []),
]  # fmt: skip

# Country zones (udata GeoZone ids `country:xx`): the EU member states, as on a European udata portal.
EU_COUNTRIES = {
    "at": "Austria", "be": "Belgium", "bg": "Bulgaria", "hr": "Croatia", "cy": "Cyprus", "cz": "Czechia",
    "dk": "Denmark", "ee": "Estonia", "fi": "Finland", "fr": "France", "de": "Germany", "gr": "Greece",
    "hu": "Hungary", "ie": "Ireland", "it": "Italy", "lv": "Latvia", "lt": "Lithuania", "lu": "Luxembourg",
    "mt": "Malta", "nl": "Netherlands", "pl": "Poland", "pt": "Portugal", "ro": "Romania", "sk": "Slovakia",
    "si": "Slovenia", "es": "Spain", "se": "Sweden",
}  # fmt: skip


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (SERVER_NAME must name it before the app exists)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def build_app(port: int):  # noqa: ANN201 - udata types are not importable in luxcat's venv
    """udata's standalone app with test-grade settings and mongomock as the MongoDB client."""
    from udata.app import create_app, standalone
    from udata.settings import Testing

    class Settings(Testing):
        SERVER_NAME = f"127.0.0.1:{port}"
        MONGODB_HOST = "mongodb://localhost:27017/udata"
        MONGODB_SETTINGS = {"host": "mongodb://localhost:27017/udata", "mongo_client_class": mongomock.MongoClient}
        ELASTICSEARCH_URL = None  # search off: listings come from MongoDB (mongomock)
        AUTO_INDEX = False
        CELERY_TASK_ALWAYS_EAGER = True
        CELERY_TASK_EAGER_PROPAGATES = False
        URLS_ALLOW_LOCAL = True
        URLS_ALLOW_PRIVATE = True
        SECRET_KEY = "luxcat-local-udata"
        SECURITY_PASSWORD_SALT = "luxcat-local-udata"
        PROPAGATE_EXCEPTIONS = False

    return standalone(create_app(override=Settings))


def seed(app) -> dict:  # noqa: ANN001, ANN201
    """Licences, organisations, users and tokens; returns what the tests need to know."""
    from udata.core.api_token.models import ApiToken
    from udata.core.dataset.models import License
    from udata.core.organization.constants import CERTIFIED, PUBLIC_SERVICE
    from udata.core.organization.models import Member, Organization
    from udata.core.spatial.models import GeoLevel, GeoZone
    from udata.core.user.models import User

    with app.app_context():
        GeoLevel(id="country", name="Country", admin_level=10).save()
        for code, name in EU_COUNTRIES.items():
            GeoZone(id=f"country:{code}", slug=name.lower(), name=name, code=code, level="country").save()
        for lid, title, urls in LICENCES:
            License(id=lid, title=title, url=urls[0] if urls else None, alternate_urls=urls[1:], active=True).save()
        member = User(email="publisher@statec.example.lu", first_name="Luxcat", last_name="Publisher",
                      active=True, confirmed_at=None).save()  # fmt: skip
        outsider = User(email="someone@example.lu", first_name="Some", last_name="One", active=True).save()
        statec = Organization(id=STATEC, name="STATEC", description="Institut national de la statistique",
                              members=[Member(user=member, role="admin")]).save()  # fmt: skip
        statec.add_badge(PUBLIC_SERVICE)
        statec.add_badge(CERTIFIED)
        Organization(id=GEOPORTAIL, name="Géoportail", description="Géoportail national").save()
        _, member_key = ApiToken.generate(member, name="luxcat")
        _, outsider_key = ApiToken.generate(outsider, name="outsider")
        return {
            "organizations": {"statec": STATEC, "geoportail": GEOPORTAIL},
            "member": {"id": str(member.id), "api_key": member_key},
            "outsider": {"id": str(outsider.id), "api_key": outsider_key},
        }


def add_test_endpoints(app, state: dict) -> None:  # noqa: ANN001
    """`/_luxcat/*`: what tests need to set the scene; never part of what luxcat talks to."""
    from flask import jsonify, request
    from udata.core.api_token.models import ApiToken
    from udata.core.contact_point.models import ContactPoint
    from udata.core.dataservices.models import Dataservice
    from udata.core.dataset.models import Dataset
    from udata.core.dataset.tasks import update_dataset_hvd_badge
    from udata.core.user.models import User

    def reset():  # noqa: ANN202
        for model in (Dataservice, Dataset, ContactPoint):
            model.objects.delete()  # type: ignore[attr-defined]
        return jsonify({"ok": True})

    def new_token():  # noqa: ANN202
        user = User.objects.get(id=(request.get_json() or {}).get("user") or state["member"]["id"])
        _, plaintext = ApiToken.generate(user, name="luxcat")
        return jsonify({"api_key": plaintext})

    def revoke():  # noqa: ANN202
        from datetime import UTC, datetime

        token, _ = ApiToken.authenticate((request.get_json() or {})["api_key"])
        if token is not None:
            token.revoked_at = datetime.now(UTC)
            token.save()
        return jsonify({"revoked": token is not None})

    def hvd_badges():  # noqa: ANN202
        update_dataset_hvd_badge()
        return jsonify({"hvd": [str(d.id) for d in Dataset.objects(badges__kind="hvd")]})

    for name, view in (("reset", reset), ("token", new_token), ("revoke", revoke), ("hvd-badges", hvd_badges)):
        app.add_url_rule(f"/_luxcat/{name}", f"luxcat_{name}", view, methods=["POST"])
    app.csrf_exempt = True


def refuse_internet() -> None:
    """Tests never reach the internet: udata's eager tasks may only connect to this machine."""
    import ipaddress

    real = socket.socket.connect

    def connect(self, address):  # noqa: ANN001, ANN202
        host = address[0] if isinstance(address, tuple) else ""
        try:
            local = not host or host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            local = False
        if self.family in (socket.AF_INET, socket.AF_INET6) and not local:
            raise ConnectionRefusedError(f"local udata: no connection to {host} (tests stay on 127.0.0.1)")
        return real(self, address)

    socket.socket.connect = connect  # type: ignore[method-assign]


def exit_with_parent(parent: int) -> None:
    """If pytest/luxcat is killed (no atexit), do not outlive it."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def main() -> None:
    """Build, seed, announce (state file), serve until the parent goes away."""
    from werkzeug.serving import make_server

    state_file, parent = sys.argv[1], int(sys.argv[2])
    threading.Thread(target=exit_with_parent, args=(parent,), daemon=True).start()
    refuse_internet()
    port = free_port()
    app = build_app(port)
    state = seed(app)
    add_test_endpoints(app, state)
    from udata.app import csrf

    for name in ("luxcat_reset", "luxcat_token", "luxcat_revoke", "luxcat_hvd-badges"):
        csrf.exempt(app.view_functions[name])
    server = make_server("127.0.0.1", port, app, threaded=False)
    state["port"] = port
    tmp = state_file + ".tmp"
    with open(tmp, "w") as fh:
        json.dump(state, fh)
    os.replace(tmp, state_file)
    print(f"udata listening on 127.0.0.1:{port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
