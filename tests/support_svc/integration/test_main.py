"""`python -m support_svc` as a process: configured by the environment, healthy, stops on SIGTERM."""

import asyncio
import os
import signal
import sys
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from launcher.system import free_port
from tests.support_svc.integration.harness import SECRET, FakeOrderService

REPO = Path(__file__).resolve().parents[3]


async def serving(address: str) -> bool:
    try:
        async with grpc.aio.insecure_channel(address) as channel:
            reply = await health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(), timeout=0.5
            )
            return bool(reply.status == health_pb2.HealthCheckResponse.SERVING)
    except grpc.aio.AioRpcError:
        return False


async def test_the_process_serves_until_sigterm(tmp_path: Path, shop: tuple[FakeOrderService, int]) -> None:
    port = free_port()
    env = {
        **os.environ,
        "ACME_IDENTITY_SECRET": SECRET,
        "SUPPORT_PORT": str(port),
        "SUPPORT_DB_PATH": str(tmp_path / "data" / "support.db"),
        "SUPPORT_SHOP_ADDR": f"127.0.0.1:{shop[1]}",
        "LOG_LEVEL": "WARNING",
    }
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "support_svc", cwd=REPO, env=env)
    try:
        for _ in range(100):
            if await serving(f"127.0.0.1:{port}"):
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("support_svc never reported SERVING")
        assert (tmp_path / "data" / "support.db").exists()
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 15) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_the_process_refuses_to_start_without_the_identity_secret(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "ACME_IDENTITY_SECRET"} | {"SUPPORT_PORT": "0"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "support_svc", cwd=tmp_path, env=env, stderr=asyncio.subprocess.PIPE
    )
    _, err = await asyncio.wait_for(process.communicate(), 15)
    assert process.returncode != 0
    assert b"ACME_IDENTITY_SECRET" in err
