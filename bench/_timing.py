"""Small timing helpers: median and p95 of repeated calls, in milliseconds."""

import statistics
import time


def measure(fn, repeat: int = 200, warmup: int = 10) -> dict[str, float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return _figures(samples)


def measure_alternately(
    baseline, fn, repeat: int = 200, warmup: int = 10
) -> tuple[dict[str, float], dict[str, float]]:
    """Both figures from calls taken in turn, so a neighbour's load on the machine falls on
    both alike and their ratio holds."""
    for _ in range(warmup):
        baseline()
        fn()
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for call, kept in ((baseline, samples[0]), (fn, samples[1])):
            start = time.perf_counter()
            call()
            kept.append((time.perf_counter() - start) * 1000)
    return _figures(samples[0]), _figures(samples[1])


def _figures(samples: list[float]) -> dict[str, float]:
    samples.sort()
    return {"median": statistics.median(samples), "p95": samples[int(len(samples) * 0.95) - 1]}


def _ms(value: float) -> str:
    return f"{value * 1000:8.2f} µs" if value < 0.1 else f"{value:8.3f} ms"


def row(label: str, figures: dict[str, float], baseline: dict[str, float] | None = None) -> str:
    text = f"  {label:<48} median {_ms(figures['median'])}   p95 {_ms(figures['p95'])}"
    if baseline:
        text += f"   x{figures['median'] / baseline['median']:.1f} of baseline"
    return text
