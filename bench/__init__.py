"""`make bench`: measured speed and scale of the suite, each figure beside its target and the two ceilings.

Run from the repository root as ``python -m bench`` (``BENCH_QUICK=1`` for a short run); results land in
``bench/results/latest.{json,md,png}``. See bench/README.md.
"""
