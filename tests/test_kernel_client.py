"""The chapters' kernel client: ready when the kernel has answered its own request, on both channels."""

from __future__ import annotations

import pytest
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync

from sle_cart.book.kernel_client import PromptKernelClient


@pytest.fixture(scope="module")
def kernel():
    km = AsyncKernelManager(kernel_name="python3", client_factory=PromptKernelClient)
    run_sync(km.start_kernel)()
    yield km
    run_sync(km.shutdown_kernel)(now=True)


def _outputs(client, code: str) -> tuple[str, list[str]]:
    texts: list[str] = []

    def keep(msg):
        if msg["msg_type"] == "stream":
            texts.append(msg["content"]["text"])

    reply = run_sync(client.execute_interactive)(code, output_hook=keep, timeout=30)
    return reply["content"]["status"], texts


def test_each_new_client_on_a_kept_kernel_is_ready_and_sees_its_own_output(kernel):
    first = kernel.client()
    first.start_channels()
    try:
        run_sync(first.wait_for_ready)(timeout=30)
        assert _outputs(first, "x = 41; print('one')") == ("ok", ["one\n"])
    finally:
        first.stop_channels()
    for _ in range(3):  # as each chapter opens two clients on its worker's kernel in turn
        client = kernel.client()
        client.start_channels()
        try:
            run_sync(client.wait_for_ready)(timeout=30)
            assert _outputs(client, "print(x + 1)") == ("ok", ["42\n"])  # no stale message taken as its own
        finally:
            client.stop_channels()


def test_a_dead_kernel_is_reported_not_waited_for():
    km = AsyncKernelManager(kernel_name="python3", client_factory=PromptKernelClient)
    run_sync(km.start_kernel)()
    client = km.client()
    client.start_channels()
    run_sync(km.shutdown_kernel)(now=True)
    try:
        with pytest.raises(RuntimeError, match=r"died|respond"):
            run_sync(client.wait_for_ready)(timeout=10)
    finally:
        client.stop_channels()
