"""Where units run: serial, a pool of processes, a Dask cluster or SLURM, behind one small protocol.

A backend is handed units one at a time (``submit``), gives back the finished ones as they
complete, in any order (``wait``), and can drop what is outstanding (``cancel``). The runner
(:mod:`.runner`) decides what to submit, and it alone writes the store: a backend never
touches it. Every backend has the same semantics:

* a unit runs through :func:`run_job`, which sets the worker's torch threads explicitly and turns
  an exception in the unit into a recorded error (:attr:`Outcome.error`), so the sweep goes on;
* a lost worker's units are submitted again (``retries`` times), then recorded as errors;
* ``cancel`` drops the outstanding units; what finished was already handed back.

Backends: :class:`Serial` (in this process, the default), :class:`Processes` (the standard
library's process pool), :class:`Dask` (a running cluster at ``scheduler``, or a local cluster
of ``workers`` processes) and :class:`Slurm` (submitit: SLURM job arrays, or its ``local``
executor). Dask and submitit are optional extras: :func:`make_backend` names the command that
installs a missing one.

>>> from dataclasses import dataclass
>>> @dataclass(frozen=True)
... class Square:
...     x: int
>>> backend = Serial()
>>> backend.start(Context())
>>> backend.submit(Job("k1", "demo.square", Square(2), lambda u, ctx: {"y": u.x ** 2}))
>>> [(o.job.key, o.result, o.error) for o in backend.wait(1.0)]
[('k1', {'y': 4}, None)]
>>> make_backend("processes", workers=0)
Traceback (most recent call last):
...
tbounds.empirical.errors.BackendError: --workers must be a positive integer for the processes backend (got 0)
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import signal
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional, Protocol

from .errors import BackendError
from .experiment import Context

BACKENDS = ("serial", "processes", "dask", "slurm")
EXTRAS = {"dask": "pip install 'tbounds[dask]'", "slurm": "pip install 'tbounds[slurm]'"}


@dataclass(frozen=True)
class Job:
    """One unit to measure: its content key, experiment name, the unit and the function that measures it.

    Everything here crosses to a worker by pickle: the unit is a frozen dataclass and ``run_unit``
    a module-level function (the contract suite checks both for every registered experiment).
    """

    key: str
    experiment: str
    unit: Any
    run_unit: Callable[[Any, Context], dict]


@dataclass(frozen=True)
class Outcome:
    """A finished job: its JSON-ready result, or the one-line error it ended with, and its seconds."""

    job: Job
    result: Optional[dict]
    seconds: float
    error: Optional[str] = None


@dataclass(frozen=True)
class WorkerSettings:
    """What a worker needs besides the unit: device, base seed, torch threads and the context's extras."""

    device: str = "cpu"
    seed: int = 0
    threads: int = 1
    extra: dict = field(default_factory=dict)

    @classmethod
    def of(cls, context: Context, threads: Optional[int]) -> "WorkerSettings":
        return cls(str(context.device), int(context.seed), max(1, int(threads or 1)), dict(context.extra))


_THREADS_SET: dict = {}


def run_job(job: Job, settings: WorkerSettings) -> tuple:
    """Run one unit in a worker: ``(result, seconds, error)``; an exception in the unit becomes ``error``.

    Torch's intra-op threads are set explicitly (once per worker process): a worker never
    inherits whatever the machine's OpenMP default is.
    """
    import torch

    if _THREADS_SET.get("threads") != settings.threads:
        torch.set_num_threads(settings.threads)
        _THREADS_SET["threads"] = settings.threads
    context = Context(device=torch.device(settings.device), seed=settings.seed, extra=dict(settings.extra))
    start = time.perf_counter()
    try:
        result = job.run_unit(job.unit, context)
    except Exception as error:  # the unit failed: a recorded error, never a lost sweep
        return None, time.perf_counter() - start, _one_line(error)
    return result, time.perf_counter() - start, None


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split()) or traceback.format_exception_only(type(error), error)[-1].strip()
    return f"{type(error).__name__}: {text}"


class Backend(Protocol):
    """Submit units, receive results as they complete, cancel."""

    name: str

    def start(self, context: Context) -> None: ...

    def capacity(self) -> int: ...  # how many units the runner keeps in flight

    def submit(self, job: Job) -> None: ...

    def pending(self) -> int: ...

    def wait(self, timeout: float) -> list[Outcome]: ...  # the outcomes finished within ``timeout``

    def cancel(self) -> None: ...

    def close(self) -> None: ...


class Serial:
    """Runs units one by one in this process (the default); a unit's progress text reaches the terminal.

    An exception in a unit is a recorded error, as on every backend; ``KeyboardInterrupt`` is not
    an exception of the unit and stops the sweep.
    """

    name = "serial"

    def __init__(self, threads: Optional[int] = None):
        self.threads = threads
        self._queue: list[Job] = []
        self._context = Context()

    def start(self, context: Context) -> None:
        self._context, self._queue = context, []
        if self.threads:
            import torch

            torch.set_num_threads(self.threads)

    def capacity(self) -> int:
        return 1

    def submit(self, job: Job) -> None:
        self._queue.append(job)

    def pending(self) -> int:
        return len(self._queue)

    def wait(self, timeout: float) -> list[Outcome]:
        if not self._queue:
            return []
        job = self._queue.pop(0)
        start = time.perf_counter()
        try:
            result = job.run_unit(job.unit, self._context)
        except Exception as error:
            return [Outcome(job, None, time.perf_counter() - start, _one_line(error))]
        return [Outcome(job, result, time.perf_counter() - start)]

    def cancel(self) -> None:
        self._queue = []

    def close(self) -> None:
        self._queue = []


InProcess = Serial  # the name before there were other backends


def _start_worker(threads: int, driver: int) -> None:
    """Worker start-up: Ctrl-C is the driver's to handle (it cancels the workers); threads set explicitly;
    and a worker ends when its driver is gone (killed with -9 or TERM, it could not stop its pool)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import threading

    import torch

    torch.set_num_threads(threads)
    _THREADS_SET["threads"] = threads

    def watch() -> None:
        while True:
            time.sleep(1.0)
            try:
                os.kill(driver, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:  # alive, under another user: cannot happen for our own driver
                pass

    threading.Thread(target=watch, name="tbounds-driver-watch", daemon=True).start()


class _Retrying:
    """Book-keeping shared by the pooled backends: submitted jobs, and how often each was lost."""

    def __init__(self, retries: int):
        self.retries = retries
        self.lost: dict[str, int] = {}

    def lost_again(self, job: Job, why: str) -> Optional[Outcome]:
        """Count a lost run of ``job``: ``None`` means submit it again, else the recorded error."""
        self.lost[job.key] = self.lost.get(job.key, 0) + 1
        if self.lost[job.key] <= self.retries:
            return None
        return Outcome(job, None, 0.0, f"WorkerLost: the unit's worker was lost {self.lost[job.key]} times ({why})")


class Processes(_Retrying):
    """A pool of ``workers`` processes on this machine (``concurrent.futures``, forkserver start method).

    A worker that dies (killed, out of memory) breaks the pool: the pool is rebuilt and the
    units that were in flight are submitted again.
    """

    name = "processes"

    def __init__(self, workers: int = 2, threads: Optional[int] = None, retries: int = 2):
        super().__init__(retries)
        self.workers, self.threads = workers, threads
        self._pool: Optional[cf.ProcessPoolExecutor] = None
        self._futures: dict[cf.Future, Job] = {}

    def start(self, context: Context) -> None:
        self._settings = WorkerSettings.of(context, self.threads)
        self._pool = self._new_pool()

    def _new_pool(self) -> cf.ProcessPoolExecutor:
        # forkserver, not fork: a forked child of a process that has run torch can deadlock in OpenMP.
        # The server imports torch once, so a worker (and a pool rebuilt after a lost worker) starts cheaply.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["torch"])
        return cf.ProcessPoolExecutor(self.workers, mp_context=context,
                                      initializer=_start_worker, initargs=(self._settings.threads, os.getpid()))

    def capacity(self) -> int:
        return self.workers

    def submit(self, job: Job) -> None:
        try:
            self._futures[self._pool.submit(run_job, job, self._settings)] = job
        except cf.process.BrokenProcessPool:
            self._rebuild()
            self._futures[self._pool.submit(run_job, job, self._settings)] = job

    def pending(self) -> int:
        return len(self._futures)

    def wait(self, timeout: float) -> list[Outcome]:
        if not self._futures:
            return []
        done, _ = cf.wait(list(self._futures), timeout=timeout, return_when=cf.FIRST_COMPLETED)
        out, again = [], []
        for future in done:
            job = self._futures.pop(future)
            try:
                result, seconds, error = future.result()
            except cf.process.BrokenProcessPool as lost:
                failed = self.lost_again(job, f"{type(lost).__name__}")
                if failed is None:
                    again.append(job)
                else:
                    out.append(failed)
                continue
            out.append(Outcome(job, result, seconds, error))
        if again:
            self._rebuild()
            for job in again:
                self._futures[self._pool.submit(run_job, job, self._settings)] = job
        return out

    def _rebuild(self) -> None:
        """A broken pool fails every future it holds: collect those jobs and resubmit on a fresh pool."""
        stranded = list(self._futures.values())
        self._futures.clear()
        self._shutdown()
        self._pool = self._new_pool()
        for job in stranded:
            self._futures[self._pool.submit(run_job, job, self._settings)] = job

    def cancel(self) -> None:
        self._futures.clear()
        self._shutdown(kill=True)

    def _shutdown(self, kill: bool = False) -> None:
        if self._pool is None:
            return
        if kill:  # Ctrl-C: stop the running units now, not after they finish
            for process in list(getattr(self._pool, "_processes", {}).values()):
                process.terminate()
        self._pool.shutdown(wait=not kill, cancel_futures=True)
        self._pool = None

    def close(self) -> None:
        self._futures.clear()
        self._shutdown()


def _need(extra: str, module: str):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise BackendError(f"the {extra} backend needs the optional extra tbounds[{extra}]; install it with "
                           f"{EXTRAS[extra]}") from None


class Dask(_Retrying):
    """A Dask cluster: the one running at ``scheduler`` (``tcp://host:8786``), else a local one of ``workers``.

    The local cluster has one thread per worker process (torch threads are set by
    :func:`run_job`). Dask's scheduler already reruns the tasks of a lost worker; a task that
    still fails that way (``KilledWorker``) is submitted again ``retries`` times.
    """

    name = "dask"

    def __init__(self, workers: Optional[int] = None, scheduler: Optional[str] = None,
                 threads: Optional[int] = None, retries: int = 2, connect_timeout: float = 20.0):
        super().__init__(retries)
        self.workers, self.scheduler, self.threads = workers, scheduler, threads
        self.connect_timeout = connect_timeout
        self.client = self.cluster = None
        self._futures: dict = {}
        self._capacity, self._checked = 1, 0.0

    def start(self, context: Context) -> None:
        distributed = _need("dask", "distributed")
        self._distributed = distributed
        self._settings = WorkerSettings.of(context, self.threads)
        if self.scheduler:
            try:
                self.client = distributed.Client(self.scheduler, timeout=f"{self.connect_timeout}s")
            except OSError as error:
                raise BackendError(f"cannot reach the Dask scheduler at {self.scheduler} (--scheduler): "
                                   f"{' '.join(str(error).split())}") from None
        else:
            import logging
            import warnings

            with warnings.catch_warnings():  # another cluster's port taken: Dask picks a free one, say nothing
                warnings.filterwarnings("ignore", message="Port .* is already in use")
                self.cluster = distributed.LocalCluster(n_workers=self.workers or 2, threads_per_worker=1,
                                                        processes=True, dashboard_address=None,
                                                        silence_logs=logging.ERROR)
            self.client = distributed.Client(self.cluster)

    def capacity(self) -> int:
        """One unit per worker thread the cluster has now (asked of the scheduler every few seconds)."""
        if time.monotonic() - self._checked > 5:
            self._capacity = max(1, sum(self.client.nthreads().values()))
            self._checked = time.monotonic()
        return self._capacity

    def worker_pids(self) -> dict:
        """``{worker address: pid}`` (used by the test that kills a worker)."""
        return self.client.run(os.getpid)

    def submit(self, job: Job) -> None:
        future = self.client.submit(run_job, job, self._settings, pure=False, key=f"tbounds-{job.key}-{time.time_ns()}")
        self._futures[future] = job

    def pending(self) -> int:
        return len(self._futures)

    def wait(self, timeout: float) -> list[Outcome]:
        if not self._futures:
            return []
        try:
            done, _ = self._distributed.wait(list(self._futures), timeout=timeout, return_when="FIRST_COMPLETED")
        except TimeoutError:  # nothing finished within ``timeout``
            return []
        out = []
        for future in done:
            job = self._futures.pop(future)
            if future.status == "finished":
                result, seconds, error = future.result()
                out.append(Outcome(job, result, seconds, error))
                continue
            failure = future.exception()  # KilledWorker and the like: run_job itself never raises
            failed = self.lost_again(job, _one_line(failure) if failure else future.status)
            if failed is None:
                self.submit(job)
            else:
                out.append(failed)
        return out

    def cancel(self) -> None:
        if self.client is not None and self._futures:
            self.client.cancel(list(self._futures))
        self._futures.clear()

    def close(self) -> None:
        self._futures.clear()
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()
        self.client = self.cluster = None


class Slurm(_Retrying):
    """SLURM through submitit: the units the runner hands over go out as one job array per batch.

    ``cluster``: ``"slurm"``, or submitit's ``"local"`` (subprocesses on this machine) or
    ``"debug"`` (in this process) executors for trying a sweep without a cluster. ``workers``
    caps how many array tasks run at once (``--array=...%workers``). Results come back through
    files in ``folder`` (which the cluster's nodes must see). A job that ends without a result
    (preempted, node lost, over its time limit) is submitted again ``retries`` times.
    """

    name = "slurm"

    def __init__(self, folder: str = "tbounds-out/slurm", partition: Optional[str] = None,
                 time_limit: int = 60, workers: Optional[int] = None, threads: Optional[int] = None,
                 mem_gb: Optional[float] = None, gpus: int = 0, cluster: str = "slurm", retries: int = 1,
                 poll: float = 2.0):
        super().__init__(retries)
        self.folder, self.partition, self.time_limit = folder, partition, time_limit
        self.workers, self.threads, self.mem_gb, self.gpus, self.cluster = workers, threads, mem_gb, gpus, cluster
        self.poll = poll
        self._buffer: list[Job] = []
        self._jobs: list = []  # (submitit job, Job)

    def start(self, context: Context) -> None:
        submitit = _need("slurm", "submitit")
        self._settings = WorkerSettings.of(context, self.threads)
        Path(self.folder).mkdir(parents=True, exist_ok=True)
        self.executor = submitit.AutoExecutor(folder=self.folder, cluster=self.cluster)
        params: dict = {"timeout_min": int(self.time_limit), "cpus_per_task": self._settings.threads,
                        "name": "tbounds"}
        if self.gpus:
            params["gpus_per_node"] = int(self.gpus)
        if self.mem_gb:
            params["mem_gb"] = float(self.mem_gb)
        if self.partition:
            params["slurm_partition"] = self.partition
        if self.workers:
            params["slurm_array_parallelism"] = int(self.workers)
        self.executor.update_parameters(**params)

    def capacity(self) -> int:
        # SLURM queues the work: hand it everything; the local executor runs ``workers`` at a time
        return 10 ** 6 if self.cluster == "slurm" else (self.workers or 1)

    def submit(self, job: Job) -> None:
        self._buffer.append(job)

    def pending(self) -> int:
        return len(self._buffer) + len(self._jobs)

    def _flush(self) -> None:
        if not self._buffer:
            return
        batch, self._buffer = self._buffer, []
        submitted = self.executor.map_array(run_job, batch, [self._settings] * len(batch))  # one job array
        self._jobs.extend(zip(submitted, batch))

    def wait(self, timeout: float) -> list[Outcome]:
        self._flush()
        deadline = time.monotonic() + timeout
        while True:
            finished = [(s, j) for s, j in self._jobs if s.done()]
            if finished or time.monotonic() >= deadline:
                break
            time.sleep(min(self.poll, max(0.05, deadline - time.monotonic())))
        out = []
        for pair in finished:
            self._jobs.remove(pair)
            submitted, job = pair
            try:
                result, seconds, error = submitted.result()
            except Exception as lost:  # the job ended without a result: node lost, preempted, timed out
                failed = self.lost_again(job, _one_line(lost)[:300])
                if failed is None:
                    self._buffer.append(job)
                else:
                    out.append(failed)
                continue
            out.append(Outcome(job, result, seconds, error))
        return out

    def cancel(self) -> None:
        for submitted, _ in self._jobs:
            try:
                submitted.cancel(check=False)
            except Exception:  # already finished or gone: nothing to cancel
                pass
        self._jobs, self._buffer = [], []

    def close(self) -> None:
        self.cancel()


def make_backend(name: str = "serial", *, workers: Optional[int] = None, scheduler: Optional[str] = None,
                 threads: Optional[int] = None, partition: Optional[str] = None, time_limit: Optional[int] = None,
                 mem_gb: Optional[float] = None, gpus: Optional[int] = None, job_dir: Optional[str] = None,
                 slurm_cluster: str = "slurm"):
    """The backend ``name`` with its options checked; a wrong combination is a one-line :class:`BackendError`."""
    if name not in BACKENDS:
        raise BackendError(f"unknown backend '{name}' (--backend); choose {', '.join(BACKENDS)}")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise BackendError(f"--workers must be a positive integer for the {name} backend (got {workers!r})")
    if scheduler is not None and name != "dask":
        raise BackendError(f"--scheduler belongs to the dask backend (got --backend {name})")
    if scheduler is not None and workers is not None:
        raise BackendError("--workers starts a local Dask cluster; with --scheduler the cluster's workers are used: "
                           "give one of them")
    slurm_only = {"--partition": partition, "--time-limit": time_limit, "--mem-gb": mem_gb, "--gpus": gpus,
                  "--job-dir": job_dir}
    given = [flag for flag, value in slurm_only.items() if value is not None]
    if given and name != "slurm":
        raise BackendError(f"{given[0]} belongs to the slurm backend (got --backend {name})")
    if name == "serial":
        if workers not in (None, 1):
            raise BackendError("--workers needs a parallel backend: --backend processes, dask or slurm")
        return Serial(threads)
    if name == "processes":
        return Processes(workers or 2, threads)
    if name == "dask":
        _need("dask", "distributed")
        return Dask(workers, scheduler, threads)
    _need("slurm", "submitit")
    return Slurm(folder=job_dir or "tbounds-out/slurm", partition=partition, time_limit=time_limit or 60,
                 workers=workers, threads=threads, mem_gb=mem_gb, gpus=gpus or 0, cluster=slurm_cluster)
