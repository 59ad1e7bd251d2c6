"""Session fixtures for real local servers (pycsw, faulty proxy, PostgreSQL, moto S3) and the network guard.

Every server starts lazily, the first time a test asks for it, and once per session; nothing here runs
for a test that needs none of them. Helpers live in tests/servers/.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # `tests.servers` imports the same whether tests/ is a package or not
    sys.path.insert(0, str(REPO_ROOT))

from luxcat.pycsw_local import LocalPycsw, ensure_venv  # noqa: E402
from luxcat.udata_local import LocalUdata  # noqa: E402
from tests.servers.faulty_proxy import FaultyProxy  # noqa: E402
from tests.servers.netguard import blocked_network  # noqa: E402
from tests.servers.postgres import PostgresUnavailable, TempPostgres  # noqa: E402
from tests.servers.records import DEMO_RECORDS  # noqa: E402
from tests.udata.real_udata import RealUdata  # noqa: E402

PYCSW_MAXRECORDS = 10  # pycsw's own default cap: the 25 demo records take 3 pages whatever a client asks


@pytest.fixture(autouse=True)
def _root_logging_restored() -> Iterator[None]:
    """Each test leaves the root logger as it found it.

    Importing Airflow inside a test configures logging for the whole process: a console handler on
    the stream pytest was capturing for that test, closed once the test ends; a later test whose
    code logs then prints "--- Logging error ---" and a traceback (seen with tests/config before
    tests/hardening/test_http_bounds.py).
    """
    import logging

    root = logging.getLogger()
    before, level = set(root.handlers), root.level
    yield
    for handler in list(root.handlers):  # pytest's own per-phase capture handlers come and go themselves
        if handler not in before and not type(handler).__module__.startswith("_pytest"):
            root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture(autouse=True)
def _no_internet(request: pytest.FixtureRequest) -> Iterator[None]:
    """Refuse non-loopback connections and name lookups in every test except @pytest.mark.live ones."""
    if request.node.get_closest_marker("live"):
        yield
        return
    with blocked_network():
        yield


@pytest.fixture(scope="session")
def pycsw_python() -> Path:
    """Python of the separate pycsw 2.6.2 venv (built on first use, ~1 min; see luxcat.pycsw_local)."""
    return ensure_venv()


@pytest.fixture(scope="session")
def pycsw_server(tmp_path_factory: pytest.TempPathFactory, pycsw_python: Path) -> Iterator[LocalPycsw]:
    """READ-ONLY real pycsw 2.6.2 loaded with config/demo/iso19139 (25 records), shared by the session.

    `pycsw_server.url` is the CSW 2.0.2 endpoint; page size is capped at 10 (PYCSW_MAXRECORDS);
    transactions are disabled. Never change its data or config: use `mutable_pycsw` for that.
    """
    server = LocalPycsw(
        tmp_path_factory.mktemp("pycsw-ro"),
        [DEMO_RECORDS],
        maxrecords=PYCSW_MAXRECORDS,
        title="luxcat test pycsw (read-only)",
        python=pycsw_python,
    )
    with server:
        yield server


@pytest.fixture(scope="session")
def _mutable_pycsw_server(tmp_path_factory: pytest.TempPathFactory, pycsw_python: Path) -> Iterator[LocalPycsw]:
    """The one process behind `mutable_pycsw` (started once; reset before each test)."""
    server = LocalPycsw(
        tmp_path_factory.mktemp("pycsw-rw"),
        [DEMO_RECORDS],
        maxrecords=PYCSW_MAXRECORDS,
        transactions=True,
        title="luxcat test pycsw (mutable)",
        python=pycsw_python,
    )
    with server:
        yield server


@pytest.fixture
def mutable_pycsw(_mutable_pycsw_server: LocalPycsw) -> LocalPycsw:
    """A real pycsw this test may change freely: same 25 demo records, CSW-T enabled, maxrecords 10.

    A second session-scoped process (not `pycsw_server`), restored before each test in milliseconds by
    `LocalPycsw.reset()` (sqlite backup of the post-load snapshot + original config). Change it with
    `.insert(xml)`, `.update(xml)`, `.delete(identifier)` (CSW-T), `.load([paths])` (pycsw's repository
    loader), `.set_maxrecords(n)`, `.set_transactions(False)`; read it back with `.identifiers()`.
    Tests using it must not run concurrently with each other (no xdist on this fixture).
    """
    _mutable_pycsw_server.reset()
    return _mutable_pycsw_server


@pytest.fixture
def faulty_proxy(pycsw_server: LocalPycsw) -> Iterator[FaultyProxy]:
    """A fresh fault-injecting proxy in front of the read-only `pycsw_server` (no rules, empty log).

    Point the harvester at `faulty_proxy.url`, program faults with `.fail(500, when=Match.csw("GetRecords",
    start_position=11))`, `.hang(seconds)`, `.throttle(retry_after)`, `.respond(body)`, `.drop()`,
    `.transform(fn)` (each with `times=N` to fail N times then pass), inspect `.log`. For another
    upstream (e.g. `mutable_pycsw`), use `FaultyProxy(url)` as a context manager.
    """
    with FaultyProxy(pycsw_server.url) as proxy:
        yield proxy


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """SQLAlchemy URL (postgresql+psycopg2) of an empty database on a throwaway real PostgreSQL server.

    initdb + pg_ctl on a free 127.0.0.1 port, as the `postgres` user when running as root; deleted at
    session end. Skips (reason shown by `-ra`) when the binaries, psycopg2 or the server itself are missing.
    Tests share the database: create uniquely named tables/schemas or clean up after themselves.
    """
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        pytest.skip("PostgreSQL tests need psycopg2 (pip install psycopg2-binary)")
    try:
        server = TempPostgres().start()
    except PostgresUnavailable as exc:
        pytest.skip(f"PostgreSQL unavailable: {exc}")
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """Endpoint URL (http://127.0.0.1:<port>) of moto's S3-compatible server, running in a thread.

    Dummy AWS credentials and region (us-east-1) are set in the environment for the whole session and
    ~/.aws is ignored; pass `endpoint_url=s3_endpoint` to boto3. State is shared by the session: use
    unique bucket names (or POST `<endpoint>/moto-api/reset`).
    """
    from moto.server import ThreadedMotoServer

    env = pytest.MonkeyPatch()
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(REPO_ROOT / "nonexistent-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(REPO_ROOT / "nonexistent-aws-credentials"),
    }.items():
        env.setenv(name, value)
    env.delenv("AWS_PROFILE", raising=False)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()
        env.undo()


@pytest.fixture(scope="session")
def udata_server() -> Iterator[LocalUdata]:
    """One real udata per test session (starting it takes a few seconds)."""
    with LocalUdata() as server:
        yield server


@pytest.fixture(scope="session")
def _udata_proxy(udata_server: LocalUdata) -> Iterator[FaultyProxy]:
    with FaultyProxy(udata_server.url, rewrite_links=True) as proxy:
        yield proxy


@pytest.fixture
def udata(udata_server: LocalUdata, _udata_proxy: FaultyProxy, monkeypatch: pytest.MonkeyPatch) -> RealUdata:
    """The real udata, emptied: organisations STATEC and Géoportail; the key's user is a member of STATEC only."""
    real = RealUdata(udata_server, _udata_proxy)
    real.reset()
    monkeypatch.setenv("UDATA_API_KEY", real.member_key)
    return real
