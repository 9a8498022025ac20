"""The benchmark runs end to end and reports consistent figures; its speed is not asserted."""

import json

import pytest

from brainlib.bench import format_results, run_benchmark, write_results
from brainlib.synthetic import make_synthetic


def test_benchmark_reports_all_pipelines(tmp_path):
    data_dir = make_synthetic(tmp_path / "data", images_per_class=6, size=32)
    results = run_benchmark(depth=50, image_size=32, batch_size=4, steps=2, warmup=1, data_dir=str(data_dir), cache_dir=str(tmp_path / "cache"))
    for name in ("a_brainlib", "b_plain_keras", "c_in_memory"):
        assert results[name]["steps"] == 2
        assert results[name]["train_images_per_s"] > 0
        assert results[name]["inference_images_per_s"] > 0
    assert results["ratio_a_over_b"] == pytest.approx(results["a_brainlib"]["train_images_per_s"] / results["b_plain_keras"]["train_images_per_s"])
    assert results["ratio_a_over_c"] == pytest.approx(results["a_brainlib"]["train_images_per_s"] / results["c_in_memory"]["train_images_per_s"])
    frozen = results["frozen_backbone"]
    assert frozen["speedup"] == pytest.approx(frozen["uncached_run_s"] / frozen["cached_run_s"])
    assert frozen["uncached_run_s"] == pytest.approx(frozen["run_epochs"] * frozen["run_images"] / frozen["through_backbone_train_images_per_s"])
    assert "a/b =" in format_results(results)
    assert "frozen backbone" in format_results(results)
    write_results(results, tmp_path / "bench.json")
    assert json.loads((tmp_path / "bench.json").read_text())["depth"] == 50
