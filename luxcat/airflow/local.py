"""`scripts/airflow`: a local Airflow for a laptop, with the demo source ready to run.

Everything lives under the working folder (LUXCAT_HOME, default var/): AIRFLOW_HOME is var/airflow
(SQLite metadata DB, logs, generated password), LocalExecutor with low parallelism, examples off.
Before `airflow standalone` starts, the metadata DB is migrated, the pools are created and the login
is printed; the demo pycsw (config/demo records on 127.0.0.1:8765, what demo-csw.yaml points at)
runs alongside, so `harvest__demo-csw` can be triggered from the UI at once. Ctrl-C stops it all.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
USER = "admin"


def airflow_env(home: Path, port: int) -> dict[str, str]:
    """The settings of the local Airflow (each can be overridden from the calling environment)."""
    defaults = {
        "AIRFLOW_HOME": str(home / "airflow"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),  # the luxcat view, reports, task buttons
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": "4",  # default 32 worker processes (~1.4 GB) is too much for a laptop
        "AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG": "2",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",  # the demo DAG is ready to trigger
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{USER}:admin",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",  # where tasks report
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__WORKERS__EXECUTION_API_TIMEOUT": "30",  # the API's first answer takes ~10 s on a small machine
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "60",
        "LUXCAT_HOME": str(home),
        "LUXCAT_SOURCES": str(REPO / "config" / "sources"),
    }
    return {**defaults, **{k: v for k, v in os.environ.items() if k in defaults}}


def ensure_password(airflow_home: Path) -> str:
    """The admin password: kept in the file Airflow's simple auth manager reads, generated once."""
    path = airflow_home / "simple_auth_manager_passwords.json.generated"
    passwords: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    if USER not in passwords:
        passwords[USER] = secrets.token_urlsafe(12)
        airflow_home.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(passwords))
        path.chmod(0o600)
    return passwords[USER]


def _airflow(args: list[str], env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-m", "airflow", *args], env=env, check=True)


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    """Prepare var/airflow, print the login, run pycsw and `airflow standalone` until Ctrl-C."""
    parser = argparse.ArgumentParser(prog="scripts/airflow", description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("AIRFLOW_PORT", "8080")))
    parser.add_argument("--no-pycsw", action="store_true", help="do not start the demo pycsw")
    parser.add_argument("--setup-only", action="store_true", help="migrate, create pools, print the login; exit")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops pycsw and standalone as Ctrl-C does

    home = Path(os.environ.get("LUXCAT_HOME", REPO / "var")).resolve()
    env = {**os.environ, **airflow_env(home, args.port)}
    # standalone starts its components as `airflow ...` from PATH: make it this venv's
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    airflow_home = Path(env["AIRFLOW_HOME"])
    print(f"airflow: AIRFLOW_HOME={airflow_home} (SQLite, LocalExecutor, parallelism 4)", file=sys.stderr)
    _airflow(["db", "migrate"], env)
    subprocess.run([sys.executable, "-m", "luxcat.airflow.setup", "pools"], env=env, check=True)
    password = ensure_password(airflow_home)
    banner = f"\n  Airflow UI: http://127.0.0.1:{args.port}/   login: {USER} / {password}\n\n"
    print(banner, end="", flush=True)
    if args.setup_only:
        return 0
    if args.no_pycsw:
        return standalone(env, banner)
    from luxcat.demo import DEMO_RECORDS
    from luxcat.pycsw_local import LocalPycsw

    records = sorted(DEMO_RECORDS.glob("*.xml"))
    with LocalPycsw(home / "pycsw", records, port=8765, maxrecords=50) as server:
        print(f"airflow: demo pycsw serving {len(records)} records at {server.url}", file=sys.stderr)
        return standalone(env, banner)


def standalone(env: dict[str, str], banner: str) -> int:
    """Run `airflow standalone`, echoing its output and the login again once it says it is ready.

    It runs in its own process group, so stopping (Ctrl-C or SIGTERM to this launcher) reaches the
    scheduler, dag-processor, api-server, triggerer and their workers too: SIGINT first (a clean
    shutdown), then SIGTERM, then SIGKILL.
    """
    process = subprocess.Popen(
        [sys.executable, "-m", "airflow", "standalone"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    assert process.stdout is not None
    try:
        for raw in process.stdout:
            line = raw.decode("utf-8", "replace")
            sys.stdout.write(line)
            if "Airflow is ready" in line:
                sys.stdout.write(banner)
            sys.stdout.flush()
        return process.wait()
    except KeyboardInterrupt:
        print("airflow: stopping", file=sys.stderr, flush=True)
    finally:
        _stop_group(process)
    return 0


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """Stop every process of standalone's group, politely first."""
    for sig, grace in ((signal.SIGINT, 15), (signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            process.poll()
            try:
                os.killpg(process.pid, 0)  # anyone left in the group?
            except ProcessLookupError:
                return
            time.sleep(0.5)


if __name__ == "__main__":
    sys.exit(main())
