"""A kernel client that is ready as soon as the kernel answers, for the chapters' kept kernels.

jupyter_client's ``wait_for_ready`` ends by waiting until its IOPub channel has been quiet for
0.2 s.  Each chapter opens two clients on its worker's kernel (one to reset the session, one for
papermill), so eleven chapters spent about 4.4 s of their two workers' time in those waits.  Here
the client is ready when the kernel's "idle" status for the client's own ``kernel_info`` request
comes in on IOPub: that message is the last the request causes, and receiving it shows the IOPub
subscription is connected (ZeroMQ drops what a subscriber publishes before it is).  If it does not
come within the same 0.2 s, the subscription was not yet connected and the request is sent again,
as jupyter_client does.
"""

from __future__ import annotations

import time
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient

#: How long one kernel_info request waits for its reply, then for its idle status (jupyter_client's).
REPLY_TIMEOUT, IOPUB_TIMEOUT = 1.0, 0.2


class PromptKernelClient(AsyncKernelClient):
    """An ``AsyncKernelClient`` whose ``wait_for_ready`` ends with the kernel's answer (see the module)."""

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while time.monotonic() < deadline:
            request = self.kernel_info()
            if await self._answered(request):
                return
            if not await self.is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
        raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")

    async def _answered(self, request: str) -> bool:
        """The reply to ``request`` came on the shell channel and its idle status on IOPub."""
        while True:  # a reply to an earlier, retried request is passed over
            try:
                msg = await self.shell_channel.get_msg(timeout=REPLY_TIMEOUT)
            except Empty:
                return False
            if msg["parent_header"].get("msg_id") == request:
                break
        self._handle_kernel_info_reply(msg)
        while True:  # earlier messages on IOPub (another client's) are passed over
            try:
                msg = await self.iopub_channel.get_msg(timeout=IOPUB_TIMEOUT)
            except Empty:
                return False
            if (
                msg["parent_header"].get("msg_id") == request
                and msg["msg_type"] == "status"
                and msg["content"].get("execution_state") == "idle"
            ):
                return True
