# Expected values for the result-list tests of libvernier/tests/test_coco.c:
# bbox and area of each result as pycocotools 2.0.11's COCO.loadRes sets them,
# printed as hex floats (pasted into the test).  Deterministic; not run by
# the build.  Usage: python gen_results_expected.py
import json, copy
from pycocotools.coco import COCO
import contextlib, io
SEG = '31h00^O0R10b0:iN0AF005::000l5FPJ0E0V20I0^O0\\O0ZO0T80^H090RO0?050I0V10nN'
gt = {"images": [{"id": i} for i in (1, 2, 3)], "categories": [{"id": 1}, {"id": 2}, {"id": 3}], "annotations": []}
cases = {
 'bbox': [{"image_id": 1, "category_id": 2, "bbox": [10.5, 20.25, 30.1, 40.7], "score": 0.9, "id": 77, "iscrowd": 1, "area": 5},
          {"image_id": 2.0, "category_id": 3, "bbox": [0, 0, 3, 7], "score": 1, "segmentation": [[1, 2, 3, 4, 5, 6]]}],
 'segm': [{"image_id": 1, "category_id": 1, "segmentation": {"size": [30, 40], "counts": SEG}, "score": 0.5},
          {"image_id": 3, "category_id": 1, "segmentation": {"counts": SEG, "size": [30, 40]}, "bbox": [1.5, 2, 3, 4], "score": 0.25}],
 'kps': [{"image_id": 1, "category_id": 1, "keypoints": [10, 20, 2, 5.5, 30, 0, 40, 1.25, 1], "score": 0.7, "center": [1, 2]},
         {"image_id": 2, "category_id": 1, "keypoints": [0.1, 0.2, 0, 0.3, 0.7, 0], "score": 0.1}],
}
with contextlib.redirect_stdout(io.StringIO()):
    c = COCO(); c.dataset = gt; c.createIndex()
for k, v in cases.items():
    with contextlib.redirect_stdout(io.StringIO()):
        r = c.loadRes(copy.deepcopy(v))
    for a in r.dataset['annotations']:
        print(k, [float(x).hex() for x in a['bbox']], float(a['area']).hex(), repr([float(x) for x in a['bbox']]), repr(float(a['area'])))
