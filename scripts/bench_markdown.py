"""Print the README's performance table from benchmark JSON files written by `python -m brainlib bench --out`.

Usage: python scripts/bench_markdown.py figures/bench_resnet50_128.json [more.json ...]
"""

from __future__ import annotations

import json
import sys


def main(paths: list[str]) -> None:
    print(
        "| depth | px | batch | (a) brainlib img/s | (b) plain Keras img/s | (c) in-memory img/s | a/b | a/c "
        "| inference (a) img/s | frozen backbone, 10 epochs: uncached -> cached | peak memory |"
    )
    print("|---" * 11 + "|")
    for path in paths:
        with open(path, encoding="utf-8") as stream:
            result = json.load(stream)
        frozen = result["frozen_backbone"]
        print(
            f"| ResNet-{result['depth']} | {result['image_size']} | {result['batch_size']} "
            f"| {result['a_brainlib']['train_images_per_s']:.1f} | {result['b_plain_keras']['train_images_per_s']:.1f} "
            f"| {result['c_in_memory']['train_images_per_s']:.1f} | {result['ratio_a_over_b']:.2f} | {result['ratio_a_over_c']:.2f} "
            f"| {result['a_brainlib']['inference_images_per_s']:.1f} "
            f"| {frozen['uncached_run_s']:.0f} s -> {frozen['cached_run_s']:.0f} s ({frozen['speedup']:.1f}x) "
            f"| {result['peak_memory_mib'] / 1024:.1f} GiB |"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
