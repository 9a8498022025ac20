"""Training under MirroredStrategy, on two logical CPU devices made in a fresh process."""

import json
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import json, sys
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

    from brainlib import runs
    from brainlib.synthetic import make_synthetic
    from brainlib.training import TrainConfig, train

    base = sys.argv[1]
    run_dir = train(TrainConfig(depth=50, profile="smoke", data_dir=str(make_synthetic(base + "/data", 8, 32)),
                                results_dir=base + "/results", cache_dir=base + "/cache", image_size=32, batch_size=4,
                                epochs=1, devices=["/cpu:0", "/cpu:1"]))
    print("RECORD " + json.dumps(runs.read_json(run_dir / "record.json")))
    """
)


def test_two_logical_devices_train(tmp_path):
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    line = next(line for line in result.stdout.splitlines() if line.startswith("RECORD "))
    record = json.loads(line[len("RECORD ") :])
    assert record["status"] == "complete"
    assert record["distribution"]["strategy"] == "MirroredStrategy"
    assert record["distribution"]["replicas"] == 2
    assert record["distribution"]["global_batch_size"] == 8
    assert record["batch_size"] == 4


def test_strategy_in_scope_is_kept():
    import tensorflow as tf

    from brainlib.training import distribution_strategy

    outer = tf.distribute.MirroredStrategy(["/cpu:0"])
    with outer.scope():
        assert distribution_strategy() is outer
    assert not isinstance(distribution_strategy(), tf.distribute.MirroredStrategy)
