"""`make demo` (python -m vernier.demo): the README's first command prints
pycocotools' summary of the shipped sample, and says which mode made it."""
import subprocess
import sys
from importlib import resources

from parity.oracle import run_pycocotools


def test_demo_prints_pycocotools_summary_and_its_mode():
    p = subprocess.run([sys.executable, "-m", "vernier.demo"], capture_output=True, text=True,
                       check=True)
    header, *lines = p.stdout.splitlines()
    assert "parity_mode='strict'" in header
    data = resources.files("vernier") / "data"
    ref = run_pycocotools((data / "instances_val2014_100.json").read_bytes(),
                          (data / "instances_val2014_fakebbox100_results.json").read_bytes(),
                          "bbox")
    assert lines == list(ref.lines)
