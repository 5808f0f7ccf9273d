/* fuzz_gt.h — the fixed small ground truth that fuzz_results_json and
 * fuzz_partial_roundtrip evaluate against (and make_partial_seeds.c writes
 * partials for).  Three images (one without size), two categories (the
 * first with 17 keypoint names), annotations with a polygon, a compressed
 * and an uncompressed RLE, a crowd, an ignore flag, id 0, keypoints, and
 * one on an unlisted image. */
#ifndef VN_FUZZ_GT_H
#define VN_FUZZ_GT_H

#define KP17 "[5,5,2,6,6,2,7,7,2,8,8,2,9,9,2,10,10,2,11,11,2,12,12,2,13,13,2,14,14,2,15,15,2," \
             "16,16,2,17,17,2,18,18,2,19,19,2,20,20,2,21,21,2]"
#define KP0 "[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]"
#define NAMES17 "[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\",\"k\",\"l\",\"m\"," \
                "\"n\",\"o\",\"p\",\"q\"]"

static const char fuzz_gt_json[] =
    "{\"images\":[{\"id\":1,\"width\":40,\"height\":30},{\"id\":2,\"width\":64,\"height\":48},"
    "{\"id\":3}],"
    "\"categories\":[{\"id\":1,\"keypoints\":" NAMES17 "},{\"id\":2}],"
    "\"annotations\":["
    "{\"id\":1,\"image_id\":1,\"category_id\":1,\"bbox\":[2,3,20,15],\"area\":300,\"iscrowd\":0,"
    "\"segmentation\":[[2,3,22,3,22,18,2,18]],\"num_keypoints\":17,\"keypoints\":" KP17 "},"
    "{\"id\":2,\"image_id\":1,\"category_id\":2,\"bbox\":[10,5,20,15],\"area\":300,\"iscrowd\":0,"
    "\"segmentation\":{\"size\":[30,40],\"counts\":\"a9??0000000000000000000000000000000000000W9\"},"
    "\"num_keypoints\":3,\"keypoints\":" KP17 "},"
    "{\"id\":3,\"image_id\":2,\"category_id\":1,\"bbox\":[0,0,64,48],\"area\":3072,\"iscrowd\":1,"
    "\"segmentation\":{\"size\":[48,64],\"counts\":[0,3072]},\"num_keypoints\":0,"
    "\"keypoints\":" KP17 "},"
    "{\"id\":4,\"image_id\":2,\"category_id\":2,\"bbox\":[1.5,2.5,8,9],\"area\":72,\"iscrowd\":0,"
    "\"ignore\":1,\"segmentation\":[[1.5,2.5,9.5,2.5,9.5,11.5],[20,20,30,20,25,30]],"
    "\"num_keypoints\":0,\"keypoints\":" KP0 "},"
    "{\"id\":5,\"image_id\":3,\"category_id\":2,\"bbox\":[0,0,4,4],\"area\":16,\"iscrowd\":0,"
    "\"segmentation\":{\"size\":[4,4],\"counts\":[0,16]},\"num_keypoints\":17,"
    "\"keypoints\":" KP17 "},"
    "{\"id\":0,\"image_id\":1,\"category_id\":1,\"bbox\":[0,0,1,1],\"area\":1,\"iscrowd\":0,"
    "\"segmentation\":[[0,0,1,0,1,1]],\"num_keypoints\":17,\"keypoints\":" KP17 "},"
    "{\"id\":6,\"image_id\":99,\"category_id\":1,\"bbox\":[0,0,4,4],\"area\":16,\"iscrowd\":0}"
    "]}";

#endif
