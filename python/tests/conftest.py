import json
from importlib import resources
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def sample_bytes():
    """The shipped sample: COCO val2014 100-image GT and cocoapi's bbox results."""
    data = resources.files("vernier") / "data"
    return ((data / "instances_val2014_100.json").read_bytes(),
            (data / "instances_val2014_fakebbox100_results.json").read_bytes())


def tiny_gt(**overrides):
    """A two-image ground truth built in the test, as a dict."""
    gt = {
        "images": [{"id": 1, "width": 100, "height": 100}, {"id": 2, "width": 100, "height": 100}],
        "categories": [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}],
        "annotations": [
            {"id": 1, "image_id": 1, "category_id": 1, "bbox": [10, 10, 20, 20], "area": 400,
             "iscrowd": 0},
            {"id": 2, "image_id": 2, "category_id": 2, "bbox": [0, 0, 50, 40], "area": 2000,
             "iscrowd": 0},
        ],
    }
    gt.update(overrides)
    return gt


def tiny_dt():
    return [
        {"image_id": 1, "category_id": 1, "bbox": [10, 10, 20, 20], "score": 0.9},
        {"image_id": 2, "category_id": 2, "bbox": [5, 0, 50, 40], "score": 0.8},
        {"image_id": 2, "category_id": 1, "bbox": [60, 60, 10, 10], "score": 0.3},
    ]


def as_bytes(obj) -> bytes:
    return json.dumps(obj).encode()
