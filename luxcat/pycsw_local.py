"""A real pycsw 2.6.2 CSW server on 127.0.0.1, run from its own venv, for `luxcat demo` and the tests.

pycsw 2.6.2 pins OWSLib<0.29 and SQLAlchemy<2, so it cannot share luxcat's venv: `ensure_venv` builds a
separate one once, and `LocalPycsw` drives it only through subprocesses (`pycsw-admin.py`, a small
wsgiref script) and HTTP, never by importing pycsw here.

Facts this module relies on (checked against pycsw 2.6.2):
- pycsw re-reads its INI file on every request, so `set_transactions`/`set_maxrecords` need no restart;
- `maxrecords` caps the page size whatever the client asks;
- `load_records` indexes `gmi:MI_Metadata` files like `gmd:MD_Metadata` ones (typename `gmd:MD_Metadata`)
  and `GetRecords`/`GetRecordById` with `outputSchema=gmd` and `elementSetName=full` return the stored
  XML verbatim, so an MI record comes back with its `gmi:MI_Metadata` root; `brief`/`summary` rebuild a
  lossy `gmd:MD_Metadata` from the index columns instead;
- `pycsw-admin.py load_records` logs and skips files it cannot load, so `load` checks its log.
"""

from __future__ import annotations

import atexit
import configparser
import contextlib
import fcntl
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import TracebackType

from lxml import etree

PYCSW_REQUIREMENTS: tuple[str, ...] = ("pycsw==2.6.2", "SQLAlchemy<2", "setuptools<82")
REPO_ROOT = Path(__file__).resolve().parents[1]
_MARKER = ".luxcat-pycsw-requirements"
_CSW = "http://www.opengis.net/cat/csw/2.0.2"
_OWS = "http://www.opengis.net/ows"

_SERVE_SCRIPT = '''\
"""Serve pycsw.wsgi.application on 127.0.0.1 only (pycsw's own wsgi.py binds every interface)."""
import os
import sys
import threading
import time
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIServer, make_server

os.environ["PYCSW_CONFIG"] = sys.argv[1]
from pycsw.wsgi import application  # noqa: E402

PARENT = int(sys.argv[4])


def exit_with_parent():
    """If luxcat/pytest is killed (no atexit), do not outlive it."""
    while os.getppid() == PARENT:
        time.sleep(0.5)
    os._exit(0)


threading.Thread(target=exit_with_parent, daemon=True).start()


class Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


httpd = make_server("127.0.0.1", int(sys.argv[2]), application, server_class=Server)
tmp = sys.argv[3] + ".tmp"
with open(tmp, "w") as fh:
    fh.write(str(httpd.server_port))
os.replace(tmp, sys.argv[3])
print("pycsw listening on 127.0.0.1:%d" % httpd.server_port, flush=True)
httpd.serve_forever()
'''


class PycswError(RuntimeError):
    """The local pycsw could not be built, started, loaded or refused a transaction."""


def default_venv_path() -> Path:
    """Where the pycsw venv lives: `$LUXCAT_PYCSW_VENV`, else `<repo>/.venv-pycsw` (git-ignored)."""
    env = os.environ.get("LUXCAT_PYCSW_VENV")
    return Path(env).expanduser() if env else REPO_ROOT / ".venv-pycsw"


def ensure_venv(path: Path | None = None) -> Path:
    """Build (once; a marker file records the pinned requirements) the pycsw venv and return its python."""
    return build_venv(
        (path or default_venv_path()).absolute(),
        PYCSW_REQUIREMENTS,
        marker=_MARKER,
        check=["-W", "ignore", "-c", "import pycsw.wsgi, pycsw.core.admin"],
        what="pycsw venv",
        duration="about a minute",
        constraints=REPO_ROOT / "requirements-pycsw.lock",
    )


def build_venv(
    venv: Path,
    requirements: tuple[str, ...],
    *,
    marker: str,
    check: list[str],
    what: str,
    duration: str,
    constraints: Path | None = None,
) -> Path:
    """A venv of a server luxcat cannot share its own with (pycsw, udata): built once, under a file lock.

    `constraints` (a pip freeze kept in the repository) pins every transitive dependency, so a fresh
    machine builds the venv the tests were run with. The `marker` file records the requirements it was
    completed for, and `<marker>.constraints` the constraints' digest; `check` (python arguments) must
    run in it before it counts as ready. Returns its python.
    """
    python = venv / "bin" / "python"
    wanted = " ".join(requirements)
    pinned = f"{constraints.name} {hashlib.sha256(constraints.read_bytes()).hexdigest()}" if constraints else ""
    pin_marker = venv / f"{marker}.constraints"

    def ready() -> bool:
        return _venv_ready(venv, wanted, marker) and (
            not pinned or (pin_marker.exists() and pin_marker.read_text().strip() == pinned)
        )

    if ready():
        return python
    venv.parent.mkdir(parents=True, exist_ok=True)
    with _file_lock(venv.parent / f".{venv.name}.lock"):
        if ready():  # another process built it while we waited
            return python
        _say(f"building the {what} at {venv} ({wanted}); this takes {duration}, once")
        (venv / marker).unlink(missing_ok=True)
        if not python.exists():
            _run_logged([sys.executable, "-m", "venv", str(venv)], "python -m venv")
        pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "--no-input"]
        pins = ["-c", str(constraints)] if constraints is not None else []
        _run_logged([*pip, *pins, *requirements], "pip install")
        _run_logged([str(python), *check], "import check")
        (venv / marker).write_text(wanted + "\n")
        pin_marker.write_text(pinned + "\n")
        _say(f"{what} ready: {python}")
    return python


def _venv_ready(venv: Path, wanted: str, marker: str = _MARKER) -> bool:
    """True when the venv exists and was completed for exactly these requirements."""
    done = venv / marker
    return (venv / "bin" / "python").exists() and done.exists() and done.read_text().strip() == wanted


def stop_process(proc: subprocess.Popen[str] | subprocess.Popen[bytes]) -> None:
    """Terminate a local server process; kill it when it does not go within 5 s."""
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """Serialise venv builds between processes (two pytest sessions, demo + tests)."""
    with path.open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _say(message: str) -> None:
    """Progress for humans on stderr (the CLI and pytest -s show it)."""
    print(f"luxcat: {message}", file=sys.stderr, flush=True)


def _run_logged(cmd: list[str], what: str) -> None:
    """Run a build step, echo its progress lines to stderr, raise with the output tail on failure."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    tail: list[str] = []
    for line in proc.stdout:
        tail = [*tail[-40:], line.rstrip()]
        if line.startswith(("Collecting", "Successfully", "ERROR")):
            _say(f"  {line.rstrip()}")
    if proc.wait() != 0:
        raise PycswError(f"{what} failed (exit {proc.returncode}):\n" + "\n".join(tail))


_RUNNING: set[LocalPycsw] = set()  # strong refs: a dropped, unstopped server is still stopped at exit


@atexit.register
def _stop_all() -> None:
    """Never leave a pycsw process behind when the interpreter exits."""
    for server in list(_RUNNING):
        server.stop()


class LocalPycsw:
    """One pycsw 2.6.2 process on 127.0.0.1 with its own sqlite repository and config in `workdir`."""

    def __init__(
        self,
        workdir: Path,
        records: Iterable[Path] = (),
        *,
        port: int = 0,
        maxrecords: int = 10,
        title: str = "luxcat local pycsw",
        transactions: bool = False,
        python: Path | None = None,
        startup_timeout: float = 60.0,
    ) -> None:
        self.workdir = Path(workdir).absolute()
        self.records = [Path(p) for p in records]
        self.title = title
        self.python = python
        self.startup_timeout = startup_timeout
        self._initial_maxrecords = maxrecords
        self._initial_transactions = transactions
        self._maxrecords = maxrecords
        self._transactions = transactions
        self._requested_port = port
        self._port = port
        self._proc: subprocess.Popen[bytes] | None = None
        self._loads = 0
        self._started_at = 0.0

    # -- paths -------------------------------------------------------------------------------------
    @property
    def config_path(self) -> Path:
        """pycsw's INI file (re-read by pycsw on every request)."""
        return self.workdir / "pycsw.cfg"

    @property
    def db_path(self) -> Path:
        """The sqlite repository pycsw serves."""
        return self.workdir / "records.db"

    @property
    def log_path(self) -> Path:
        """Server stdout + stderr (pycsw's own log is pycsw.log beside it)."""
        return self.workdir / "server.log"

    @property
    def url(self) -> str:
        """The CSW endpoint (GET KVP and POST XML both go here)."""
        if self._proc is None:
            raise PycswError("pycsw is not running: call start() first")
        return f"http://127.0.0.1:{self._port}/csw"

    @property
    def pid(self) -> int | None:
        """Process id of the running server, None when stopped."""
        return self._proc.pid if self._proc is not None else None

    # -- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> LocalPycsw:
        """Write the config, create and load a fresh repository, spawn the server, wait until it answers."""
        if self._proc is not None:
            return self
        self.python = self.python or ensure_venv()
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.db_path.unlink(missing_ok=True)
        self._port = self._requested_port
        self._write_config()
        self._launch()  # the server imports pycsw while the repository is being built
        try:
            self._admin("setup_db")
            if self.records:
                self.load(self.records)
            shutil.copyfile(self.db_path, self.workdir / "records.snapshot.db")
            self._wait_ready()
        except Exception:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Terminate the server process (idempotent)."""
        proc, self._proc = self._proc, None
        _RUNNING.discard(self)
        if proc is not None:
            stop_process(proc)

    def __enter__(self) -> LocalPycsw:
        """Start on entry, so `with LocalPycsw(...) as csw:` is all a caller writes."""
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Stop whatever happened inside the block."""
        self.stop()

    def _launch(self) -> None:
        """Start the wsgiref script (it binds 127.0.0.1 and writes its port to a file)."""
        script = self.workdir / "serve_pycsw.py"
        script.write_text(_SERVE_SCRIPT)
        port_file = self.workdir / "server.port"
        port_file.unlink(missing_ok=True)
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
        env["PYTHONWARNINGS"] = "ignore"
        with self.log_path.open("ab") as log:
            self._proc = subprocess.Popen(
                [
                    str(self.python),
                    str(script),
                    str(self.config_path),
                    str(self._port),
                    str(port_file),
                    str(os.getpid()),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=self.workdir,
                env=env,
            )
        _RUNNING.add(self)
        self._started_at = time.monotonic()

    def _wait_ready(self) -> None:
        """Learn the port, point the config's server url at it, wait until GetCapabilities answers."""
        port_file = self.workdir / "server.port"
        deadline = self._started_at + self.startup_timeout
        while not port_file.exists():
            self._check_alive(deadline, "bind a port")
            time.sleep(0.05)
        self._port = int(port_file.read_text())
        self._write_config()
        while not self._answers_capabilities():
            self._check_alive(deadline, "answer GetCapabilities")
            time.sleep(0.1)

    def _check_alive(self, deadline: float, step: str) -> None:
        """Fail fast, with the log tail, if the server died or is too slow."""
        assert self._proc is not None
        if self._proc.poll() is not None:
            code = self._proc.returncode
            self.stop()
            raise PycswError(f"pycsw exited with {code} before it could {step}; log:\n{self.log_tail()}")
        if time.monotonic() > deadline:
            self.stop()
            raise PycswError(f"pycsw did not {step} within {self.startup_timeout:.0f}s; log:\n{self.log_tail()}")

    def _answers_capabilities(self) -> bool:
        """Readiness probe: the server is up and pycsw can read its config and repository."""
        url = f"http://127.0.0.1:{self._port}/csw?service=CSW&version=2.0.2&request=GetCapabilities"
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                return resp.status == 200 and b"Capabilities" in resp.read()
        except (urllib.error.URLError, OSError):
            return False

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of the server log, for error messages."""
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    # -- configuration -----------------------------------------------------------------------------
    def set_transactions(self, enabled: bool) -> None:
        """Allow or refuse CSW-T from 127.0.0.1; pycsw reads this on the next request."""
        self._transactions = enabled
        self._write_config()

    def set_maxrecords(self, n: int) -> None:
        """Cap the page size the server returns, whatever the client asks for."""
        self._maxrecords = n
        self._write_config()

    def _write_config(self) -> None:
        """Write the INI atomically, so a request never reads half a file."""
        cfg = configparser.ConfigParser(interpolation=None)
        cfg["server"] = {
            "home": str(self.workdir),
            "url": f"http://127.0.0.1:{self._port}/csw",
            "mimetype": "application/xml; charset=UTF-8",
            "encoding": "UTF-8",
            "language": "en-US",
            "maxrecords": str(self._maxrecords),
            "loglevel": "WARNING",
            "logfile": str(self.workdir / "pycsw.log"),
            "pretty_print": "true",
            "profiles": "apiso",
        }
        cfg["manager"] = {
            "transactions": "true" if self._transactions else "false",
            "allowed_ips": "127.0.0.1",
        }
        cfg["metadata:main"] = _identification(self.title)
        cfg["metadata:inspire"] = {"enabled": "false"}
        cfg["repository"] = {"database": f"sqlite:///{self.db_path}", "table": "records"}
        tmp = self.config_path.with_suffix(".tmp")
        with tmp.open("w") as fh:
            cfg.write(fh)
        os.replace(tmp, self.config_path)

    # -- repository --------------------------------------------------------------------------------
    def load(self, paths: Iterable[Path]) -> None:
        """Load (insert or replace) ISO files or folders of *.xml through pycsw's own repository loader."""
        self._loads += 1
        staging = self.workdir / f"load-{self._loads}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        files = _xml_files(paths)
        if not files:
            raise PycswError(f"no *.xml records in {[str(p) for p in paths]}")
        for i, src in enumerate(files):
            (staging / f"{i:03d}_{src.name}").symlink_to(src.resolve())
        out = self._admin("load_records", "-p", str(staging), "-y")
        errors = [line for line in out.splitlines() if line.startswith(("ERROR", "CRITICAL"))]
        if errors:
            raise PycswError("pycsw-admin load_records skipped records:\n" + "\n".join(errors))

    def reset(self) -> None:
        """Restore the records loaded by start() and the constructor's maxrecords/transactions (cheap)."""
        with contextlib.closing(sqlite3.connect(self.workdir / "records.snapshot.db")) as src:
            with contextlib.closing(sqlite3.connect(self.db_path)) as dst:
                src.backup(dst)
        self._maxrecords = self._initial_maxrecords
        self._transactions = self._initial_transactions
        self._write_config()

    def identifiers(self) -> dict[str, str]:
        """fileIdentifier -> indexed modification date (`apiso:Modified`, i.e. gmd:dateStamp)."""
        with contextlib.closing(sqlite3.connect(self.db_path)) as db:
            rows = db.execute("SELECT identifier, date_modified FROM records").fetchall()
        return {ident: modified for ident, modified in rows}

    def _admin(self, command: str, *args: str) -> str:
        """Run pycsw-admin.py with our config; return its output, raise with it on failure."""
        assert self.python is not None
        admin = Path(self.python).parent / "pycsw-admin.py"
        cmd = [str(self.python), "-W", "ignore", str(admin), "-c", command, "-f", str(self.config_path)]
        proc = subprocess.run([*cmd, "-l", "ERROR", *args], capture_output=True, text=True, check=False)
        output = proc.stdout + proc.stderr
        if proc.returncode != 0:
            raise PycswError(f"pycsw-admin {command} failed (exit {proc.returncode}):\n{output[-4000:]}")
        return output

    # -- CSW-T ---------------------------------------------------------------------------------------
    def insert(self, xml: bytes) -> None:
        """Insert one ISO record through CSW-T (transactions must be enabled)."""
        self._transaction(f"<csw:Insert>{_record_text(xml)}</csw:Insert>", "totalInserted")

    def update(self, xml: bytes) -> None:
        """Replace the record with the same fileIdentifier through CSW-T."""
        self._transaction(f"<csw:Update>{_record_text(xml)}</csw:Update>", "totalUpdated")

    def delete(self, identifier: str) -> None:
        """Delete the record with this fileIdentifier through CSW-T."""
        literal = _xml_escape(identifier)
        self._transaction(
            '<csw:Delete typeName="csw:Record"><csw:Constraint version="1.1.0"><ogc:Filter>'
            "<ogc:PropertyIsEqualTo><ogc:PropertyName>apiso:Identifier</ogc:PropertyName>"
            f"<ogc:Literal>{literal}</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter></csw:Constraint>"
            "</csw:Delete>",
            "totalDeleted",
        )

    def _transaction(self, action: str, counter: str) -> None:
        """POST a CSW 2.0.2 Transaction and raise unless pycsw reports it changed exactly one record."""
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<csw:Transaction xmlns:csw="{_CSW}" xmlns:ogc="http://www.opengis.net/ogc" '
            f'service="CSW" version="2.0.2">{action}</csw:Transaction>'
        ).encode()
        req = urllib.request.Request(self.url, data=body, headers={"Content-Type": "application/xml"})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                payload = resp.read()
        except urllib.error.HTTPError as exc:
            payload = exc.read()
        root = etree.fromstring(payload)
        texts = root.xpath("//ows:ExceptionText/text()", namespaces={"ows": _OWS})
        if etree.QName(root).localname == "ExceptionReport":
            reason = " ".join(texts) or payload.decode(errors="replace")
            raise PycswError(f"CSW-T {counter} refused: {_shorten(reason)}")
        found = root.xpath(f"string(//csw:TransactionSummary/csw:{counter})", namespaces={"csw": _CSW})
        if found.strip() != "1":
            raise PycswError(f"CSW-T changed {found or 0} records ({counter}), expected 1")


def _identification(title: str) -> dict[str, str]:
    """The [metadata:main] keys pycsw's GetCapabilities needs."""
    keys = (
        "provider_name contact_name contact_position contact_address contact_city "
        "contact_stateorprovince contact_postalcode contact_country contact_phone contact_fax "
        "contact_hours contact_instructions"
    ).split()
    section = {key: "luxcat" for key in keys}
    section.update(
        identification_title=title,
        identification_abstract="Local pycsw started by luxcat for its demo and tests",
        identification_keywords="luxcat,demo",
        identification_keywords_type="theme",
        identification_fees="None",
        identification_accessconstraints="None",
        provider_url="http://127.0.0.1/",
        contact_email="luxcat@example.org",
        contact_url="http://127.0.0.1/",
        contact_role="pointOfContact",
    )
    return section


def _xml_files(paths: Iterable[Path]) -> list[Path]:
    """Expand folders to their *.xml files (sorted, not recursive); keep files as given."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(sorted(path.glob("*.xml")))
        elif path.is_file():
            files.append(path)
        else:
            raise PycswError(f"no such record file or folder: {path}")
    return files


def _record_text(xml: bytes) -> str:
    """The record element as text without its XML declaration, ready to embed in a Transaction."""
    try:
        root = etree.fromstring(xml)
    except etree.XMLSyntaxError as exc:
        raise PycswError(f"record is not well-formed XML: {exc}") from exc
    return etree.tostring(root, encoding="unicode")


def _shorten(text: str, limit: int = 600) -> str:
    """Keep error messages readable (pycsw puts whole SQL statements in its exceptions)."""
    return text if len(text) <= limit else text[:limit] + f"... ({len(text) - limit} more characters)"


def _xml_escape(text: str) -> str:
    """Escape an identifier for an ogc:Literal."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
