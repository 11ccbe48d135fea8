"""lossbook.distribute (local TensorFlow workers), and every lossbook loss class under a
distribution strategy, against Keras' own."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from lossbook.distribute import WorkerError, WorkerRun, run_local_workers, tf_config


def running_script(script: Path) -> list[int]:
    """The live processes whose command line names ``script`` (workers of these tests;
    the suite's own children, such as the site's build, are not counted)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if os.fsencode(str(script)) in cmdline and alive(int(entry)):
            found.append(int(entry))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def nothing_listens(address: str) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", int(address.rsplit(":", 1)[1])))
        except OSError:
            return False
    return True


@pytest.fixture
def script(tmp_path):
    def write(source: str) -> Path:
        path = tmp_path / "worker.py"
        path.write_text(textwrap.dedent(source), encoding="utf-8")
        return path
    return write


pytestmark = pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads /proc")


class TestTfConfig:
    def test_names_the_cluster_and_the_task(self):
        assert tf_config(["127.0.0.1:1", "127.0.0.1:2"], 1) == {
            "cluster": {"worker": ["127.0.0.1:1", "127.0.0.1:2"]},
            "task": {"type": "worker", "index": 1}}

    def test_numpy_integers_are_indices(self):
        import numpy as np

        assert tf_config(["a:1", "b:2"], np.int64(1))["task"]["index"] == 1

    @pytest.mark.parametrize("addresses,index,message", [
        ([], 0, "at least one worker"),
        (["a:1"], 1, "index must be a whole number from 0 to 0, got 1"),
        (["a:1", "b:2"], -1, "from 0 to 1, got -1"), (["a:1"], 0.0, "got 0.0"),
        (["a:1", "b:2"], True, "got True"),
        (["a:1", "a:1"], 0, r"must differ, got \['a:1', 'a:1'\]")])
    def test_bad_arguments_are_named(self, addresses, index, message):
        with pytest.raises(ValueError, match=message):
            tf_config(addresses, index)

    def test_a_single_string_is_not_a_list_of_addresses(self):
        with pytest.raises(TypeError, match="got the single string '127.0.0.1:1234'"):
            tf_config("127.0.0.1:1234", 0)


class TestRunLocalWorkers:
    def test_each_worker_gets_its_own_tf_config(self, script):
        path = script("""
            import os
            print(os.environ["TF_CONFIG"])
        """)
        run = run_local_workers(path, n=3, timeout=30)
        assert isinstance(run, WorkerRun)
        seen = [json.loads(out.strip()) for out in run.outputs]
        assert seen == run.tf_configs
        assert [c["task"]["index"] for c in seen] == [0, 1, 2]
        addresses = seen[0]["cluster"]["worker"]
        assert len(set(addresses)) == 3 and all(a.startswith("127.0.0.1:") for a in addresses)
        assert all(c["cluster"]["worker"] == addresses for c in seen)

    def test_arguments_reach_the_script(self, script):
        path = script("import sys; print(sys.argv[1:])")
        run = run_local_workers(path, n=1, args=["a", 2], timeout=30)
        assert run.outputs == ["['a', '2']\n"]

    def test_a_failing_worker_is_named_and_the_others_are_stopped(self, script, tmp_path):
        path = script(f"""
            import json, os, sys, time
            index = json.loads(os.environ["TF_CONFIG"])["task"]["index"]
            open(os.path.join({str(tmp_path)!r}, f"pid{{index}}"), "w").write(str(os.getpid()))
            if index == 1:
                print("cannot reach the chief")
                sys.exit(3)
            time.sleep(600)  # waits for a peer that is gone, as TensorFlow's would
        """)
        started = time.monotonic()
        with pytest.raises(WorkerError, match=r"(?s)worker 1 of 2 \(127\.0\.0\.1:\d+\) exited "
                                              r"with status 3 after [\d.]+ s \(worker 0 was "
                                              r"still running\):\n\[stdout\]\n"
                                              r"cannot reach the chief$"):
            run_local_workers(path, n=2, timeout=60)
        assert time.monotonic() - started < 30
        assert not alive(int((tmp_path / "pid0").read_text()))
        assert running_script(path) == []

    def test_what_a_worker_prints_is_kept_apart_from_what_it_logs(self, script):
        """TensorFlow logs to stderr from its own threads, even after the script's last
        print (a build failed so): the printed result is still stdout's last line."""
        path = script("""
            import json, sys
            print(json.dumps({"w": [1.5]}))
            sys.stderr.write("E0000 coordination_service_agent.cc: peer left\\n")
        """)
        run = run_local_workers(path, n=2, timeout=30)
        assert run.outputs == ['{"w": [1.5]}\n'] * 2
        assert run.logs == ["E0000 coordination_service_agent.cc: peer left\n"] * 2
        assert [json.loads(out.strip().splitlines()[-1]) for out in run.outputs] == [
            {"w": [1.5]}] * 2

    def test_a_crashing_worker_shows_its_traceback(self, script):
        path = script("""
            print("step 1")
            1 / 0
        """)
        with pytest.raises(WorkerError, match=r"(?s)worker [01] of 2 .* exited with status 1"
                                              r".*\[stdout\]\nstep 1\n\[stderr\]\n"
                                              r"Traceback.*ZeroDivisionError"):
            run_local_workers(path, n=2, timeout=30)

    def test_workers_past_the_timeout_are_stopped_with_their_grandchildren(self, script,
                                                                          tmp_path):
        path = script(f"""
            import os, subprocess, sys, time
            child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
            open(os.path.join({str(tmp_path)!r}, f"child{{os.getpid()}}"), "w").write(
                str(child.pid))
            print("joining the cluster", flush=True)
            time.sleep(600)
        """)
        started = time.monotonic()
        with pytest.raises(WorkerError) as caught:
            run_local_workers(path, n=2, timeout=3)
        assert time.monotonic() - started < 20
        message = str(caught.value)
        assert "workers [0, 1] of 2 still running after 3 s: stopped" in message
        assert "joining the cluster" in message
        grandchildren = [int(p.read_text()) for p in tmp_path.glob("child*")]
        assert len(grandchildren) == 2
        time.sleep(0.2)  # init reaps them
        assert not any(alive(pid) for pid in grandchildren)
        assert running_script(path) == []

    def test_no_port_is_left_listening(self, script):
        path = script("""
            import json, os, socket
            config = json.loads(os.environ["TF_CONFIG"])
            port = int(config["cluster"]["worker"][config["task"]["index"]].split(":")[1])
            server = socket.socket()
            server.bind(("127.0.0.1", port))
            server.listen()
            print("listening")
        """)
        run = run_local_workers(path, n=2, timeout=30)
        assert run.outputs == ["listening\n"] * 2
        assert all(nothing_listens(a) for a in run.tf_configs[0]["cluster"]["worker"])

    @pytest.mark.parametrize("kwargs,error,message", [
        ({"n": 0}, ValueError, "n must be a whole number from 1 to 64, got 0"),
        ({"n": 65}, ValueError, "got 65"),
        ({"timeout": True}, ValueError, "got True"),
        ({"args": "--epochs 3"}, TypeError, "got the single string '--epochs 3'"),
        ({"n": 2.0}, ValueError, "got 2.0"),
        ({"n": True}, ValueError, "got True"),
        ({"timeout": 0}, ValueError, "timeout must be > 0 seconds, got 0"),
        ({"timeout": float("nan")}, ValueError, "got nan")])
    def test_bad_arguments_are_named(self, script, kwargs, error, message):
        path = script("print('never')")
        with pytest.raises(error, match=message):
            run_local_workers(path, **kwargs)

    def test_a_missing_script_is_named(self, tmp_path):
        with pytest.raises(FileNotFoundError, match="no script at .*absent.py"):
            run_local_workers(tmp_path / "absent.py")


UNDER_A_STRATEGY = r'''
import json
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
import keras, numpy as np
import lossbook.losses as lb
strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
rng = np.random.default_rng(0)
n = 8
reg_true = rng.normal(size=(n, 1)).astype("float32")
reg_pred = rng.normal(size=(n, 1)).astype("float32")
logits = rng.normal(0, 3, size=(n, 3)).astype("float32")
ids = rng.integers(0, 3, n)
one_hot = np.eye(3, dtype="float32")[ids]
bits = rng.integers(0, 2, (n, 1)).astype("float32")
bit_logits = rng.normal(0, 3, size=(n, 1)).astype("float32")
weight = rng.uniform(0.2, 3, n).astype("float32")
asym = dict(profit=3.0, cost=1.0)


class KerasAsymmetric(keras.losses.Loss):  # Keras' own reduction around lossbook's function
    def __init__(self, profit, cost, **kwargs):
        super().__init__(**kwargs)
        self.profit, self.cost = profit, cost

    def call(self, y_true, y_pred):
        return lb.asymmetric_loss(y_true, y_pred, profit=self.profit, cost=self.cost)


cases = [  # name, lossbook class, Keras' loss with the same arguments, kwargs, y_true, y_pred
    ("MeanSquaredError", lb.MeanSquaredError, keras.losses.MeanSquaredError, {},
     reg_true, reg_pred),
    ("MeanAbsoluteError", lb.MeanAbsoluteError, keras.losses.MeanAbsoluteError, {},
     reg_true, reg_pred),
    ("Huber", lb.Huber, keras.losses.Huber, {"delta": 0.5}, reg_true, reg_pred),
    ("LogCosh", lb.LogCosh, keras.losses.LogCosh, {}, reg_true, reg_pred),
    ("AsymmetricLoss", lb.AsymmetricLoss, KerasAsymmetric, asym, reg_true, reg_pred),
    ("CategoricalCrossentropy", lb.CategoricalCrossentropy,
     keras.losses.CategoricalCrossentropy, {"from_logits": True}, one_hot, logits),
    ("SparseCategoricalCrossentropy", lb.SparseCategoricalCrossentropy,
     keras.losses.SparseCategoricalCrossentropy, {"from_logits": True}, ids, logits),
    ("CategoricalFocalCrossentropy", lb.CategoricalFocalCrossentropy,
     keras.losses.CategoricalFocalCrossentropy, {"from_logits": True}, one_hot, logits),
    ("BinaryCrossentropy", lb.BinaryCrossentropy, keras.losses.BinaryCrossentropy,
     {"from_logits": True}, bits, bit_logits),
    ("BinaryFocalCrossentropy", lb.BinaryFocalCrossentropy,
     keras.losses.BinaryFocalCrossentropy, {"from_logits": True}, bits, bit_logits),
]
reductions = ["sum_over_batch_size", "mean", "mean_with_sample_weight", "sum", None]
results = []
for name, ours, theirs, kwargs, y_true, y_pred in cases:
    data = tf.data.Dataset.from_tensor_slices((y_true, y_pred, weight)).batch(n)
    batch = next(iter(strategy.experimental_distribute_dataset(data)))
    for reduction in reductions:
        for weighted in (False, True):
            values = {}
            for side, make in (("lossbook", ours), ("keras", theirs)):
                loss = make(reduction=reduction, **kwargs)

                def replica(y_t, y_p, w, loss=loss):
                    return loss(y_t, y_p, sample_weight=w if weighted else None)

                per_replica = strategy.run(tf.function(replica, reduce_retracing=True),
                                           args=batch)
                local = [np.asarray(v).tolist() for v in
                         strategy.experimental_local_results(per_replica)]
                with strategy.scope():  # in the scope, outside strategy.run
                    whole = np.asarray(loss(y_true, y_pred,
                                            sample_weight=weight if weighted else None))
                values[side] = {"replicas": local, "in_scope": whole.tolist()}
            results.append({"case": [name, reduction, weighted], **values})
# model.fit with sample weights: the same loss history as Keras'; and a bad class id
# still raises lossbook's message from inside a replica.
x = rng.normal(size=(16, 4)).astype("float32")
fit_ids = rng.integers(0, 3, 16)
fit_weight = rng.uniform(0.5, 1, 16).astype("float32")
history = {}
for side, make in [("lossbook", lb.SparseCategoricalCrossentropy),
                   ("keras", keras.losses.SparseCategoricalCrossentropy)]:
    with strategy.scope():
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
        model.compile(optimizer=keras.optimizers.SGD(0.5), loss=make())
    history[side] = model.fit(x, fit_ids, sample_weight=fit_weight, batch_size=16, epochs=2,
                              verbose=0, shuffle=False).history["loss"]
try:
    model.compile(optimizer="sgd", loss=lb.SparseCategoricalCrossentropy())
    model.fit(x, np.where(fit_ids == 0, 5, fit_ids), batch_size=16, verbose=0)
    error = None
except tf.errors.InvalidArgumentError as err:
    error = str(err)
print(json.dumps({"replicas": strategy.num_replicas_in_sync, "results": results,
                  "fit": history, "error": error}))
'''


@pytest.fixture(scope="module")
def under_a_strategy():
    """Every class, reduction and weighting, run once in a fresh process with 2 CPUs."""
    out = subprocess.run([sys.executable, "-c", UNDER_A_STRATEGY], capture_output=True,
                         text=True, timeout=600,
                         env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    assert out.returncode == 0, out.stderr[-4000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


class TestEveryLossUnderAStrategy:
    def test_every_class_reduction_and_weighting_ran(self, under_a_strategy):
        import lossbook.losses as lb

        classes = {name for name in lb.__all__ if name[0].isupper() and name.endswith(
            ("Error", "Loss", "Crossentropy", "Huber", "LogCosh")) and name != "InvalidValuesError"}
        cases = {tuple(r["case"]) for r in under_a_strategy["results"]}
        assert under_a_strategy["replicas"] == 2
        assert {c[0] for c in cases} == classes
        assert len(cases) == len(classes) * 5 * 2

    def test_each_replica_computes_what_keras_computes(self, under_a_strategy):
        """Inside strategy.run each replica's loss equals Keras' on the same half-batch:
        scaled by 1/2 for the mean reductions, not for "sum" and None (to 1e-6)."""
        import numpy as np

        for result in under_a_strategy["results"]:
            ours, theirs = result["lossbook"]["replicas"], result["keras"]["replicas"]
            assert len(ours) == len(theirs) == 2, result["case"]
            for a, b in zip(ours, theirs, strict=True):
                np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7,
                                           err_msg=str(result["case"]))

    def test_in_the_scope_outside_run_as_keras_does(self, under_a_strategy):
        """Called in strategy.scope() but not in strategy.run, Keras divides the mean
        reductions by the replicas; lossbook's classes do the same, to 1e-6."""
        import numpy as np

        for result in under_a_strategy["results"]:
            np.testing.assert_allclose(result["lossbook"]["in_scope"],
                                       result["keras"]["in_scope"], rtol=1e-6, atol=1e-7,
                                       err_msg=str(result["case"]))

    def test_the_mean_reductions_are_scaled_to_the_global_mean(self, under_a_strategy):
        """The replicas' losses add up to the one-device loss of the whole batch, which
        is twice the in-scope value (for "sum_over_batch_size" and "mean")."""
        import numpy as np

        for result in under_a_strategy["results"]:
            name, reduction, _ = result["case"]
            if reduction not in ("sum_over_batch_size", "mean"):
                continue
            total = sum(result["lossbook"]["replicas"])
            np.testing.assert_allclose(total, 2 * result["lossbook"]["in_scope"], rtol=1e-5,
                                       err_msg=str(result["case"]))


class TestNothingIsLeftBehind:
    def test_what_a_finished_worker_started_is_stopped(self, script, tmp_path):
        path = script(f"""
            import os, subprocess, sys
            child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
            open(os.path.join({str(tmp_path)!r}, f"child{{os.getpid()}}"), "w").write(
                str(child.pid))
            print("done")
        """)
        run = run_local_workers(path, n=2, timeout=30)
        assert run.outputs == ["done\n"] * 2
        time.sleep(0.2)
        grandchildren = [int(p.read_text()) for p in tmp_path.glob("child*")]
        assert len(grandchildren) == 2 and not any(alive(pid) for pid in grandchildren)

    def test_workers_stop_when_the_caller_is_killed(self, script, tmp_path):
        path = script(f"""
            import os, time
            open(os.path.join({str(tmp_path)!r}, f"pid{{os.getpid()}}"), "w").write("")
            time.sleep(600)
        """)
        caller = subprocess.Popen([sys.executable, "-c", (
            "from lossbook.distribute import run_local_workers; "
            f"run_local_workers({str(path)!r}, n=2, timeout=600)")])
        try:
            deadline = time.monotonic() + 60
            while len(list(tmp_path.glob("pid*"))) < 2:
                assert time.monotonic() < deadline, "the workers did not start"
                time.sleep(0.1)
        finally:
            caller.kill()  # SIGKILL: no clean-up of the caller's runs
            caller.wait()
        workers = [int(p.name.removeprefix("pid")) for p in tmp_path.glob("pid*")]
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in workers):
            assert time.monotonic() < deadline, "workers outlived their caller"
            time.sleep(0.1)

    def test_output_is_kept_when_a_worker_crashes(self, script):
        path = script("""
            import os
            print("joined the cluster")  # not flushed: kept because output is unbuffered
            os.abort()
        """)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
        with pytest.raises(WorkerError, match=r"(?s)was killed by SIGABRT.*joined the cluster"):
            run_local_workers(path, n=1, timeout=30, env=env)

    def test_the_worker_that_failed_first_is_named(self, script):
        path = script("""
            import json, os, sys, time
            if json.loads(os.environ["TF_CONFIG"])["task"]["index"] == 0:
                time.sleep(1.5)
                print("peer unavailable")
                sys.exit(1)
            print("the real cause")
            sys.exit(3)
        """)
        with pytest.raises(WorkerError, match=r"(?s)^worker 1 of 2 .* exited with status 3 "
                                              r".*the real cause"):
            run_local_workers(path, n=2, timeout=30)

    def test_the_timeout_names_the_workers_that_finished(self, script):
        path = script("""
            import json, os, time
            if json.loads(os.environ["TF_CONFIG"])["task"]["index"] == 0:
                time.sleep(600)
        """)
        with pytest.raises(WorkerError, match=r"workers \[0\] of 2 still running after 3 s: "
                                              r"stopped \(worker 1 exited with status 0"):
            run_local_workers(path, n=2, timeout=3)

    def test_fit_under_the_strategy_equals_keras(self, under_a_strategy):
        """model.fit with sample weights, compiled in the scope: the same loss history as
        Keras' SparseCategoricalCrossentropy (to 1e-6)."""
        import numpy as np

        fit = under_a_strategy["fit"]
        np.testing.assert_allclose(fit["lossbook"], fit["keras"], rtol=1e-6)

    def test_a_bad_class_id_raises_from_inside_a_replica(self, under_a_strategy):
        assert ("sparse_categorical_crossentropy: class ids must lie in [0, 3), got values "
                "from 1 to 5" in under_a_strategy["error"])
