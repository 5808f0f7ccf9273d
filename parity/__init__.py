"""Parity suite: vernier (strict mode) against pycocotools 2.0.11, bit for bit.

``oracle`` runs pycocotools on in-memory data, ``generate`` builds synthetic
COCO workloads (realistic and adversarial), and the ``test_*`` modules compare
the two.  This is a package so that ``benchmarks/`` can reuse the generator as
``parity.generate``.
"""
