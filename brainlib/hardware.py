"""Hardware capabilities: bfloat16 support on the CPU or GPU."""

from __future__ import annotations

import tensorflow as tf

# CPU flags that give native bfloat16 arithmetic (Intel Cooper Lake and later, AMD Zen 4 and later).
BF16_CPU_FLAGS = ("avx512_bf16", "amx_bf16")


def cpu_flags() -> set[str]:
    """Return the CPU feature flags from /proc/cpuinfo; empty where it does not exist."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as stream:
            for line in stream:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def bfloat16_support() -> tuple[bool, str]:
    """Say whether mixed bfloat16 training is worth using here, and why."""
    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        details = tf.config.experimental.get_device_details(gpus[0])
        capability = details.get("compute_capability") or (0, 0)
        if tuple(capability) >= (8, 0):
            return True, f"GPU {details.get('device_name', gpus[0].name)} (compute capability {capability[0]}.{capability[1]})"
        return False, f"GPU compute capability {capability} is below 8.0"
    found = sorted(set(BF16_CPU_FLAGS) & cpu_flags())
    if found:
        return True, f"CPU flags {', '.join(found)}"
    return False, "no CPU bfloat16 instructions (avx512_bf16 or amx_bf16) found"
