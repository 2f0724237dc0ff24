"""The engine seam: where an analysis's heavy part runs, on this process or on a Dask cluster.

Every analysis that can run on a cluster declares ENGINE and SCHEDULER
(analysis/common_parameters.py) and, in `run`, branches once:

    if params["engine"] == "dask":
        with cluster(params, feedback) as client:
            parts = run_parts(client, count_part, dataset.partitions, feedback,
                              broadcast={"regions": polygons})
        counts = sum(parts)                 # the reduction stays on the client

`run_parts` is the whole contract: one task per item (a partition of a partitioned GeoParquet,
layers/partitioned.py), the small side (`broadcast`: regions, a grid definition) scattered to
every worker once, the tasks' results back in item order. Progress comes from the cluster's
finished tasks, a cancel (Feedback.cancel) cancels the futures, and a worker dying mid-run
costs only its tasks, which the scheduler runs again elsewhere. The task function must be a
module-level function importable on the workers (harm-atlas installed there; docs/cluster.md),
pure, and return something small (sums, counts): never a frame of the input's size.

The workers read their partition themselves (a path on storage they all see): a GeoDataFrame
shipped through the scheduler inside the graph is catastrophically slow (docs/cluster.md).

Nothing here imports dask until a cluster is asked for: the extra `[cluster]` is optional.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from analysis.inputs import InputError
from layers.feedback import Canceled, Feedback
from layers.i18n import tr

ENGINES = ("local", "dask")
# A scheduler that does not answer within this many seconds is reported, not waited for.
CONNECT_TIMEOUT_S = 10.0
# Each task is run again this often when it raises (a flaky read on shared storage); a task
# lost with its worker is rerun by the scheduler itself (distributed's allowed-failures).
TASK_RETRIES = 2
# How often the client looks at finished tasks and the cancel button while waiting.
POLL_S = 0.05


class ClusterUnavailable(InputError):
    """The cluster could not be used; the message says what to check."""


def run_on_cluster(algorithm: Any, params: dict[str, Any], feedback: Feedback) -> Any:
    """Run `algorithm` with --engine dask: its module `algorithm.cluster_module` does the work
    (`run_on_cluster(params, feedback)` there). Loaded by name, as analysis.base.load_all loads
    the analyses, so that module may use the analysis's own functions without an import cycle."""
    import importlib

    require_cluster_extra()
    name = getattr(algorithm, "cluster_module", "")
    if not name:
        raise InputError(
            tr("{id} has no --engine dask version yet; run it with --engine local.").format(
                id=algorithm.id
            )
        )
    return importlib.import_module(name).run_on_cluster(params, feedback)


def require_cluster_extra() -> None:
    """dask, distributed and dask-geopandas importable, else a one-line InputError."""
    try:
        import dask  # noqa: F401
        import distributed  # noqa: F401
    except ImportError:
        raise ClusterUnavailable(
            tr(
                "--engine dask needs the cluster extra: pip install 'harm-atlas[cluster]' "
                "(dask, distributed, dask-geopandas)."
            )
        ) from None


@contextmanager
def cluster(params: dict[str, Any], feedback: Feedback | None = None) -> Iterator[Any]:
    """A distributed Client: to `params['scheduler']` when given, else to a LocalCluster on
    this machine (one process per core, one thread each), closed on exit."""
    require_cluster_extra()
    from distributed import Client, LocalCluster

    address = str(params.get("scheduler") or "").strip()
    feedback = feedback or Feedback()
    if address:
        feedback.set_progress(feedback.progress, tr("Connecting to {a}").format(a=address))
        client = connect(address)
        try:
            yield client
        finally:
            client.close()
        return
    feedback.set_progress(feedback.progress, tr("Starting a local Dask cluster"))
    workers = max(1, min(os.cpu_count() or 1, 4))
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",  # this machine only: nothing listens on the network
            # The scheduler's HTTP endpoints always start; a free port, never a taken 8787.
            dashboard_address=":0",
            silence_logs=40,  # logging.ERROR: the CLI's bar, not the cluster's chatter
        ) as local,
        Client(local) as client,
    ):
        yield client


def connect(address: str, timeout: float = CONNECT_TIMEOUT_S) -> Any:
    """A Client connected to the scheduler at `address`, or ClusterUnavailable in one line
    saying what to check, within `timeout` seconds."""
    from distributed import Client

    given = address
    if "://" not in address:
        address = "tcp://" + address
    check_address(address, given)
    try:
        return Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ClusterUnavailable(unreachable_message(address, exc)) from None


def check_address(address: str, given: str = "") -> None:
    """A scheduler address the client can dial (scheme, host and port; for tls:// the client's
    certificates configured), else ClusterUnavailable saying what to write; nothing is dialled
    (a malformed address would otherwise leave a half-made client waiting to close)."""
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address)
        if scheme not in ("tcp", "tls"):
            raise ValueError(scheme)
        parse_host_port(location)  # a port is required: no guessing
    except ValueError:
        raise ClusterUnavailable(
            tr(
                "--scheduler {a} is not a scheduler address: write it as tcp://HOST:PORT "
                "(or tls://HOST:PORT), e.g. tcp://10.0.0.5:8786."
            ).format(a=given or address)
        ) from None
    if scheme == "tls":
        from distributed.security import Security

        if Security().get_connection_args("client").get("ssl_context") is None:
            raise ClusterUnavailable(
                tr(
                    "--scheduler {a} uses TLS but no client certificate is configured: set "
                    "distributed.comm.tls.ca-file, .client.cert and .client.key in Dask's "
                    "configuration or its DASK_DISTRIBUTED__COMM__TLS__* variables "
                    "(docs/cluster.md)."
                ).format(a=address)
            )


def unreachable_message(address: str, exc: BaseException | None = None) -> str:
    """What to check when a scheduler does not answer."""
    return tr(
        "Could not reach the Dask scheduler at {a} within {s:.0f} s: check the address and "
        "port (the scheduler's default is 8786), that it is running (dask scheduler), that no "
        "firewall blocks the port, and for a tls:// address the --tls-* certificates "
        "(docs/cluster.md)."
    ).format(a=address, s=CONNECT_TIMEOUT_S)


def run_parts(
    client: Any,
    task: Callable[..., Any],
    items: Sequence[Any],
    feedback: Feedback | None = None,
    broadcast: dict[str, Any] | None = None,
    message: str = "",
) -> list[Any]:
    """`task(item, **broadcast)` for every item on the cluster; results in item order.

    `broadcast` values are scattered to every worker once (not once per task), each as one
    object whatever its type. Progress is the share of finished tasks; Feedback's cancel
    cancels every future and raises Canceled."""
    import time

    feedback = feedback or Feedback()
    shared = {}
    for name, value in (broadcast or {}).items():
        # In a list of one: scatter splits a dict, list or tuple into a future per element.
        shared[name] = client.scatter([value], broadcast=True, hash=False)[0]
    futures = [
        client.submit(task, item, **shared, pure=False, retries=TASK_RETRIES) for item in items
    ]
    results: list[Any] = [None] * len(futures)
    pending = dict(enumerate(futures))
    text = message or tr("Running on the cluster")
    feedback.set_progress(0, text)
    try:
        while pending:
            if feedback.canceled:
                raise Canceled()
            # The futures' states follow the scheduler's task stream (no default client needed).
            finished = [i for i, future in pending.items() if future.done()]
            if not finished:
                time.sleep(POLL_S)
                continue
            for i in finished:
                results[i] = _result(pending.pop(i))
            done = len(futures) - len(pending)
            feedback.set_progress(
                100.0 * done / len(futures),
                tr("{text}: {d} of {n} parts").format(text=text, d=done, n=len(futures)),
            )
    except BaseException:
        client.cancel(futures)
        raise
    finally:
        for future in shared.values():
            future.release()
    return results


def _result(future: Any) -> Any:
    """A finished task's result; a task's own error becomes one line naming the part."""
    if future.status == "error":
        exc = future.exception()
        if isinstance(exc, ModuleNotFoundError):
            raise ClusterUnavailable(
                tr(
                    "The Dask workers cannot import {m}: install harm-atlas (the same version) "
                    "where the workers run (docs/cluster.md)."
                ).format(m=exc.name)
            )
        raise InputError(
            tr("A task failed on the cluster: {e}").format(e=" ".join(str(exc).split()))
        )
    return future.result()
