"""Benchmarks of vernier against pycocotools (and peers, when installed).

A package so that pytest puts the repository root on sys.path and the
workload generator can be shared as ``parity.generate``.
"""
