"""`python -m launcher run` starts the whole system; `python -m launcher token` mints a grpcurl token.

run    --data-dir .run   databases, logs and the identity secret live here
       --free-ports      pick free ports instead of the defaults (tests, benchmarks)
       --state-file F    write the chosen URLs and ports to F once everything is ready
       --quiet           keep the processes' logs in the data dir only
       Exits 0 only when every process stopped cleanly (exit 0 within the grace, not killed).
       stdout: JSON log lines (the launcher's own events and the processes'); stderr: the banner
       with the URL and the demo sign-ins, for people.
token  --subject agt_2001 --role agent [--ttl 3600]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

from kit import logs
from kit.identity import Identity, Role, mint_token
from launcher.system import DEFAULT_PORTS, REPO, Layout, Supervisor, free_port, new_secret

log = logs.get_logger("launcher")

DEMO_SIGN_INS = [
    ("customer", "ana@example.com"),
    ("customer", "ben@example.com"),
    ("agent", "sam@example.com"),
    ("agent", "kim@example.com"),
    ("lead", "lee@example.com"),
]
DEMO_PASSWORD = "demo-password"
NO_REDIS_WARNING = (
    "  WARNING: no Redis at REDIS_URL or localhost:6379: sessions and the cache live in the BFF's own\n"
    "           memory, fine for one process on a laptop, wrong for anything more."
)


def redis_answers(host: str = "127.0.0.1", port: int = 6379) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def choose_redis() -> str:
    """REDIS_URL if set; else the Redis answering on localhost:6379; else none (in-process store)."""
    if os.environ.get("REDIS_URL"):
        log.info("redis chosen", source="REDIS_URL")  # the URL itself may carry a password
        return os.environ["REDIS_URL"]
    if redis_answers():
        log.info("redis chosen", source="localhost:6379")
        return "redis://127.0.0.1:6379/0"
    log.warning(
        "no Redis at REDIS_URL or localhost:6379: the BFF keeps sessions and its cache in its own memory,"
        " fine for one process on a laptop, wrong for anything more",
        store="in-process",
    )
    return ""


def identity_secret(data_dir: Path) -> str:
    """ACME_IDENTITY_SECRET if set; else one made for this data dir and kept there (mode 600)."""
    if os.environ.get("ACME_IDENTITY_SECRET"):
        return os.environ["ACME_IDENTITY_SECRET"]
    path = data_dir / "identity-secret"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(new_secret())
    return path.read_text().strip()


def banner(layout: Layout) -> str:
    lines = [
        "",
        f"  The app is running at {layout.bff_url}/",
        "",
        f"  Demo sign-ins (password for all: {DEMO_PASSWORD}):",
        *(f"    {role:<9} {email}" for role, email in DEMO_SIGN_INS),
        "",
        f"  gRPC: support {layout.addr('support')}, refunds {layout.addr('refund')},"
        f" shop {layout.addr('shop')}",
        f"  e.g. .venv/bin/grpcurl -plaintext {layout.addr('support')} list",
        f"  Logs and databases: {layout.data_dir}/   Stop with Ctrl-C.",
        "",
    ]
    if not layout.redis_url:
        lines += [NO_REDIS_WARNING, ""]
    return "\n".join(lines)


async def run(args: argparse.Namespace) -> int:
    """0 when the system ran and every process stopped cleanly; 1 otherwise."""
    data_dir = Path(args.data_dir).resolve()
    ports = {name: free_port() for name in DEFAULT_PORTS} if args.free_ports else dict(DEFAULT_PORTS)
    layout = Layout(
        data_dir=data_dir,
        ports=ports,
        redis_url=choose_redis(),
        identity_secret=identity_secret(data_dir),
    )
    supervisor = Supervisor(layout, tee=not args.quiet)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    started = False
    try:
        await supervisor.start()
        if not args.no_seed:
            from launcher.demo import seed_demo

            await seed_demo(layout)
        if args.state_file:
            Path(args.state_file).write_text(layout.to_json())
        log.info("system ready", url=f"{layout.bff_url}/", data_dir=str(data_dir))
        print(banner(layout), file=sys.stderr, flush=True)
        started = True
        await supervisor.watch(stop)
    except RuntimeError as exc:
        log.error("could not start the system", error=str(exc))
    finally:
        log.info("stopping every process")
        clean = await supervisor.stop()
        log.info(
            "stopped",
            clean=clean,
            returncodes={name: ended.returncode for name, ended in supervisor.exits.items()},
            killed=[name for name, ended in supervisor.exits.items() if ended.killed],
        )
    return 0 if started and clean and supervisor.gave_up is None else 1


def token(args: argparse.Namespace) -> int:
    secret = identity_secret(Path(args.data_dir).resolve())
    print(mint_token(secret, Identity(args.subject, Role(args.role)), ttl_s=args.ttl))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="launcher", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run_cmd = commands.add_parser("run", help="start the whole system")
    run_cmd.add_argument("--data-dir", default=str(REPO / ".run"))
    run_cmd.add_argument("--free-ports", action="store_true")
    run_cmd.add_argument("--state-file")
    run_cmd.add_argument("--quiet", action="store_true")
    run_cmd.add_argument("--no-seed", action="store_true")
    token_cmd = commands.add_parser("token", help="mint an identity token for grpcurl")
    token_cmd.add_argument("--data-dir", default=str(REPO / ".run"))
    token_cmd.add_argument("--subject", default="agt_2001")
    token_cmd.add_argument("--role", default="agent", choices=[r.value for r in Role])
    token_cmd.add_argument("--ttl", type=int, default=3600)
    args = parser.parse_args()
    if args.command == "token":
        return token(args)
    logs.configure("launcher", os.environ.get("LOG_LEVEL", "INFO"))
    try:
        import uvloop

        return uvloop.run(run(args))
    except ImportError:  # pragma: no cover - uvloop is a pinned dependency
        return asyncio.run(run(args))


if __name__ == "__main__":
    raise SystemExit(main())
