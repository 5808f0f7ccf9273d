/*
 * vernier_cli.c — the `vernier` command-line program.
 *
 *   vernier eval --gt GT.json --dt DT.json --iou-type bbox [options]
 *   vernier compare A.json B.json [--max-drop METRIC=DELTA]... [--per-class]
 *
 * Uses the public API of libvernier only (vernier.h) and needs nothing but
 * libc: it is what CI gates and non-Python pipelines run.  The Python
 * package's console script (python/src/vernier/cli.py) implements the same
 * command line and must print the same bytes on stdout and exit with the
 * same status; python/tests/test_cli.py holds the two to that.
 *
 * Contract (docs/reference/cli.md): stdout carries data only, diagnostics go
 * to stderr; exit 0 on success, 1 when the evaluation failed (unreadable or
 * invalid input, an evaluation error, output not written), 2 for a bad
 * command line, 3 when a --fail-under gate failed.  Strict-mode text output is byte for byte what pycocotools'
 * COCOeval.summarize() prints.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "vernier.h"

#define EXIT_EVAL 1
#define EXIT_USAGE 2
#define EXIT_GATE 3
#define MAX_EMITS 8
#define MAX_GATES 16
#define JSON_SCHEMA "vernier.eval/1"

/* ------------------------------------------------------------------------
 * Help texts.  The Python console script prints the same bytes.
 * --------------------------------------------------------------------- */

static const char HELP_MAIN[] =
    "usage: vernier <command> [options]\n"
    "       vernier --help | --version\n"
    "\n"
    "COCO-style detection evaluation with libvernier.  In strict parity mode the\n"
    "numbers are bit for bit those of pycocotools 2.0.11.\n"
    "\n"
    "Commands:\n"
    "  eval           evaluate detections against ground truth and print the\n"
    "                 summary ('vernier eval --help' for its options)\n"
    "  compare        compare two 'vernier eval --emit json' results\n"
    "                 ('vernier compare --help')\n"
    "\n"
    "Options:\n"
    "  -h, --help     show this help and exit\n"
    "  --version      print the version and exit\n"
    "\n"
    "Exit status: 0 success, 1 evaluation failed (unreadable or invalid input),\n"
    "2 bad command line, 3 a --fail-under or --max-drop gate failed.\n";

static const char HELP_EVAL[] =
    "usage: vernier eval --gt GT.json --dt DT.json --iou-type TYPE [options]\n"
    "\n"
    "Evaluate a loadRes-shaped result list against COCO ground truth and print\n"
    "the summary: the lines pycocotools' COCOeval.summarize() prints (12; 10 for\n"
    "keypoints), byte for byte in strict mode.\n"
    "\n"
    "Input:\n"
    "  --gt PATH             COCO ground-truth JSON ('-': standard input)\n"
    "  --dt PATH             result list JSON ('-': standard input)\n"
    "  --iou-type TYPE       bbox, segm, boundary or keypoints (required)\n"
    "\n"
    "Evaluation:\n"
    "  --parity-mode MODE    strict (default): pycocotools 2.0.11 bit for bit,\n"
    "                        quirks included; corrected: the documented quirks\n"
    "                        fixed\n"
    "  --max-dets N,N,...    max-detection caps: 1 to 16 distinct integers >= 0\n"
    "                        (default 1,10,100; keypoints 20)\n"
    "  --no-use-cats         pool all categories (pycocotools useCats=0)\n"
    "  --use-cats            evaluate per category (default)\n"
    "  --dilation-ratio R    boundary only: band width as a fraction of the\n"
    "                        image diagonal, in (0, 1] (default 0.02)\n"
    "  --sigmas FILE         keypoints only: OKS sigmas as JSON, a list of\n"
    "                        numbers for every category or an object mapping\n"
    "                        category ids (\"1\") to lists (default: COCO's 17)\n"
    "  --threads N           match on N threads (0: one per CPU); default 1;\n"
    "                        the numbers do not depend on it\n"
    "\n"
    "Output:\n"
    "  --emit FMT[=PATH]     text, json, markdown or csv (the per-class table),\n"
    "                        to standard output or written atomically to PATH;\n"
    "                        repeatable, at most one to standard output\n"
    "                        (default: text); plot=DIR draws PNG plots into DIR\n"
    "                        (the Python package's vernier command with\n"
    "                        matplotlib only)\n"
    "  --per-class           add the per-class table to text, json and markdown\n"
    "  -q, --quiet           no progress line and no warnings on stderr\n"
    "  -h, --help            show this help and exit\n"
    "\n"
    "Gate:\n"
    "  --fail-under METRIC=VALUE\n"
    "                        exit 3 when the metric (AP, AP50, AP75, APs, APm,\n"
    "                        APl, AR1, AR10, AR100, ARs, ARm, ARl; keypoints AP,\n"
    "                        AP50, AP75, APm, APl, AR, AR50, AR75, ARm, ARl; the\n"
    "                        AR caps follow --max-dets) is below VALUE;\n"
    "                        repeatable\n"
    "\n"
    "Errors go to stderr with the file, line, column, byte offset and JSON path\n"
    "of the problem.  Exit status: 0 success; 1 evaluation failed (unreadable\n"
    "or invalid input, evaluation error, output not written); 2 bad command\n"
    "line; 3 a --fail-under gate failed (the outputs are written).  The JSON\n"
    "output (schema \"" JSON_SCHEMA "\") is described in docs/reference/cli.md.\n";

static const char HELP_COMPARE[] =
    "usage: vernier compare A.json B.json [--max-drop METRIC=DELTA]... [--per-class]\n"
    "\n"
    "Compare two results of 'vernier eval --emit json' (schema " JSON_SCHEMA "):\n"
    "one line per metric with A's value, B's value and B - A; with --per-class,\n"
    "also the per-class AP of categories both documents list (written with\n"
    "'vernier eval --per-class').\n"
    "\n"
    "Options:\n"
    "  --max-drop METRIC=DELTA\n"
    "                        exit 3 when METRIC (a name of the documents'\n"
    "                        \"metrics\") fell from A to B by more than DELTA;\n"
    "                        repeatable\n"
    "  --per-class           the per-class AP table after the metrics\n"
    "  -h, --help            show this help and exit\n"
    "\n"
    "Exit status: 0 no gate failed; 1 a file is unreadable or not a\n"
    "vernier.eval/1 document, or lacks a metric a gate names; 2 bad command\n"
    "line; 3 a --max-drop gate failed.\n";

/* ------------------------------------------------------------------------
 * Small utilities: a growable byte buffer, diagnostics, timing.
 * --------------------------------------------------------------------- */

typedef struct sbuf {
    char *p;
    size_t n, cap;
    int oom;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        char *q;
        while (cap < b->n + n + 1)
            cap *= 2;
        q = realloc(b->p, cap);
        if (q == NULL) {
            b->oom = 1;
            return;
        }
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void sb_puts(sbuf *b, const char *s)
{
    sb_put(b, s, strlen(s));
}

static void sb_printf(sbuf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    int k;
    va_start(ap, fmt);
    k = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (k < 0)
        b->oom = 1;
    else
        sb_put(b, tmp, (size_t)k < sizeof(tmp) ? (size_t)k : sizeof(tmp) - 1);
}

static const char *g_command = "eval"; /* the command usage errors point to */

static int usage_error(const char *fmt, ...)
{
    va_list ap;
    fputs("vernier: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'vernier %s --help'.\n", g_command);
    return EXIT_USAGE;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The progress line: rewritten in place on a terminal, never elsewhere. */
static int g_progress;

static void progress(const char *fmt, ...)
{
    va_list ap;
    if (!g_progress)
        return;
    fputs("\r\033[Kvernier: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fflush(stderr);
}

static void progress_end(void)
{
    if (g_progress)
        fputs("\r\033[K", stderr);
}

/* Shortest decimal that reads back (strtod) to the same double: the first
 * of %.15g, %.16g, %.17g that round-trips, with ".0" added to integers so
 * that JSON readers see a float.  This is Python's repr() in digits; the
 * Python console script applies the same rule, so both print equal bytes. */
static void format_double(char *buf, size_t cap, double v)
{
    int p;
    if (!isfinite(v)) {
        snprintf(buf, cap, "null");
        return;
    }
    for (p = 15; p <= 17; p++) {
        snprintf(buf, cap, "%.*g", p, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    if (strspn(buf, "-0123456789") == strlen(buf) && strlen(buf) + 3 <= cap)
        strcat(buf, ".0");
}

/* ------------------------------------------------------------------------
 * Reading files: plain stdio into a buffer we allocate.
 * --------------------------------------------------------------------- */

static const char *display_name(const char *path)
{
    return strcmp(path, "-") == 0 ? "<stdin>" : path;
}

static int read_file(const char *path, char **out, size_t *out_len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0;
    struct stat st;
    *out = NULL;
    *out_len = 0;
    if (f == NULL)
        goto fail;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        errno = EISDIR;
        goto fail;
    }
    cap = (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
              ? (size_t)st.st_size + 1
              : 65536;
    for (;;) {
        size_t got;
        if (buf == NULL || n == cap) {
            char *q;
            if (buf != NULL)
                cap *= 2;
            q = realloc(buf, cap);
            if (q == NULL) {
                errno = ENOMEM;
                goto fail;
            }
            buf = q;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) {
                if (errno == 0)
                    errno = EIO;
                goto fail;
            }
            break;
        }
    }
    if (f != stdin)
        fclose(f);
    *out = buf;
    *out_len = n;
    return 0;
fail:
    fprintf(stderr, "vernier: %s: cannot read: %s\n", display_name(path), strerror(errno));
    if (f != NULL && f != stdin)
        fclose(f);
    free(buf);
    return -1;
}

/* ------------------------------------------------------------------------
 * Reporting library errors.
 * --------------------------------------------------------------------- */

static const char *status_name(int code)
{
    static const char *const names[] = {
        "VERNIER_OK",        "VERNIER_E_INVALID_ARG",   "VERNIER_E_NOMEM",
        "VERNIER_E_BUDGET",  "VERNIER_E_JSON",          "VERNIER_E_SCHEMA",
        "VERNIER_E_UNKNOWN_IMAGE", "VERNIER_E_RLE",     "VERNIER_E_STATE",
        "VERNIER_E_LIMIT",   "VERNIER_E_UNSUPPORTED",   "VERNIER_E_DUPLICATE_IMAGE",
        "VERNIER_E_QUEUE_FULL", "VERNIER_E_PARTIAL_CORRUPT", "VERNIER_E_PARTIAL_VERSION",
        "VERNIER_E_PARTIAL_MISMATCH", "VERNIER_E_PARTIAL_DATASET"};
    if (code <= 0 && -code < (int)(sizeof(names) / sizeof(names[0])))
        return names[-code];
    return "VERNIER_E_UNKNOWN";
}

/* Appends to note[k..cap); returns the new length (never past cap - 1). */
static size_t note_add(char *note, size_t cap, size_t k, const char *fmt, ...)
{
    va_list ap;
    int w;
    va_start(ap, fmt);
    w = vsnprintf(note + k, cap - k, fmt, ap);
    va_end(ap);
    if (w < 0)
        return k;
    return k + (size_t)w < cap ? k + (size_t)w : cap - 1;
}

/* Prints
 *   vernier: FILE:LINE:COLUMN: error: MESSAGE
 *   vernier: note: byte offset N, line L, column C, JSON path P, element I, status NAME (CODE)
 * leaving out what is not known (rc 0: no library status).  When the library gave an offset but no
 * line and column, they are counted in `data`. */
static void report(const char *file, const char *data, size_t len, int rc, const vernier_error *e)
{
    long long off = e->offset, line = e->line, col = e->column;
    char note[640];
    size_t k = 0;
    if (off >= 0 && line < 0 && data != NULL && (size_t)off <= len) {
        size_t i;
        line = 1;
        col = 1;
        for (i = 0; i < (size_t)off; i++) {
            if (data[i] == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
    }
    if (file != NULL && line >= 0)
        fprintf(stderr, "vernier: %s:%lld:%lld: error: %s\n", file, line, col, e->message);
    else if (file != NULL)
        fprintf(stderr, "vernier: %s: error: %s\n", file, e->message);
    else
        fprintf(stderr, "vernier: error: %s\n", e->message);
    note[0] = '\0';
    if (off >= 0)
        k = note_add(note, sizeof(note), k, "byte offset %lld, ", off);
    if (line >= 0)
        k = note_add(note, sizeof(note), k, "line %lld, column %lld, ", line, col);
    if (e->path[0] != '\0')
        k = note_add(note, sizeof(note), k, "JSON path %.*s, ", (int)sizeof(e->path), e->path);
    if (e->index >= 0)
        k = note_add(note, sizeof(note), k, "element %lld, ", (long long)e->index);
    if (rc != 0)
        note_add(note, sizeof(note), k, "status %s (%d)", status_name(rc), rc);
    else if (k >= 2)
        note[k - 2] = '\0';
    if (note[0] != '\0')
        fprintf(stderr, "vernier: note: %s\n", note);
}

/* ------------------------------------------------------------------------
 * --sigmas FILE: a list of numbers, or an object of category id -> list.
 * A tiny JSON reader for exactly those two shapes.
 * --------------------------------------------------------------------- */

typedef struct sigmas {
    int given;
    int is_list;
    double *values;    /* all numbers, in order (list; or per id after sorting) */
    size_t n_values;
    int64_t *ids;      /* object form: one per category, ascending */
    size_t *counts;
    size_t n_ids;
} sigmas;

typedef struct jreader {
    const char *s;
    size_t n, i;
    const char *file;
    char msg[200];
} jreader;

static void jr_ws(jreader *r)
{
    while (r->i < r->n && (r->s[r->i] == ' ' || r->s[r->i] == '\t' || r->s[r->i] == '\n' ||
                           r->s[r->i] == '\r'))
        r->i++;
}

static int jr_fail(jreader *r, const char *what)
{
    snprintf(r->msg, sizeof(r->msg), "%s", what);
    return -1;
}

/* A JSON number (RFC 8259 grammar), > 0 and finite. */
static int jr_number(jreader *r, double *out)
{
    size_t a = r->i, j = r->i;
    char tmp[400];
    const char *s = r->s;
    if (j < r->n && s[j] == '-')
        j++;
    if (j < r->n && s[j] == '0')
        j++;
    else if (j < r->n && s[j] >= '1' && s[j] <= '9')
        while (j < r->n && s[j] >= '0' && s[j] <= '9')
            j++;
    else
        return jr_fail(r, "sigmas: expected a number");
    if (j < r->n && s[j] == '.') {
        j++;
        if (!(j < r->n && s[j] >= '0' && s[j] <= '9'))
            return jr_fail(r, "sigmas: expected a digit after the decimal point");
        while (j < r->n && s[j] >= '0' && s[j] <= '9')
            j++;
    }
    if (j < r->n && (s[j] == 'e' || s[j] == 'E')) {
        j++;
        if (j < r->n && (s[j] == '+' || s[j] == '-'))
            j++;
        if (!(j < r->n && s[j] >= '0' && s[j] <= '9'))
            return jr_fail(r, "sigmas: expected a digit in the exponent");
        while (j < r->n && s[j] >= '0' && s[j] <= '9')
            j++;
    }
    if (j - a >= sizeof(tmp))
        return jr_fail(r, "sigmas: number too long");
    memcpy(tmp, s + a, j - a);
    tmp[j - a] = '\0';
    *out = strtod(tmp, NULL);
    if (!(*out > 0) || !isfinite(*out))
        return jr_fail(r, "sigmas: each sigma must be finite and > 0");
    r->i = j;
    return 0;
}

/* [ number, ... ] (non-empty) appended to sg->values. */
static int jr_list(jreader *r, sigmas *sg, size_t *count)
{
    *count = 0;
    if (!(r->i < r->n && r->s[r->i] == '['))
        return jr_fail(r, "sigmas: expected a list of numbers");
    r->i++;
    jr_ws(r);
    if (r->i < r->n && r->s[r->i] == ']')
        return jr_fail(r, "sigmas: a list of sigmas must not be empty");
    for (;;) {
        double v;
        double *q;
        jr_ws(r);
        if (jr_number(r, &v) < 0)
            return -1;
        q = realloc(sg->values, (sg->n_values + 1) * sizeof(double));
        if (q == NULL)
            return jr_fail(r, "sigmas: out of memory");
        sg->values = q;
        sg->values[sg->n_values++] = v;
        (*count)++;
        jr_ws(r);
        if (r->i < r->n && r->s[r->i] == ',') {
            r->i++;
            continue;
        }
        if (r->i < r->n && r->s[r->i] == ']') {
            r->i++;
            return 0;
        }
        return jr_fail(r, "sigmas: expected ',' or ']'");
    }
}

/* "digits" (an optional '-', no escapes) as a category id. */
static int jr_id(jreader *r, int64_t *out)
{
    size_t j;
    long long v;
    char tmp[32];
    if (!(r->i < r->n && r->s[r->i] == '"'))
        return jr_fail(r, "sigmas: expected a category id in quotes");
    j = r->i + 1;
    if (j < r->n && r->s[j] == '-')
        j++;
    while (j < r->n && r->s[j] >= '0' && r->s[j] <= '9')
        j++;
    if (!(j < r->n && r->s[j] == '"') || j == r->i + 1 ||
        (r->s[j - 1] == '-') || j - r->i - 1 >= sizeof(tmp))
        return jr_fail(r, "sigmas: a key must be a category id: an integer in quotes");
    memcpy(tmp, r->s + r->i + 1, j - r->i - 1);
    tmp[j - r->i - 1] = '\0';
    errno = 0;
    v = strtoll(tmp, NULL, 10);
    if (errno == ERANGE)
        return jr_fail(r, "sigmas: category id out of range");
    *out = (int64_t)v;
    r->i = j + 1;
    return 0;
}

static int load_sigmas(const char *path, sigmas *sg)
{
    char *data;
    size_t len, i, j, off;
    jreader r;
    int64_t *raw_ids = NULL;
    size_t *raw_counts = NULL;
    int rc = -1;
    if (read_file(path, &data, &len) < 0)
        return -1;
    memset(&r, 0, sizeof(r));
    r.s = data;
    r.n = len;
    jr_ws(&r);
    if (r.i < r.n && r.s[r.i] == '[') {
        size_t cnt;
        sg->is_list = 1;
        if (jr_list(&r, sg, &cnt) < 0)
            goto done;
    } else if (r.i < r.n && r.s[r.i] == '{') {
        r.i++;
        jr_ws(&r);
        if (r.i < r.n && r.s[r.i] == '}') {
            r.i++;
        } else {
            for (;;) {
                int64_t id;
                size_t cnt;
                void *q1, *q2;
                jr_ws(&r);
                if (jr_id(&r, &id) < 0)
                    goto done;
                for (i = 0; i < sg->n_ids; i++)
                    if (raw_ids[i] == id) {
                        jr_fail(&r, "sigmas: a category id is given twice");
                        goto done;
                    }
                jr_ws(&r);
                if (!(r.i < r.n && r.s[r.i] == ':')) {
                    jr_fail(&r, "sigmas: expected ':'");
                    goto done;
                }
                r.i++;
                jr_ws(&r);
                if (jr_list(&r, sg, &cnt) < 0)
                    goto done;
                q1 = realloc(raw_ids, (sg->n_ids + 1) * sizeof(int64_t));
                if (q1 != NULL)
                    raw_ids = q1;
                q2 = realloc(raw_counts, (sg->n_ids + 1) * sizeof(size_t));
                if (q2 != NULL)
                    raw_counts = q2;
                if (q1 == NULL || q2 == NULL) {
                    jr_fail(&r, "sigmas: out of memory");
                    goto done;
                }
                raw_ids[sg->n_ids] = id;
                raw_counts[sg->n_ids] = cnt;
                sg->n_ids++;
                jr_ws(&r);
                if (r.i < r.n && r.s[r.i] == ',') {
                    r.i++;
                    continue;
                }
                if (r.i < r.n && r.s[r.i] == '}') {
                    r.i++;
                    break;
                }
                jr_fail(&r, "sigmas: expected ',' or '}'");
                goto done;
            }
        }
        /* sort by id (as the Python binding does), moving the values along */
        if (sg->n_ids > 0) {
            size_t *order = malloc(sg->n_ids * sizeof(size_t));
            size_t *start = malloc(sg->n_ids * sizeof(size_t));
            double *vals = malloc(sg->n_values * sizeof(double));
            sg->ids = malloc(sg->n_ids * sizeof(int64_t));
            sg->counts = malloc(sg->n_ids * sizeof(size_t));
            if (order == NULL || start == NULL || vals == NULL || sg->ids == NULL ||
                sg->counts == NULL) {
                free(order);
                free(start);
                free(vals);
                jr_fail(&r, "sigmas: out of memory");
                goto done;
            }
            for (i = 0, off = 0; i < sg->n_ids; i++) {
                order[i] = i;
                start[i] = off;
                off += raw_counts[i];
            }
            for (i = 1; i < sg->n_ids; i++) /* insertion sort: a handful of categories */
                for (j = i; j > 0 && raw_ids[order[j - 1]] > raw_ids[order[j]]; j--) {
                    size_t t = order[j];
                    order[j] = order[j - 1];
                    order[j - 1] = t;
                }
            for (i = 0, off = 0; i < sg->n_ids; i++) {
                size_t o = order[i];
                sg->ids[i] = raw_ids[o];
                sg->counts[i] = raw_counts[o];
                memcpy(vals + off, sg->values + start[o], raw_counts[o] * sizeof(double));
                off += raw_counts[o];
            }
            free(sg->values);
            sg->values = vals;
            free(order);
            free(start);
        }
    } else {
        jr_fail(&r, "sigmas: expected a list of numbers or an object of category id -> list");
        goto done;
    }
    jr_ws(&r);
    if (r.i != r.n) {
        jr_fail(&r, "sigmas: unexpected data after the JSON value");
        goto done;
    }
    sg->given = 1;
    rc = 0;
done:
    if (rc < 0) {
        vernier_error e = VERNIER_ERROR_INIT;
        e.offset = (int64_t)r.i;
        e.line = e.column = e.index = -1;
        snprintf(e.message, sizeof(e.message), "%s", r.msg);
        report(path, data, len, 0, &e);
    }
    free(raw_ids);
    free(raw_counts);
    free(data);
    return rc;
}

static void free_sigmas(sigmas *sg)
{
    free(sg->values);
    free(sg->ids);
    free(sg->counts);
}

/* ------------------------------------------------------------------------
 * Command line.
 * --------------------------------------------------------------------- */

enum { FMT_TEXT, FMT_JSON, FMT_MARKDOWN, FMT_CSV };

typedef struct emit {
    int fmt;           /* FMT_* */
    const char *path;  /* NULL: stdout */
} emit;

typedef struct gate {
    const char *name;  /* the metric: name_len bytes */
    size_t name_len;
    const char *text;  /* the threshold as given */
    double value;
} gate;

typedef struct eval_args {
    const char *gt, *dt, *sigmas_path;
    int iou_type;      /* -1 until given */
    int parity_mode;
    int use_cats;
    int have_max_dets;
    size_t n_max_dets;
    int64_t max_dets[VERNIER_MAX_MAX_DETS];
    int have_ratio;
    double dilation_ratio;
    long threads;
    int quiet;
    int per_class;
    size_t n_emits;
    emit emits[MAX_EMITS];
    size_t n_gates;
    gate gates[MAX_GATES];
} eval_args;

static const char *const IOU_NAMES[] = {"bbox", "segm", "boundary", "keypoints"};
static const char *const MODE_NAMES[] = {"strict", "corrected"};

static int is_digits(const char *s, size_t n)
{
    size_t i;
    if (n == 0)
        return 0;
    for (i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* digits [ . digits ] [ (e|E) [+|-] digits ], or . digits ...; no sign, no
 * spaces, no hex, no inf/nan (the Python script accepts the same set). */
static int is_decimal(const char *s)
{
    size_t i = 0, d = 0;
    while (s[i] >= '0' && s[i] <= '9')
        i++, d++;
    if (s[i] == '.') {
        i++;
        while (s[i] >= '0' && s[i] <= '9')
            i++, d++;
    }
    if (d == 0)
        return 0;
    if (s[i] == 'e' || s[i] == 'E') {
        size_t e = 0;
        i++;
        if (s[i] == '+' || s[i] == '-')
            i++;
        while (s[i] >= '0' && s[i] <= '9')
            i++, e++;
        if (e == 0)
            return 0;
    }
    return s[i] == '\0';
}

static int parse_max_dets(eval_args *a, const char *v)
{
    const char *p = v;
    a->n_max_dets = 0;
    for (;;) {
        const char *c = strchr(p, ',');
        size_t n = c ? (size_t)(c - p) : strlen(p), i;
        char tmp[24];
        long long x;
        if (!is_digits(p, n) || n >= sizeof(tmp))
            return usage_error("--max-dets: '%s' is not a comma-separated list of integers >= 0",
                               v);
        memcpy(tmp, p, n);
        tmp[n] = '\0';
        errno = 0;
        x = strtoll(tmp, NULL, 10);
        if (errno == ERANGE)
            return usage_error("--max-dets: %s is too large", tmp);
        if (a->n_max_dets == VERNIER_MAX_MAX_DETS)
            return usage_error("--max-dets: at most %d caps", VERNIER_MAX_MAX_DETS);
        for (i = 0; i < a->n_max_dets; i++)
            if (a->max_dets[i] == x)
                return usage_error("--max-dets: %lld is given twice", x);
        a->max_dets[a->n_max_dets++] = x;
        if (c == NULL)
            break;
        p = c + 1;
    }
    a->have_max_dets = 1;
    return 0;
}

static int parse_emit(eval_args *a, const char *v)
{
    static const char *const FORMATS[] = {"text", "json", "markdown", "csv"};
    const char *eq = strchr(v, '=');
    size_t n = eq ? (size_t)(eq - v) : strlen(v), i;
    emit e;
    e.fmt = -1;
    for (i = 0; i < 4; i++)
        if (n == strlen(FORMATS[i]) && strncmp(v, FORMATS[i], n) == 0)
            e.fmt = (int)i;
    if (e.fmt < 0 && n == 4 && strncmp(v, "plot", 4) == 0)
        /* plots need matplotlib: only the Python console script draws them */
        return usage_error("--emit: this program cannot draw plots (in '%s'); use the Python "
                           "package's vernier command: pip install 'libvernier[plot]'", v);
    if (e.fmt < 0)
        return usage_error("--emit: unknown format in '%s' (expected text, json, markdown or "
                           "csv)", v);
    e.path = NULL;
    if (eq != NULL) {
        if (eq[1] == '\0')
            return usage_error("--emit: empty path in '%s'", v);
        if (strcmp(eq + 1, "-") != 0)
            e.path = eq + 1;
    }
    for (i = 0; i < a->n_emits; i++) {
        if (e.path == NULL && a->emits[i].path == NULL)
            return usage_error("--emit: at most one output may go to standard output");
        if (e.path != NULL && a->emits[i].path != NULL && strcmp(e.path, a->emits[i].path) == 0)
            return usage_error("--emit: '%s' is given twice", e.path);
    }
    if (a->n_emits == MAX_EMITS)
        return usage_error("--emit: at most %d outputs", MAX_EMITS);
    a->emits[a->n_emits++] = e;
    return 0;
}

/* METRIC=VALUE of --fail-under. */
static int parse_gate(eval_args *a, const char *option, const char *v)
{
    const char *eq = strchr(v, '=');
    gate *g;
    if (eq == NULL || eq == v)
        return usage_error("%s: '%s' is not METRIC=VALUE", option, v);
    if (!is_decimal(eq + 1))
        return usage_error("%s: '%s' is not a number", option, eq + 1);
    if (a->n_gates == MAX_GATES)
        return usage_error("%s: at most %d gates", option, MAX_GATES);
    g = &a->gates[a->n_gates++];
    g->name = v;
    g->name_len = (size_t)(eq - v);
    g->text = eq + 1;
    g->value = strtod(eq + 1, NULL);
    return 0;
}

/* The names of the summary statistics for the command line's kernel and
 * ladder (vernier_stat_info names them so): `out` gets up to 12. */
static size_t metric_names(const eval_args *a, char out[][VERNIER_STAT_NAME_SIZE])
{
    static const char *const KP[] = {"AP", "AP50", "AP75", "APm", "APl",
                                     "AR", "AR50", "AR75", "ARm", "ARl"};
    static const char *const DET[] = {"AP", "AP50", "AP75", "APs", "APm", "APl",
                                      NULL, NULL, NULL, "ARs", "ARm", "ARl"};
    int64_t caps[VERNIER_MAX_MAX_DETS] = {1, 10, 100};
    size_t i, j, n = 3;
    if (a->iou_type == VERNIER_IOU_KEYPOINTS) {
        for (i = 0; i < 10; i++)
            snprintf(out[i], VERNIER_STAT_NAME_SIZE, "%s", KP[i]);
        return 10;
    }
    if (a->have_max_dets) {
        n = a->n_max_dets;
        for (i = 0; i < n; i++)
            caps[i] = a->max_dets[i];
        for (i = 1; i < n; i++) /* ascending, as the evaluation orders them */
            for (j = i; j > 0 && caps[j - 1] > caps[j]; j--) {
                int64_t t = caps[j];
                caps[j] = caps[j - 1];
                caps[j - 1] = t;
            }
    }
    for (i = 0; i < 12; i++) {
        if (DET[i] != NULL)
            snprintf(out[i], VERNIER_STAT_NAME_SIZE, "%s", DET[i]);
        else
            snprintf(out[i], VERNIER_STAT_NAME_SIZE, "AR%lld", (long long)caps[i - 6]);
    }
    return 12;
}

static int lookup(const char *const *names, int n, const char *v)
{
    int i;
    for (i = 0; i < n; i++)
        if (strcmp(names[i], v) == 0)
            return i;
    return -1;
}

/* Returns 0 to go on, or the exit status (help printed: 0 via *done). */
static int parse_eval_args(int argc, char **argv, eval_args *a, int *done)
{
    static const char *const WITH_VALUE[] = {"--gt", "--dt", "--iou-type", "--parity-mode",
                                             "--max-dets", "--dilation-ratio", "--sigmas",
                                             "--threads", "--emit", "--fail-under"};
    char names[12][VERNIER_STAT_NAME_SIZE];
    size_t n_names, g;
    int i, seen[10] = {0};
    memset(a, 0, sizeof(*a));
    a->iou_type = -1;
    a->use_cats = 1;
    a->threads = 1;
    *done = 0;
    for (i = 0; i < argc; i++) {
        const char *arg = argv[i], *val = NULL;
        char name[32];
        const char *eq;
        size_t k;
        int w;
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            fputs(HELP_EVAL, stdout);
            *done = 1;
            return 0;
        }
        if (strcmp(arg, "-q") == 0 || strcmp(arg, "--quiet") == 0) {
            a->quiet = 1;
            continue;
        }
        if (strcmp(arg, "--no-use-cats") == 0) {
            a->use_cats = 0;
            continue;
        }
        if (strcmp(arg, "--use-cats") == 0) {
            a->use_cats = 1;
            continue;
        }
        if (strcmp(arg, "--per-class") == 0) {
            a->per_class = 1;
            continue;
        }
        if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
            if (arg[0] == '-' && arg[1] != '\0')
                return usage_error("unknown option '%s'", arg);
            return usage_error("unexpected argument '%s'", arg);
        }
        eq = strchr(arg, '=');
        k = eq ? (size_t)(eq - arg) : strlen(arg);
        if (k >= sizeof(name))
            return usage_error("unknown option '%s'", arg);
        memcpy(name, arg, k);
        name[k] = '\0';
        w = lookup(WITH_VALUE, 10, name);
        if (w < 0)
            return usage_error("unknown option '%s'", name);
        if (eq != NULL)
            val = eq + 1;
        else if (i + 1 < argc)
            val = argv[++i];
        else
            return usage_error("option %s needs a value", name);
        if (seen[w]++ && w != 8 && w != 9)
            return usage_error("option %s is given twice", name);
        switch (w) {
        case 0:
            a->gt = val;
            break;
        case 1:
            a->dt = val;
            break;
        case 2:
            a->iou_type = lookup(IOU_NAMES, 4, val);
            if (a->iou_type < 0)
                return usage_error("--iou-type: '%s' is not one of bbox, segm, boundary, keypoints",
                                   val);
            break;
        case 3:
            a->parity_mode = lookup(MODE_NAMES, 2, val);
            if (a->parity_mode < 0)
                return usage_error("--parity-mode: '%s' is not one of strict, corrected", val);
            break;
        case 4: {
            int rc = parse_max_dets(a, val);
            if (rc)
                return rc;
            break;
        }
        case 5:
            if (!is_decimal(val))
                return usage_error("--dilation-ratio: '%s' is not a number", val);
            a->dilation_ratio = strtod(val, NULL);
            if (!(a->dilation_ratio > 0 && a->dilation_ratio <= 1))
                return usage_error("--dilation-ratio: %s is not in (0, 1]", val);
            a->have_ratio = 1;
            break;
        case 6:
            if (val[0] == '\0')
                return usage_error("--sigmas: empty path");
            a->sigmas_path = val;
            break;
        case 7: {
            size_t n = strlen(val);
            if (!is_digits(val, n) || n > 3 || strtol(val, NULL, 10) > VERNIER_MAX_THREADS)
                return usage_error("--threads: '%s' is not an integer from 0 to %d", val,
                                   VERNIER_MAX_THREADS);
            a->threads = strtol(val, NULL, 10);
            break;
        }
        case 9: {
            int rc = parse_gate(a, "--fail-under", val);
            if (rc)
                return rc;
            break;
        }
        default: {
            int rc = parse_emit(a, val);
            if (rc)
                return rc;
        }
        }
    }
    if (a->gt == NULL || a->gt[0] == '\0')
        return usage_error("--gt PATH is required");
    if (a->dt == NULL || a->dt[0] == '\0')
        return usage_error("--dt PATH is required");
    if (a->iou_type < 0)
        return usage_error("--iou-type is required (bbox, segm, boundary or keypoints)");
    if (strcmp(a->gt, "-") == 0 && strcmp(a->dt, "-") == 0)
        return usage_error("--gt and --dt cannot both read standard input");
    if (a->have_ratio && a->iou_type != VERNIER_IOU_BOUNDARY)
        return usage_error("--dilation-ratio applies to --iou-type boundary only");
    if (a->sigmas_path != NULL && a->iou_type != VERNIER_IOU_KEYPOINTS)
        return usage_error("--sigmas applies to --iou-type keypoints only");
    /* pycocotools' summarize() reads maxDets[0], [1] and [2] for the box and
     * mask kernels: with fewer caps there is no summary to print, and an
     * empty output with status 0 would read as success. */
    if (a->have_max_dets && a->iou_type != VERNIER_IOU_KEYPOINTS && a->n_max_dets < 3)
        return usage_error("--max-dets: --iou-type %s needs at least three caps for its summary "
                           "(pycocotools' summarize() reads the first three), got %zu",
                           IOU_NAMES[a->iou_type], a->n_max_dets);
    n_names = metric_names(a, names);
    for (g = 0; g < a->n_gates; g++) {
        size_t k;
        const gate *gt = &a->gates[g];
        for (k = 0; k < n_names; k++)
            if (strlen(names[k]) == gt->name_len && strncmp(names[k], gt->name, gt->name_len) == 0)
                break;
        if (k == n_names) {
            char list[12 * (VERNIER_STAT_NAME_SIZE + 2)];
            size_t len = 0;
            for (k = 0; k < n_names; k++)
                len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", k ? ", " : "",
                                        names[k]);
            return usage_error("--fail-under: unknown metric '%.*s' (--iou-type %s has %s)",
                               (int)gt->name_len, gt->name, IOU_NAMES[a->iou_type], list);
        }
    }
    if (a->n_emits == 0) {
        a->emits[0].fmt = FMT_TEXT;
        a->emits[0].path = NULL;
        a->n_emits = 1;
    }
    return 0;
}

/* ------------------------------------------------------------------------
 * Output.
 * --------------------------------------------------------------------- */

/* The per-class table: K rows of S statistics (vernier_eval_copy_class_stats)
 * with each category's non-ignored GT (first area range) and detections. */
typedef struct class_table {
    size_t k, s, a;
    const int64_t *ids;
    double *stats;     /* k x s */
    uint64_t *n_gt;    /* k x a */
    uint64_t *n_dt;    /* k */
    char (*names)[VERNIER_STAT_NAME_SIZE]; /* s */
    const char **cat_names; /* k: the category's name ("" if none), borrowed */
} class_table;

static void class_table_free(class_table *t)
{
    free(t->stats);
    free(t->n_gt);
    free(t->n_dt);
    free(t->names);
    free((void *)t->cat_names);
}

static int class_table_get(class_table *t, const vernier_eval *ev, const vernier_dataset *ds)
{
    size_t i, j, n_cats = vernier_dataset_num_categories(ds);
    memset(t, 0, sizeof(*t));
    vernier_eval_dims(ev, NULL, NULL, &t->k, &t->a, NULL);
    t->s = vernier_eval_num_stats(ev);
    t->ids = vernier_eval_category_ids(ev);
    t->stats = malloc((t->k * t->s + 1) * sizeof(double));
    t->n_gt = malloc((t->k * t->a + 1) * sizeof(uint64_t));
    t->n_dt = malloc((t->k + 1) * sizeof(uint64_t));
    t->names = malloc((t->s + 1) * sizeof(*t->names));
    t->cat_names = malloc((t->k + 1) * sizeof(*t->cat_names));
    if (t->stats == NULL || t->n_gt == NULL || t->n_dt == NULL || t->names == NULL ||
        t->cat_names == NULL ||
        vernier_eval_copy_class_stats(ev, t->stats, t->k * t->s) != VERNIER_OK ||
        vernier_eval_copy_class_counts(ev, t->n_gt, t->n_dt, t->k) != VERNIER_OK) {
        class_table_free(t);
        return -1;
    }
    for (i = 0; i < t->s; i++) {
        vernier_stat_info si = VERNIER_STAT_INFO_INIT;
        if (vernier_eval_stat_info(ev, i, &si) != VERNIER_OK)
            si.name[0] = '\0';
        memcpy(t->names[i], si.name, sizeof(si.name));
    }
    /* each row's category name: the last entry of its id, as Python's dict */
    for (i = 0; i < t->k; i++) {
        t->cat_names[i] = "";
        for (j = 0; j < n_cats; j++)
            if (vernier_dataset_category_id(ds, j) == t->ids[i])
                t->cat_names[i] = vernier_dataset_category_name(ds, j);
    }
    return 0;
}

/* A category name on one line of text: control bytes read '?'; in
 * Markdown '|' is escaped too. */
static void put_name(sbuf *b, const char *s, int markdown)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f)
            sb_puts(b, "?");
        else if (markdown && c == '|')
            sb_puts(b, "\\|");
        else
            sb_put(b, (const char *)&c, 1);
    }
}

/* A category name as a CSV field (RFC 4180: quoted when it holds a comma,
 * a quote or a line break; quotes doubled). */
static void put_csv_name(sbuf *b, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        sb_puts(b, s);
        return;
    }
    sb_puts(b, "\"");
    for (; *s; s++)
        sb_puts(b, *s == '"' ? "\"\"" : (char[2]){*s, '\0'});
    sb_puts(b, "\"");
}

static void render_text(sbuf *b, const vernier_eval *ev, const eval_args *a,
                        const class_table *t)
{
    size_t i, j, n = vernier_eval_num_stats(ev);
    char line[128];
    for (i = 0; i < n; i++) {
        if (vernier_eval_summary_line(ev, i, line, sizeof(line)) < 0)
            line[0] = '\0';
        sb_puts(b, line);
        sb_puts(b, "\n");
    }
    if (!a->per_class)
        return;
    sb_printf(b, "\n%8s", "category");
    for (j = 0; j < t->s; j++)
        sb_printf(b, " %7s", t->names[j]);
    sb_printf(b, " %7s %7s name\n", "n_gt", "n_dt");
    for (i = 0; i < t->k; i++) {
        sb_printf(b, "%8lld", (long long)t->ids[i]);
        for (j = 0; j < t->s; j++)
            sb_printf(b, " %7.3f", t->stats[i * t->s + j]);
        sb_printf(b, " %7llu %7llu ", (unsigned long long)t->n_gt[i * t->a],
                  (unsigned long long)t->n_dt[i]);
        put_name(b, t->cat_names[i], 0);
        sb_puts(b, "\n");
    }
}

static void render_markdown(sbuf *b, const vernier_eval *ev, const eval_args *a,
                            const class_table *t)
{
    size_t i, j, n = vernier_eval_num_stats(ev);
    sb_printf(b, "### vernier eval: %s, %s mode\n\n", IOU_NAMES[a->iou_type],
              MODE_NAMES[a->parity_mode]);
    sb_puts(b, "| metric | IoU | area | maxDets | value |\n|---|---|---|---|---|\n");
    for (i = 0; i < n; i++) {
        vernier_stat_info si = VERNIER_STAT_INFO_INIT;
        char iou[64];
        if (vernier_eval_stat_info(ev, i, &si) != VERNIER_OK)
            continue;
        if (si.all_ious)
            snprintf(iou, sizeof(iou), "%0.2f:%0.2f", si.iou_lo, si.iou_hi);
        else
            snprintf(iou, sizeof(iou), "%0.2f", si.iou_lo);
        sb_printf(b, "| %s | %s | %s | %lld | %0.3f |\n", si.name, iou, si.area_label,
                  (long long)si.max_dets, si.value);
    }
    if (!a->per_class)
        return;
    sb_puts(b, "\n| category | name | ");
    for (j = 0; j < t->s; j++)
        sb_printf(b, "%s%s", j ? " | " : "", t->names[j]);
    sb_puts(b, " | n_gt | n_dt |\n|---|---|");
    for (j = 0; j < t->s + 2; j++)
        sb_puts(b, "---|");
    sb_puts(b, "\n");
    for (i = 0; i < t->k; i++) {
        sb_printf(b, "| %lld | ", (long long)t->ids[i]);
        put_name(b, t->cat_names[i], 1);
        sb_puts(b, " | ");
        for (j = 0; j < t->s; j++)
            sb_printf(b, "%s%0.3f", j ? " | " : "", t->stats[i * t->s + j]);
        sb_printf(b, " | %llu | %llu |\n", (unsigned long long)t->n_gt[i * t->a],
                  (unsigned long long)t->n_dt[i]);
    }
}

static void render_csv(sbuf *b, const class_table *t)
{
    size_t i, j;
    char num[40];
    sb_puts(b, "category_id,name");
    for (j = 0; j < t->s; j++)
        sb_printf(b, ",%s", t->names[j]);
    sb_puts(b, ",n_gt,n_dt\n");
    for (i = 0; i < t->k; i++) {
        sb_printf(b, "%lld,", (long long)t->ids[i]);
        put_csv_name(b, t->cat_names[i]);
        for (j = 0; j < t->s; j++) {
            format_double(num, sizeof(num), t->stats[i * t->s + j]);
            sb_printf(b, ",%s", num);
        }
        sb_printf(b, ",%llu,%llu\n", (unsigned long long)t->n_gt[i * t->a],
                  (unsigned long long)t->n_dt[i]);
    }
}

/* The text between `key` and the next ' ' (after skipping spaces). */
static void json_string(sbuf *b, const char *s)
{
    sb_puts(b, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            sb_printf(b, "\\%c", c);
        else if (c < 0x20)
            sb_printf(b, "\\u%04x", c);
        else
            sb_put(b, (const char *)&c, 1);
    }
    sb_puts(b, "\"");
}

static void render_json(sbuf *b, const vernier_eval *ev, const eval_args *a,
                        const class_table *t)
{
    size_t i, n = vernier_eval_num_stats(ev), m;
    double stats[32];
    char num[40];
    const int64_t *md = vernier_eval_max_dets(ev);
    if (n > 32 || vernier_eval_copy_stats(ev, stats, n) != VERNIER_OK)
        n = 0;
    vernier_eval_dims(ev, NULL, NULL, NULL, NULL, &m);
    sb_puts(b, "{\n  \"schema\": \"" JSON_SCHEMA "\",\n  \"vernier_version\": ");
    json_string(b, vernier_version_string());
    sb_printf(b, ",\n  \"iou_type\": \"%s\",\n  \"parity_mode\": \"%s\",\n  \"use_cats\": %s,\n",
              IOU_NAMES[a->iou_type], MODE_NAMES[a->parity_mode], a->use_cats ? "true" : "false");
    sb_puts(b, "  \"max_dets\": [");
    for (i = 0; i < m; i++)
        sb_printf(b, "%s%lld", i ? ", " : "", (long long)md[i]);
    sb_puts(b, "],\n  \"dilation_ratio\": ");
    if (a->iou_type == VERNIER_IOU_BOUNDARY) {
        format_double(num, sizeof(num), a->have_ratio ? a->dilation_ratio : 0.02);
        sb_puts(b, num);
    } else {
        sb_puts(b, "null");
    }
    sb_puts(b, ",\n  \"lines\": [");
    for (i = 0; i < n; i++) {
        vernier_stat_info si = VERNIER_STAT_INFO_INIT;
        char iou[64];
        sb_puts(b, i ? ",\n    " : "\n    ");
        if (vernier_eval_stat_info(ev, i, &si) != VERNIER_OK) {
            sb_puts(b, "{\"metric\": null, \"iou\": null, \"area\": null, \"max_dets\": null");
        } else {
            if (si.all_ious)
                snprintf(iou, sizeof(iou), "%0.2f:%0.2f", si.iou_lo, si.iou_hi);
            else
                snprintf(iou, sizeof(iou), "%0.2f", si.iou_lo);
            sb_printf(b, "{\"metric\": \"%s\", \"iou\": ",
                      si.metric == VERNIER_STAT_AR ? "AR" : "AP");
            json_string(b, iou);
            sb_puts(b, ", \"area\": ");
            json_string(b, si.area_label);
            sb_printf(b, ", \"max_dets\": %lld", (long long)si.max_dets);
        }
        format_double(num, sizeof(num), stats[i]);
        sb_printf(b, ", \"value\": %s}", num);
    }
    sb_puts(b, n ? "\n  ],\n  \"stats\": [" : "],\n  \"stats\": [");
    for (i = 0; i < n; i++) {
        format_double(num, sizeof(num), stats[i]);
        sb_printf(b, "%s%s", i ? ", " : "", num);
    }
    sb_puts(b, "],\n  \"metrics\": {");
    for (i = 0; i < n && i < t->s; i++) {
        format_double(num, sizeof(num), stats[i]);
        sb_puts(b, i ? ", " : "");
        json_string(b, t->names[i]);
        sb_printf(b, ": %s", num);
    }
    sb_puts(b, "}");
    if (a->per_class) {
        size_t k, j;
        sb_puts(b, ",\n  \"per_class\": [");
        for (k = 0; k < t->k; k++) {
            sb_puts(b, k ? ",\n    " : "\n    ");
            sb_printf(b, "{\"category_id\": %lld, \"name\": ", (long long)t->ids[k]);
            json_string(b, t->cat_names[k]);
            for (j = 0; j < t->s; j++) {
                format_double(num, sizeof(num), t->stats[k * t->s + j]);
                sb_puts(b, ", ");
                json_string(b, t->names[j]);
                sb_printf(b, ": %s", num);
            }
            sb_printf(b, ", \"n_gt\": %llu, \"n_dt\": %llu}",
                      (unsigned long long)t->n_gt[k * t->a], (unsigned long long)t->n_dt[k]);
        }
        sb_puts(b, t->k ? "\n  ]" : "]");
    }
    sb_puts(b, "\n}\n");
}

/* Write to a temporary file in PATH's directory, fsync, rename over PATH. */
static int write_atomic(const char *path, const char *data, size_t n)
{
    const char *slash = strrchr(path, '/');
    size_t dlen = slash ? (size_t)(slash - path) + 1 : 0;
    char *tmpl = malloc(strlen(path) + 32);
    int fd, saved;
    mode_t mask;
    size_t off = 0;
    if (tmpl == NULL) {
        fprintf(stderr, "vernier: %s: cannot write: %s\n", path, strerror(ENOMEM));
        return -1;
    }
    memcpy(tmpl, path, dlen);
    sprintf(tmpl + dlen, ".%s.tmp.XXXXXX", path + dlen);
    fd = mkstemp(tmpl);
    if (fd < 0)
        goto fail;
    mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) < 0)
        goto fail_fd;
    while (off < n) {
        ssize_t w = write(fd, data + off, n - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            goto fail_fd;
        }
        off += (size_t)w;
    }
    if (fsync(fd) < 0)
        goto fail_fd;
    if (close(fd) < 0)
        goto fail_unlink;
    if (rename(tmpl, path) < 0)
        goto fail_unlink;
    free(tmpl);
    return 0;
fail_fd:
    saved = errno;
    close(fd);
    errno = saved;
fail_unlink:
    saved = errno;
    unlink(tmpl);
    errno = saved;
fail:
    fprintf(stderr, "vernier: %s: cannot write: %s\n", path, strerror(errno));
    free(tmpl);
    return -1;
}

/* ------------------------------------------------------------------------
 * vernier eval
 * --------------------------------------------------------------------- */

/* Which input an evaluation error is about, from its code and JSON path:
 * 1 ground truth, 2 results, 3 the sigmas file, 0 none in particular. */
static int blame(const eval_args *a, int rc, const vernier_error *e)
{
    if (rc == VERNIER_E_UNKNOWN_IMAGE || e->path[0] == '[')
        return 2;
    if (strncmp(e->path, "annotations", 11) == 0 || strncmp(e->path, "images", 6) == 0 ||
        strncmp(e->path, "categories", 10) == 0)
        return 1;
    if (rc == VERNIER_E_INVALID_ARG && a->sigmas_path != NULL)
        return 3;
    return 0;
}

static int cmd_eval(int argc, char **argv)
{
    eval_args a;
    sigmas sg;
    vernier_dataset *ds = NULL;
    vernier_results *res = NULL;
    vernier_eval *ev = NULL;
    vernier_eval_options opts;
    vernier_error err = VERNIER_ERROR_INIT;
    char *gt_buf = NULL, *dt_buf = NULL;
    size_t gt_len = 0, dt_len = 0, i;
    int done, rc, status = EXIT_EVAL, have_ct = 0;
    double t0, t_gt, t_dt, t_ev, n_res;
    class_table ct;

    rc = parse_eval_args(argc, argv, &a, &done);
    if (rc || done)
        return rc;
    memset(&sg, 0, sizeof(sg));
    g_progress = !a.quiet && isatty(STDERR_FILENO);

    if (a.sigmas_path != NULL && load_sigmas(a.sigmas_path, &sg) < 0)
        goto out;

    t0 = now_seconds();
    progress("reading ground truth %s", display_name(a.gt));
    if (read_file(a.gt, &gt_buf, &gt_len) < 0)
        goto out;
    progress("parsing ground truth %s (%.1f MB)", display_name(a.gt), (double)gt_len / 1e6);
    rc = vernier_dataset_load_json(&ds, gt_buf, gt_len, NULL, &err);
    if (rc != VERNIER_OK) {
        progress_end();
        report(display_name(a.gt), gt_buf, gt_len, rc, &err);
        goto out;
    }
    t_gt = now_seconds();

    progress("reading results %s", display_name(a.dt));
    if (read_file(a.dt, &dt_buf, &dt_len) < 0)
        goto out;
    progress("parsing results %s (%.1f MB)", display_name(a.dt), (double)dt_len / 1e6);
    rc = vernier_results_load_json(&res, dt_buf, dt_len, NULL, &err);
    if (rc != VERNIER_OK) {
        progress_end();
        report(display_name(a.dt), dt_buf, dt_len, rc, &err);
        goto out;
    }
    t_dt = now_seconds();

    vernier_eval_options_init(&opts, VERNIER_EVAL_OPTIONS_VERSION);
    opts.iou_type = a.iou_type;
    opts.parity_mode = a.parity_mode;
    opts.use_cats = a.use_cats;
    opts.num_threads = (unsigned)a.threads;
    if (a.have_max_dets) {
        opts.n_max_dets = a.n_max_dets;
        for (i = 0; i < a.n_max_dets; i++)
            opts.max_dets[i] = a.max_dets[i];
    }
    if (a.have_ratio)
        opts.dilation_ratio = a.dilation_ratio;
    if (sg.given && sg.is_list) {
        opts.sigmas = sg.values;
        opts.n_sigmas = sg.n_values;
    } else if (sg.given) {
        opts.n_category_sigmas = sg.n_ids;
        opts.category_sigma_ids = sg.ids;
        opts.category_sigma_counts = sg.counts;
        opts.category_sigma_values = sg.values;
    }
    progress("evaluating %zu results on %zu images, %zu annotations (%s)",
             vernier_results_num_detections(res), vernier_dataset_num_images(ds),
             vernier_dataset_num_annotations(ds), IOU_NAMES[a.iou_type]);
    rc = vernier_eval_run(&ev, ds, res, &opts, NULL, &err);
    if (rc != VERNIER_OK) {
        int who = blame(&a, rc, &err);
        progress_end();
        if (who == 1)
            report(display_name(a.gt), gt_buf, gt_len, rc, &err);
        else if (who == 2)
            report(display_name(a.dt), dt_buf, dt_len, rc, &err);
        else
            report(who == 3 ? a.sigmas_path : NULL, NULL, 0, rc, &err);
        goto out;
    }
    t_ev = now_seconds();
    n_res = (double)vernier_results_num_detections(res);
    progress("done: ground truth %.2f s (%.1f MB/s), results %.2f s (%.0f/s), evaluation "
             "%.2f s (%.0f results/s)\n",
             t_gt - t0, (double)gt_len / 1e6 / (t_gt - t0 > 1e-9 ? t_gt - t0 : 1e-9), t_dt - t_gt,
             n_res / (t_dt - t_gt > 1e-9 ? t_dt - t_gt : 1e-9), t_ev - t_dt,
             n_res / (t_ev - t_dt > 1e-9 ? t_ev - t_dt : 1e-9));
    if (vernier_eval_num_stats(ev) == 0) {
        /* unreachable after validate(): kept so that no path prints an empty
         * summary with status 0 */
        fprintf(stderr, "vernier: error: the evaluation produced no summary statistics\n");
        status = EXIT_EVAL;
        goto out;
    }

    if (class_table_get(&ct, ev, ds) < 0) {
        fprintf(stderr, "vernier: out of memory\n");
        status = EXIT_EVAL;
        goto out;
    }
    have_ct = 1;
    status = 0;
    for (i = 0; i < a.n_emits; i++) {
        sbuf b = {NULL, 0, 0, 0};
        if (a.emits[i].fmt == FMT_JSON)
            render_json(&b, ev, &a, &ct);
        else if (a.emits[i].fmt == FMT_MARKDOWN)
            render_markdown(&b, ev, &a, &ct);
        else if (a.emits[i].fmt == FMT_CSV)
            render_csv(&b, &ct);
        else
            render_text(&b, ev, &a, &ct);
        if (b.oom) {
            fprintf(stderr, "vernier: out of memory\n");
            status = EXIT_EVAL;
        } else if (a.emits[i].path == NULL) {
            if ((b.n > 0 && fwrite(b.p, 1, b.n, stdout) != b.n) || fflush(stdout) != 0) {
                fprintf(stderr, "vernier: <stdout>: cannot write: %s\n", strerror(errno));
                status = EXIT_EVAL;
            }
        } else if (write_atomic(a.emits[i].path, b.p ? b.p : "", b.n) < 0) {
            status = EXIT_EVAL;
        }
        free(b.p);
    }
    /* the gates, once every output is written */
    if (status == 0) {
        int failed = 0;
        for (i = 0; i < a.n_gates; i++) {
            const gate *g = &a.gates[i];
            size_t j;
            for (j = 0; j < ct.s; j++) {
                vernier_stat_info si = VERNIER_STAT_INFO_INIT;
                char num[40];
                if (strlen(ct.names[j]) != g->name_len ||
                    strncmp(ct.names[j], g->name, g->name_len) != 0 ||
                    vernier_eval_stat_info(ev, j, &si) != VERNIER_OK || !(si.value < g->value))
                    continue;
                format_double(num, sizeof(num), si.value);
                fprintf(stderr, "vernier: fail-under: %s = %s is below %s\n", ct.names[j], num,
                        g->text);
                failed = 1;
            }
        }
        if (failed)
            status = EXIT_GATE;
    }
out:
    if (have_ct)
        class_table_free(&ct);
    vernier_eval_free(ev);
    vernier_results_free(res);
    vernier_dataset_free(ds);
    free(gt_buf);
    free(dt_buf);
    free_sigmas(&sg);
    return status;
}

/* ------------------------------------------------------------------------
 * vernier compare: a JSON reader for vernier.eval/1 documents (any valid
 * JSON is read; only "schema", "metrics" and "per_class" are kept) and the
 * diff.  The Python console script applies the same rules.
 * --------------------------------------------------------------------- */

#define JP_MAX_DEPTH 512

typedef struct metric_val {
    char *name;
    double value;
} metric_val;

typedef struct class_ap {
    long long id;
    double ap;
} class_ap;

typedef struct result_doc {
    metric_val *m;
    size_t n_m, cap_m;
    class_ap *c;
    size_t n_c, cap_c;
    int have_schema, have_metrics, metrics_bad;
} result_doc;

typedef struct jparser {
    const unsigned char *s;
    size_t n, i;
    int depth;
} jparser;

static void doc_free(result_doc *d)
{
    size_t i;
    for (i = 0; i < d->n_m; i++)
        free(d->m[i].name);
    free(d->m);
    free(d->c);
    memset(d, 0, sizeof(*d));
}

static void jp_ws(jparser *p)
{
    while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' ||
                           p->s[p->i] == '\r'))
        p->i++;
}

/* Strict UTF-8 (no overlongs, surrogates or code points above U+10FFFF). */
static int utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i], need, cp, k;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf)
            need = 1, cp = c & 0x1f;
        else if (c >= 0xe0 && c <= 0xef)
            need = 2, cp = c & 0x0f;
        else if (c >= 0xf0 && c <= 0xf4)
            need = 3, cp = c & 0x07;
        else
            return 0;
        if (n - i <= need)
            return 0;
        for (k = 1; k <= need; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if ((need == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
            (need == 3 && (cp < 0x10000 || cp > 0x10ffff)))
            return 0;
        i += need + 1;
    }
    return 1;
}

static int hex4(const unsigned char *s, unsigned *out)
{
    unsigned v = 0, k;
    for (k = 0; k < 4; k++) {
        unsigned c = s[k], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return -1;
        v = v * 16 + d;
    }
    *out = v;
    return 0;
}

/* A string.  With `out`, its decoded bytes (malloc'd, NUL-terminated): an
 * escape of a character above U+007F becomes the byte 0xFF, which no name
 * compared against contains. */
static int jp_string(jparser *p, char **out)
{
    size_t j = p->i + 1, len = 0;
    char *buf = NULL;
    if (p->i >= p->n || p->s[p->i] != '"')
        return -1;
    if (out != NULL) {
        buf = malloc(p->n - p->i + 1);
        if (buf == NULL)
            return -1;
    }
    for (;;) {
        unsigned c;
        if (j >= p->n)
            goto fail;
        c = p->s[j];
        if (c == '"')
            break;
        if (c < 0x20)
            goto fail;
        if (c == '\\') {
            unsigned e, u;
            if (j + 1 >= p->n)
                goto fail;
            e = p->s[j + 1];
            j += 2;
            if (e == 'u') {
                if (p->n - j < 4 || hex4(p->s + j, &u) < 0)
                    goto fail;
                j += 4;
                c = (u != 0 && u < 0x80) ? u : 0xff;
            } else if (e == '"' || e == '\\' || e == '/') {
                c = e;
            } else if (e == 'b') {
                c = '\b';
            } else if (e == 'f') {
                c = '\f';
            } else if (e == 'n') {
                c = '\n';
            } else if (e == 'r') {
                c = '\r';
            } else if (e == 't') {
                c = '\t';
            } else {
                goto fail;
            }
        } else {
            j++;
        }
        if (buf != NULL)
            buf[len++] = (char)c;
    }
    p->i = j + 1;
    if (out != NULL) {
        buf[len] = '\0';
        *out = buf;
    }
    return 0;
fail:
    free(buf);
    return -1;
}

/* A number: its value, and whether it is written as an integer that fits
 * in int64 (*iv). */
static int jp_number(jparser *p, double *out, int *is_int, long long *iv)
{
    const unsigned char *s = p->s;
    size_t a = p->i, j = p->i;
    int integral = 1;
    char tmp[512];
    if (j < p->n && s[j] == '-')
        j++;
    if (j < p->n && s[j] == '0')
        j++;
    else if (j < p->n && s[j] >= '1' && s[j] <= '9')
        while (j < p->n && s[j] >= '0' && s[j] <= '9')
            j++;
    else
        return -1;
    if (j < p->n && s[j] == '.') {
        integral = 0;
        j++;
        if (!(j < p->n && s[j] >= '0' && s[j] <= '9'))
            return -1;
        while (j < p->n && s[j] >= '0' && s[j] <= '9')
            j++;
    }
    if (j < p->n && (s[j] == 'e' || s[j] == 'E')) {
        integral = 0;
        j++;
        if (j < p->n && (s[j] == '+' || s[j] == '-'))
            j++;
        if (!(j < p->n && s[j] >= '0' && s[j] <= '9'))
            return -1;
        while (j < p->n && s[j] >= '0' && s[j] <= '9')
            j++;
    }
    p->i = j;
    if (j - a >= sizeof(tmp)) {
        /* longer than any double's shortest form: read its value anyway */
        *out = integral ? (s[a] == '-' ? -HUGE_VAL : HUGE_VAL) : 0.0;
        if (!integral) {
            char *big = malloc(j - a + 1);
            if (big == NULL)
                return -1;
            memcpy(big, s + a, j - a);
            big[j - a] = '\0';
            *out = strtod(big, NULL);
            free(big);
        }
        *is_int = 0;
        return 0;
    }
    memcpy(tmp, s + a, j - a);
    tmp[j - a] = '\0';
    *out = strtod(tmp, NULL);
    *is_int = 0;
    if (integral) {
        errno = 0;
        *iv = strtoll(tmp, NULL, 10);
        *is_int = errno != ERANGE;
    }
    return 0;
}

static int jp_value(jparser *p, int what, result_doc *d);

/* Skips any value (what = 0). */
static int jp_skip(jparser *p)
{
    return jp_value(p, 0, NULL);
}

static int keep_metric(result_doc *d, char *name, double v)
{
    size_t i;
    for (i = 0; i < d->n_m; i++)
        if (strcmp(d->m[i].name, name) == 0) {
            d->m[i].value = v; /* a repeated key: the last value, the first place */
            free(name);
            return 0;
        }
    if (d->n_m == d->cap_m) {
        size_t cap = d->cap_m ? 2 * d->cap_m : 16;
        metric_val *q = realloc(d->m, cap * sizeof(*q));
        if (q == NULL) {
            free(name);
            return -1;
        }
        d->m = q;
        d->cap_m = cap;
    }
    d->m[d->n_m].name = name;
    d->m[d->n_m++].value = v;
    return 0;
}

static int keep_class(result_doc *d, long long id, double ap)
{
    size_t i;
    for (i = 0; i < d->n_c; i++)
        if (d->c[i].id == id) {
            d->c[i].ap = ap;
            return 0;
        }
    if (d->n_c == d->cap_c) {
        size_t cap = d->cap_c ? 2 * d->cap_c : 64;
        class_ap *q = realloc(d->c, cap * sizeof(*q));
        if (q == NULL)
            return -1;
        d->c = q;
        d->cap_c = cap;
    }
    d->c[d->n_c].id = id;
    d->c[d->n_c++].ap = ap;
    return 0;
}

/* A name made of printable ASCII. */
static int printable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
            return 0;
    return 1;
}

/* One value.  what: 0 skip; 1 the document (top-level object); 2 the
 * "metrics" object (names to finite numbers, else the document is
 * refused: -2); 3 the "per_class" array (rows with an int64 category_id
 * kept with their finite "AP", else -1); 4 one per_class row. */
static int jp_value(jparser *p, int what, result_doc *d)
{
    unsigned c;
    jp_ws(p);
    if (p->i >= p->n)
        return -1;
    c = p->s[p->i];
    if (c == '{' || c == '[') {
        int first = 1, rc = 0, row_int = 0;
        long long row_id = 0;
        double row_ap = -1.0;
        if (++p->depth > JP_MAX_DEPTH)
            return -1;
        p->i++;
        if (c == '{' && what == 2) {
            /* a new "metrics" object replaces an earlier one */
            size_t i;
            for (i = 0; i < d->n_m; i++)
                free(d->m[i].name);
            d->n_m = 0;
            d->have_metrics = 1;
            d->metrics_bad = 0;
        }
        if (c == '[' && what == 3)
            d->n_c = 0;
        for (;;) {
            jp_ws(p);
            if (p->i < p->n && p->s[p->i] == (c == '{' ? '}' : ']') && first) {
                p->i++;
                break;
            }
            if (c == '{') {
                char *key = NULL;
                if (jp_string(p, &key) < 0)
                    return -1;
                jp_ws(p);
                if (p->i >= p->n || p->s[p->i] != ':') {
                    free(key);
                    return -1;
                }
                p->i++;
                jp_ws(p);
                if (what == 1 && strcmp(key, "schema") == 0) {
                    char *v = NULL;
                    free(key);
                    if (p->i < p->n && p->s[p->i] == '"') {
                        if (jp_string(p, &v) < 0)
                            return -1;
                        d->have_schema = strcmp(v, JSON_SCHEMA) == 0;
                        free(v);
                    } else {
                        d->have_schema = 0;
                        if (jp_skip(p) < 0)
                            return -1;
                    }
                } else if (what == 1 && strcmp(key, "metrics") == 0) {
                    free(key);
                    if (p->i < p->n && p->s[p->i] == '{') {
                        rc = jp_value(p, 2, d);
                        if (rc < 0)
                            return rc;
                    } else {
                        d->have_metrics = 0;
                        d->metrics_bad = 0;
                        d->n_m = 0;
                        if (jp_skip(p) < 0)
                            return -1;
                    }
                } else if (what == 1 && strcmp(key, "per_class") == 0) {
                    free(key);
                    d->n_c = 0;
                    if (jp_value(p, p->i < p->n && p->s[p->i] == '[' ? 3 : 0, d) < 0)
                        return -1;
                } else if (what == 2) {
                    double v;
                    int is_int;
                    long long iv;
                    /* a value that is not a finite number, or a name that
                     * is not printable ASCII, refuses the document unless
                     * a later "metrics" replaces this one */
                    if (p->i >= p->n || !(p->s[p->i] == '-' || (p->s[p->i] >= '0' &&
                                                                 p->s[p->i] <= '9'))) {
                        free(key);
                        d->metrics_bad = 1;
                        if (jp_skip(p) < 0)
                            return -1;
                    } else if (jp_number(p, &v, &is_int, &iv) < 0) {
                        free(key);
                        return -1;
                    } else if (!isfinite(v) || !printable(key)) {
                        free(key);
                        d->metrics_bad = 1;
                    } else if (keep_metric(d, key, v) < 0) {
                        return -1;
                    }
                } else if (what == 4 && (strcmp(key, "category_id") == 0 ||
                                         strcmp(key, "AP") == 0)) {
                    int is_id = key[0] == 'c';
                    free(key);
                    if (p->i < p->n && (p->s[p->i] == '-' ||
                                        (p->s[p->i] >= '0' && p->s[p->i] <= '9'))) {
                        double v;
                        int is_int;
                        long long iv;
                        if (jp_number(p, &v, &is_int, &iv) < 0)
                            return -1;
                        if (is_id) {
                            row_int = is_int;
                            row_id = iv;
                        } else {
                            row_ap = isfinite(v) ? v : -1.0;
                        }
                    } else {
                        if (is_id)
                            row_int = 0;
                        else
                            row_ap = -1.0;
                        if (jp_skip(p) < 0)
                            return -1;
                    }
                } else {
                    free(key);
                    if (jp_skip(p) < 0)
                        return -1;
                }
            } else {
                jp_ws(p);
                if (what == 3 && p->i < p->n && p->s[p->i] == '{') {
                    if (jp_value(p, 4, d) < 0)
                        return -1;
                } else if (jp_skip(p) < 0) {
                    return -1;
                }
            }
            first = 0;
            jp_ws(p);
            if (p->i < p->n && p->s[p->i] == ',') {
                p->i++;
                jp_ws(p);
                if (p->i < p->n && p->s[p->i] == (c == '{' ? '}' : ']'))
                    return -1; /* a trailing comma */
                continue;
            }
            if (p->i < p->n && p->s[p->i] == (c == '{' ? '}' : ']')) {
                p->i++;
                break;
            }
            return -1;
        }
        if (what == 4 && row_int && keep_class(d, row_id, row_ap) < 0)
            return -1;
        p->depth--;
        return rc;
    }
    if (c == '"')
        return jp_string(p, NULL);
    if (c == '-' || (c >= '0' && c <= '9')) {
        double v;
        int is_int;
        long long iv;
        return jp_number(p, &v, &is_int, &iv);
    }
    if (p->n - p->i >= 4 && memcmp(p->s + p->i, "true", 4) == 0) {
        p->i += 4;
        return 0;
    }
    if (p->n - p->i >= 5 && memcmp(p->s + p->i, "false", 5) == 0) {
        p->i += 5;
        return 0;
    }
    if (p->n - p->i >= 4 && memcmp(p->s + p->i, "null", 4) == 0) {
        p->i += 4;
        return 0;
    }
    return -1;
}

/* Reads PATH as a vernier.eval/1 document: 0, or the exit status after
 * the message. */
static int load_result(const char *path, result_doc *d)
{
    char *buf = NULL;
    size_t len = 0;
    jparser p;
    int rc = -1;
    memset(d, 0, sizeof(*d));
    if (read_file(path, &buf, &len) < 0)
        return EXIT_EVAL;
    p.s = (const unsigned char *)buf;
    p.n = len;
    p.i = 0;
    p.depth = 0;
    if (utf8_valid(p.s, p.n)) {
        jp_ws(&p);
        if (p.i < p.n && p.s[p.i] == '{')
            rc = jp_value(&p, 1, d);
        else if (jp_skip(&p) == 0)
            rc = -2;
        jp_ws(&p);
        if (rc == 0 && p.i != p.n)
            rc = -1;
    }
    free(buf);
    if (rc != 0 || !d->have_schema || !d->have_metrics || d->metrics_bad) {
        fprintf(stderr,
                "vernier: %s: not a " JSON_SCHEMA " document with \"metrics\" (written by "
                "'vernier eval --emit json')\n",
                display_name(path));
        doc_free(d);
        return EXIT_EVAL;
    }
    return 0;
}

static const metric_val *find_metric(const result_doc *d, const char *name, size_t len)
{
    size_t i;
    for (i = 0; i < d->n_m; i++)
        if (strlen(d->m[i].name) == len && strncmp(d->m[i].name, name, len) == 0)
            return &d->m[i];
    return NULL;
}

static int cmp_class(const void *x, const void *y)
{
    long long a = ((const class_ap *)x)->id, b = ((const class_ap *)y)->id;
    return (a > b) - (a < b);
}

static int cmd_compare(int argc, char **argv)
{
    eval_args gates; /* only its gates are used */
    const char *files[2];
    size_t n_files = 0, i, j;
    int per_class = 0, status = 0, rc;
    result_doc d[2];
    g_command = "compare";
    memset(&gates, 0, sizeof(gates));
    for (i = 0; i < (size_t)argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            fputs(HELP_COMPARE, stdout);
            return 0;
        }
        if (strcmp(arg, "--per-class") == 0) {
            per_class = 1;
            continue;
        }
        if (strncmp(arg, "--max-drop", 10) == 0 && (arg[10] == '\0' || arg[10] == '=')) {
            const char *val = arg + 11;
            if (arg[10] == '\0') {
                if (i + 1 >= (size_t)argc)
                    return usage_error("option --max-drop needs a value");
                val = argv[++i];
            }
            rc = parse_gate(&gates, "--max-drop", val);
            if (rc)
                return rc;
            continue;
        }
        if (arg[0] == '-' && arg[1] != '\0') {
            const char *eq = strchr(arg, '=');
            return usage_error("unknown option '%.*s'", (int)(eq ? (size_t)(eq - arg)
                                                                 : strlen(arg)), arg);
        }
        if (n_files < 2)
            files[n_files] = arg;
        n_files++;
    }
    if (n_files != 2)
        return usage_error("compare takes two files (A.json B.json), got %zu", n_files);
    if ((rc = load_result(files[0], &d[0])) != 0)
        return rc;
    if ((rc = load_result(files[1], &d[1])) != 0) {
        doc_free(&d[0]);
        return rc;
    }
    for (i = 0; i < gates.n_gates && status == 0; i++)
        for (j = 0; j < 2; j++)
            if (find_metric(&d[j], gates.gates[i].name, gates.gates[i].name_len) == NULL) {
                fprintf(stderr, "vernier: %s: no metric '%.*s' (--max-drop)\n",
                        display_name(files[j]), (int)gates.gates[i].name_len,
                        gates.gates[i].name);
                status = EXIT_EVAL;
                break;
            }
    if (status == 0) {
        sbuf b = {NULL, 0, 0, 0};
        sb_printf(&b, "%-8s %10s %10s %10s\n", "metric", "A", "B", "B-A");
        for (i = 0; i < d[0].n_m; i++) {
            const metric_val *mb = find_metric(&d[1], d[0].m[i].name, strlen(d[0].m[i].name));
            if (mb != NULL)
                sb_printf(&b, "%-8s %10.4f %10.4f %+10.4f\n", d[0].m[i].name, d[0].m[i].value,
                          mb->value, mb->value - d[0].m[i].value);
        }
        if (per_class) {
            qsort(d[0].c, d[0].n_c, sizeof(class_ap), cmp_class);
            sb_printf(&b, "\n%8s %10s %10s %10s\n", "category", "AP A", "AP B", "B-A");
            for (i = 0; i < d[0].n_c; i++)
                for (j = 0; j < d[1].n_c; j++)
                    if (d[1].c[j].id == d[0].c[i].id) {
                        sb_printf(&b, "%8lld %10.4f %10.4f %+10.4f\n", d[0].c[i].id,
                                  d[0].c[i].ap, d[1].c[j].ap, d[1].c[j].ap - d[0].c[i].ap);
                        break;
                    }
        }
        if (b.oom) {
            fprintf(stderr, "vernier: out of memory\n");
            status = EXIT_EVAL;
        } else if ((b.n > 0 && fwrite(b.p, 1, b.n, stdout) != b.n) || fflush(stdout) != 0) {
            fprintf(stderr, "vernier: <stdout>: cannot write: %s\n", strerror(errno));
            status = EXIT_EVAL;
        }
        free(b.p);
    }
    for (i = 0; i < gates.n_gates && status != EXIT_EVAL; i++) {
        const gate *g = &gates.gates[i];
        double va = find_metric(&d[0], g->name, g->name_len)->value;
        double vb = find_metric(&d[1], g->name, g->name_len)->value;
        if (va - vb > g->value) {
            char n1[40], n2[40], n3[40];
            format_double(n1, sizeof(n1), va - vb);
            format_double(n2, sizeof(n2), va);
            format_double(n3, sizeof(n3), vb);
            fprintf(stderr, "vernier: max-drop: %.*s fell by %s (%s -> %s), more than %s\n",
                    (int)g->name_len, g->name, n1, n2, n3, g->text);
            status = EXIT_GATE;
        }
    }
    doc_free(&d[0]);
    doc_free(&d[1]);
    return status;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs("vernier: missing command\nTry 'vernier --help'.\n", stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        fputs(HELP_MAIN, stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("vernier %s\n", vernier_version_string());
        return 0;
    }
    if (strcmp(argv[1], "eval") == 0)
        return cmd_eval(argc - 2, argv + 2);
    if (strcmp(argv[1], "compare") == 0)
        return cmd_compare(argc - 2, argv + 2);
    fprintf(stderr, "vernier: unknown command '%s'\nTry 'vernier --help'.\n", argv[1]);
    return EXIT_USAGE;
}
