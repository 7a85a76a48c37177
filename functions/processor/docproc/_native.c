/* docproc._native: the statistics' per-position passes in one C loop each, the word segmenter
 * (jieba's cut, as rjieba gives it), the MinHash (rensa's digest), the Traditional-to-Simplified
 * fold (OpenCC's t2s where no phrase rule applies), the pages' nesting-depth scan, the
 * quantities' and dates' matcher, and two whitespace passes (the whitespace step's, the
 * signature's).
 *
 * Each function returns exactly what its pure-Python counterpart computes (in stats/,
 * language.py, keywords.py, quantities.py, dedup.py and steps/, beside each call; tests/unit/test_native.py checks
 * both on random and real texts); Python keeps the arithmetic that produces floats, so rounding
 * is the same too. The Python versions create one object per position (an n-gram key, a
 * 10-character string, a decimal token, a word id): here nothing is created per position.
 *
 * Built by functions/processor/build_native.py (the dev environment and the Lambda package);
 * where it is not built, the pure-Python path runs with the same results.
 *
 * Only libc's memory functions, qsort, madvise and libm's log (bound to its first symbol version,
 * below) are used, so the module loads on Lambda's Amazon Linux 2 (glibc 2.26;
 * tests/template/test_build.py checks the symbol versions).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* log() from glibc's first x86_64 symbol version: a build host's glibc (2.29 and later) would
 * otherwise bind log@GLIBC_2.29, which Lambda's glibc 2.26 does not have. The same function
 * either way (rjieba, built against glibc 2.17, calls it too). */
#if defined(__GLIBC__) && defined(__x86_64__)
__asm__(".symver log,log@GLIBC_2.2.5");
#endif

/* A str argument's characters, as PyUnicode_READ reads them. */
typedef struct {
    int kind;
    const void *data;
    Py_ssize_t length;
} Text;

/* Fill `t` from `arg`; 0, or -1 with a TypeError when `arg` is not a str. */
static int text_of(PyObject *arg, Text *t) {
    if (!PyUnicode_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "text must be a str");
        return -1;
    }
    t->kind = PyUnicode_KIND(arg);
    t->data = PyUnicode_DATA(arg);
    t->length = PyUnicode_GET_LENGTH(arg);
    return 0;
}

/* The multiplier of the polynomial keys. A fixed one would let a crafted document give many
 * distinct n-grams the same key (they are found by lattice reduction), and every insert would
 * then walk one long probe chain: quadratic time. docproc/native.py sets a random odd one per
 * process (seed()); the results never depend on it, as keys are compared in full. */
static uint64_t hash_base = 0x100000001b3ULL;

static PyObject *seed(PyObject *self, PyObject *arg) {
    (void)self;
    unsigned long long value = PyLong_AsUnsignedLongLongMask(arg);
    if (value == (unsigned long long)-1 && PyErr_Occurred()) return NULL;
    hash_base = (uint64_t)value | 1;
    Py_RETURN_NONE;
}

/* A 64-bit finaliser (MurmurHash3's fmix64): spreads the polynomial keys over the table. */
static inline uint64_t mix64(uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

/* An open-addressing table of distinct keys: the first position of each key and its count.
 * Keys are compared in full (by the caller's `same` test), so hash collisions cost a probe,
 * never a wrong count. */
typedef struct {
    uint64_t hash;
    Py_ssize_t first; /* -1: empty slot */
    Py_ssize_t count;
} TableSlot;

/* A slot's fields side by side: a probe touches one cache line, not one in each of three arrays. */
typedef struct {
    Py_ssize_t mask;
    Py_ssize_t capacity; /* slots allocated */
    TableSlot *slot;
} Table;

static Py_ssize_t table_size_for(Py_ssize_t keys) { /* at most half full */
    Py_ssize_t size = 16;
    while (size < 2 * keys) size <<= 1;
    return size;
}

static int table_init(Table *t, Py_ssize_t keys) {
    t->capacity = table_size_for(keys);
    t->mask = t->capacity - 1;
    t->slot = PyMem_Malloc((size_t)t->capacity * sizeof(TableSlot));
    return t->slot ? 0 : -1;
}

/* Empty the table, using only as many of its slots as `keys` need (at most its capacity): a
 * smaller count then touches and clears less memory. Every first -1 (the rest is set on insert). */
static void table_clear_for(Table *t, Py_ssize_t keys) {
    Py_ssize_t size = table_size_for(keys);
    t->mask = (size < t->capacity ? size : t->capacity) - 1;
    memset(t->slot, 0xff, (size_t)(t->mask + 1) * sizeof(TableSlot));
}

static void table_clear(Table *t) { table_clear_for(t, t->capacity); }

/* Count the key at position p, whose bytes are base[p * stride .. p * stride + width) and whose
 * hash is h: its slot. *added says whether the key was new. */
static inline Py_ssize_t table_count(Table *t, uint64_t h, Py_ssize_t p, const char *base, size_t stride,
                                     size_t width, int *added) {
    Py_ssize_t slot = (Py_ssize_t)(h & (uint64_t)t->mask);
    for (;;) {
        Py_ssize_t q = t->slot[slot].first;
        if (q < 0) {
            t->slot[slot].first = p;
            t->slot[slot].hash = h;
            t->slot[slot].count = 1;
            *added = 1;
            return slot;
        }
        if (t->slot[slot].hash == h && memcmp(base + (size_t)q * stride, base + (size_t)p * stride, width) == 0) {
            t->slot[slot].count++;
            *added = 0;
            return slot;
        }
        slot = (slot + 1) & t->mask;
    }
}

static void table_free(Table *t) { PyMem_Free(t->slot); }

/* ngram_levels(ids, word_chars, max_n) -> [(top_count, top_position, covered_chars)] for
 * n = 2..max_n.
 *
 * ids: the words as uint32 ids (array('I')); word_chars: each word's length (array('I')).
 * top_count: occurrences of the most frequent n-gram, 0 when none repeats (then every larger n
 * is (0, 0, 0) too); top_position: where the first n-gram (in order of first occurrence)
 * reaching that count first occurs; covered_chars: characters of the words covered by the
 * n-gram occurrences that repeat an earlier one (overlaps counted once). The same as
 * repetition.ngram_levels + top_ngram_char_frac / dup_ngram_char_frac before their division. */
static PyObject *ngram_levels(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer ids_buf, chars_buf;
    Py_ssize_t max_n;
    if (!PyArg_ParseTuple(args, "y*y*n", &ids_buf, &chars_buf, &max_n)) return NULL;
    PyObject *result = NULL;
    Py_ssize_t words = ids_buf.len / 4;
    const uint32_t *ids = ids_buf.buf;
    const uint32_t *chars = chars_buf.buf;
    uint64_t *keys = NULL, *cumulative = NULL;
    Py_ssize_t *slot_of = NULL, *positions = NULL;
    Table table = {0};
    if (chars_buf.len != ids_buf.len || max_n < 2) {
        PyErr_SetString(PyExc_ValueError, "ids and word_chars differ in length, or max_n < 2");
        goto done;
    }
    if (!(result = PyList_New(0))) goto done;
    keys = PyMem_Malloc((size_t)(words + 1) * sizeof(uint64_t));
    cumulative = PyMem_Malloc((size_t)(words + 1) * sizeof(uint64_t));
    slot_of = PyMem_Malloc((size_t)(words + 1) * sizeof(Py_ssize_t));
    positions = PyMem_Malloc((size_t)(words + 1) * sizeof(Py_ssize_t));
    if (!keys || !cumulative || !slot_of || !positions || table_init(&table, words) < 0) {
        Py_CLEAR(result);
        PyErr_NoMemory();
        goto done;
    }
    cumulative[0] = 0;
    for (Py_ssize_t p = 0; p < words; p++) {
        cumulative[p + 1] = cumulative[p] + chars[p];
        keys[p] = ids[p] + 1;
    }
    /* An n-gram can only repeat where its first n-1 words repeat: each size looks only at the
     * positions the previous size kept (few past n = 3 in most documents), in ascending order. */
    Py_ssize_t kept = words > 1 ? words - 1 : 0;
    for (Py_ssize_t p = 0; p < kept; p++) positions[p] = p;
    for (Py_ssize_t n = 2; n <= max_n; n++) {
        Py_ssize_t top_count = 0, top_position = 0;
        uint64_t covered = 0;
        while (kept > 0 && positions[kept - 1] + n > words) kept--; /* must end inside the text */
        if (kept > 0) {
            table_clear_for(&table, kept);
            for (Py_ssize_t k = 0; k < kept; k++) {
                Py_ssize_t p = positions[k];
                /* The key of the n-gram at p: its (n-1)-gram's key extended by its last word. */
                keys[p] = keys[p] * hash_base + ids[p + n - 1] + 1;
                int added;
                slot_of[k] = table_count(&table, mix64(keys[p]), p, (const char *)ids, sizeof(uint32_t),
                                         (size_t)n * sizeof(uint32_t), &added);
            }
            for (Py_ssize_t k = 0; k < kept; k++) {
                Py_ssize_t s = slot_of[k];
                if (table.slot[s].count > top_count) { /* ties keep the earliest first occurrence */
                    top_count = table.slot[s].count;
                    top_position = table.slot[s].first;
                }
            }
            if (top_count < 2) {
                top_count = top_position = 0;
                kept = 0; /* no n-gram repeats, so no longer one does either */
            } else {
                Py_ssize_t until = 0, still = 0; /* words before `until` are counted already */
                for (Py_ssize_t k = 0; k < kept; k++) {
                    Py_ssize_t p = positions[k], s = slot_of[k];
                    if (table.slot[s].count < 2) continue;
                    positions[still++] = p;
                    if (table.slot[s].first == p) continue; /* a first occurrence */
                    Py_ssize_t from = p > until ? p : until;
                    if (p + n > from) covered += cumulative[p + n] - cumulative[from];
                    until = p + n;
                }
                kept = still;
            }
        }
        PyObject *item = Py_BuildValue("(nnK)", top_count, top_position, (unsigned long long)covered);
        if (!item || PyList_Append(result, item) < 0) {
            Py_XDECREF(item);
            Py_CLEAR(result);
            goto done;
        }
        Py_DECREF(item);
    }
done:
    PyMem_Free(keys);
    PyMem_Free(cumulative);
    PyMem_Free(slot_of);
    PyMem_Free(positions);
    table_free(&table);
    PyBuffer_Release(&ids_buf);
    PyBuffer_Release(&chars_buf);
    return result;
}

static int by_count_descending(const void *a, const void *b) {
    Py_ssize_t x = *(const Py_ssize_t *)a, y = *(const Py_ssize_t *)b;
    return (x < y) - (x > y);
}

/* The integer square root: int(math.sqrt(d)) for every d below 2**52. */
static Py_ssize_t isqrt(Py_ssize_t d) {
    Py_ssize_t r = 0;
    while ((r + 1) * (r + 1) <= d) r++;
    return r;
}

/* Bits of char_ngram_top's filters per n-gram: a unique n-gram shares its bit with another in
 * about 1 case in this many (the two filters of a 100,000-character text take 400 KB). Measured
 * over the bench corpus's texts: 16 bits 1.14x the speed of 8 and 4 bits 0.88x; 32, 1.03x. */
#ifndef NGRAM_FILTER_BITS
#define NGRAM_FILTER_BITS 16
#endif

/* char_ngram_top(text, n) -> occurrences of the isqrt(#distinct) most frequent repeated
 * character n-grams of `text`: the numerator of repetition.char_ngram_repetition.
 *
 * Most n-grams of a text occur once. A first pass sets each n-gram's bit in a filter (a second
 * filter takes the bits set again); only the n-grams whose bit was set twice can repeat, and a
 * second pass counts those exactly, in a table a fraction of the size a table of every n-gram
 * took (whose random writes missed the cache on any text past a few pages). The other n-grams
 * are distinct from each other and from these: #distinct is counted exactly all the same. */
static PyObject *char_ngram_top(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *text;
    Py_ssize_t n;
    Text t;
    if (!PyArg_ParseTuple(args, "Un", &text, &n) || text_of(text, &t) < 0) return NULL;
    int kind = t.kind;
    const void *data = t.data;
    Py_ssize_t length = t.length;
    if (n < 1 || length < n) return PyLong_FromLong(0);
    Py_ssize_t grams = length - n + 1;
    Table table = {0};
    Py_ssize_t *repeated = NULL;
    uint64_t *once = NULL, *twice = NULL;
    PyObject *result = NULL;
    size_t bits = 1024;
    while (bits < (size_t)grams * NGRAM_FILTER_BITS) bits <<= 1;
    once = PyMem_Calloc(bits / 64, sizeof(uint64_t));
    twice = PyMem_Calloc(bits / 64, sizeof(uint64_t));
    if (!once || !twice) {
        PyErr_NoMemory();
        goto done;
    }
    const uint64_t base = hash_base;
    uint64_t power = 1; /* base ** (n - 1): what the character leaving the window weighs */
    for (Py_ssize_t i = 1; i < n; i++) power *= base;
    uint64_t start_key = 0;
    for (Py_ssize_t i = 0; i < n - 1; i++) start_key = start_key * base + PyUnicode_READ(kind, data, i);
    /* Each n-gram's key rolls from the one before: the first window's head enters first. */
#define ROLL(key, p)                                                         \
    do {                                                                     \
        if ((p) > 0) (key) -= power * PyUnicode_READ(kind, data, (p) - 1); \
        (key) = (key) * base + PyUnicode_READ(kind, data, (p) + n - 1);     \
    } while (0)
    uint64_t key = start_key;
    Py_ssize_t again = 0; /* n-grams whose bit was set already */
    for (Py_ssize_t p = 0; p < grams; p++) {
        ROLL(key, p);
        uint64_t b = (mix64(key) >> 16) & (bits - 1), bit = 1ull << (b & 63);
        if (once[b >> 6] & bit) {
            twice[b >> 6] |= bit;
            again++;
        } else {
            once[b >> 6] |= bit;
        }
    }
    /* A bit set k >= 2 times was set again k - 1 times: the n-grams counted below are at most
     * twice as many. */
    if (table_init(&table, 2 * again + 1) < 0) {
        PyErr_NoMemory();
        goto done;
    }
    table_clear(&table);
    Py_ssize_t distinct = 0, counted = 0;
    key = start_key;
    for (Py_ssize_t p = 0; p < grams; p++) {
        ROLL(key, p);
        uint64_t h = mix64(key), b = (h >> 16) & (bits - 1);
        if (!(twice[b >> 6] & (1ull << (b & 63)))) continue;
        int added;
        table_count(&table, h, p, (const char *)data, (size_t)kind, (size_t)(n * kind), &added);
        distinct += added;
        counted++;
    }
#undef ROLL
    distinct += grams - counted; /* each of the others is the only one of its kind */
    Py_ssize_t n_repeated = 0;
    if (!(repeated = PyMem_Malloc((size_t)(table.mask + 2) * sizeof(Py_ssize_t)))) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t s = 0; s <= table.mask; s++)
        if (table.slot[s].first >= 0 && table.slot[s].count > 1) repeated[n_repeated++] = table.slot[s].count;
    Py_ssize_t top = isqrt(distinct);
    if (top > n_repeated) top = n_repeated;
    qsort(repeated, (size_t)n_repeated, sizeof(Py_ssize_t), by_count_descending);
    Py_ssize_t total = 0;
    for (Py_ssize_t i = 0; i < top; i++) total += repeated[i];
    result = PyLong_FromSsize_t(total);
done:
    table_free(&table);
    PyMem_Free(repeated);
    PyMem_Free(once);
    PyMem_Free(twice);
    return result;
}

/* cminhash(tokens, seed, num_perm) -> rensa 0.2.4's CMinHash(num_perm, seed) digest after
 * update() with each uint64 of `tokens` (a buffer of native uint64) as its decimal string: the
 * same num_perm 32-bit values, computed another way.
 *
 * rensa hashes each token's decimal digits (an FNV-style multiply-add over 8-byte words, then the
 * bytes left), permutes the hash h once (s = a*h + b) and takes, for each slot k, the minimum
 * over the tokens of c*s + (c*k + d), all mod 2^64: 128 multiply-adds and minima per token.
 * With x = c*s and t_k = -(c*k + d), slot k's value is x - t_k mod 2^64, the distance from t_k
 * up to x going round the ring, so slot k's minimum is the distance from t_k to the first x at
 * or after it. Here each token's x is dropped into the gap between the sorted t_k it falls in
 * (found from x's top bits: an index of where each 1/4096 of the ring starts among the t_k, then
 * a step or two), each gap keeps its smallest x, and one pass over the gaps
 * gives every slot its first x: a handful of operations per token instead of 128, the same
 * minima. tests/unit/test_native.py checks it against rensa itself. */
#define CMINHASH_MAX_PERM 1024
#define CMINHASH_BUCKET_BITS 12
#define CMINHASH_BUCKETS (1 << CMINHASH_BUCKET_BITS)
#define CMINHASH_BATCH 16

typedef struct {
    uint64_t seed;
    Py_ssize_t num_perm;
    uint64_t a, b, c;
    uint64_t threshold[CMINHASH_MAX_PERM]; /* the t_k, ascending */
    Py_ssize_t slot[CMINHASH_MAX_PERM];    /* the k of each threshold */
    /* How many thresholds lie below each 1/CMINHASH_BUCKETS of the ring: a value's gap is then
     * found in a step or two, where a binary search was a chain of dependent loads. */
    uint16_t below[CMINHASH_BUCKETS + 1];
} CMinHashParams;

static CMinHashParams cminhash_params;

/* rensa seeds Xoshiro256++ from the u64 seed as rand_xoshiro does: four SplitMix64 outputs. */
static uint64_t splitmix64(uint64_t *state) {
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline uint64_t rotl64(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

static uint64_t xoshiro256pp(uint64_t s[4]) {
    uint64_t result = rotl64(s[0] + s[3], 23) + s[0];
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl64(s[3], 45);
    return result;
}

static int by_threshold(const void *a, const void *b) {
    uint64_t x = cminhash_params.threshold[*(const Py_ssize_t *)a];
    uint64_t y = cminhash_params.threshold[*(const Py_ssize_t *)b];
    return (x > y) - (x < y);
}

/* Fill cminhash_params for (seed, num_perm), unless they are already: one signature layout per
 * process in practice. */
static void cminhash_prepare(uint64_t seed, Py_ssize_t num_perm) {
    CMinHashParams *p = &cminhash_params;
    if (p->num_perm == num_perm && p->seed == seed) return;
    uint64_t state = seed, s[4];
    for (int i = 0; i < 4; i++) s[i] = splitmix64(&state);
    p->a = xoshiro256pp(s) | 1;
    p->b = xoshiro256pp(s);
    p->c = xoshiro256pp(s) | 1;
    uint64_t d = xoshiro256pp(s);
    Py_ssize_t order[CMINHASH_MAX_PERM];
    uint64_t unsorted[CMINHASH_MAX_PERM];
    for (Py_ssize_t k = 0; k < num_perm; k++) {
        unsorted[k] = 0 - (p->c * (uint64_t)k + d);
        p->threshold[k] = unsorted[k];
        order[k] = k;
    }
    qsort(order, (size_t)num_perm, sizeof(Py_ssize_t), by_threshold);
    for (Py_ssize_t i = 0; i < num_perm; i++) {
        p->threshold[i] = unsorted[order[i]];
        p->slot[i] = order[i];
    }
    Py_ssize_t below = 0;
    for (uint64_t b = 0; b <= CMINHASH_BUCKETS; b++) {
        /* thresholds below b * 2^(64 - BITS); the last entry counts them all */
        while (below < num_perm && (b == CMINHASH_BUCKETS || p->threshold[below] >> (64 - CMINHASH_BUCKET_BITS) < b))
            below++;
        p->below[b] = (uint16_t)below;
    }
    p->seed = seed;
    p->num_perm = num_perm;
}

/* rensa 0.2.4's calculate_hash_fast of the decimal digits of v. */
static const char digit_pairs[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                  "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                  "8081828384858687888990919293949596979899";

/* The 8 decimal digits of x (< 10^8, zero-padded) at out: 32-bit arithmetic, two independent
 * halves. */
static inline void eight_digits(uint32_t x, char *out) {
    uint32_t high = x / 10000, low = x % 10000;
    memcpy(out, digit_pairs + 2 * (high / 100), 2);
    memcpy(out + 2, digit_pairs + 2 * (high % 100), 2);
    memcpy(out + 4, digit_pairs + 2 * (low / 100), 2);
    memcpy(out + 6, digit_pairs + 2 * (low % 100), 2);
}

/* v's decimal digits, right-aligned in digits[0 .. 24): where they start. Most tokens have 19 or
 * 20 digits: split into 10^8 blocks (two 64-bit divisions), each block written with 32-bit
 * ones, then the leading block without its zeros. */
static inline int decimal_digits(uint64_t v, char *digits) {
    int at = 24;
    while (v >= 100000000) {
        at -= 8;
        eight_digits((uint32_t)(v % 100000000), digits + at);
        v /= 100000000;
    }
    uint32_t rest = (uint32_t)v;
    while (rest >= 100) {
        at -= 2;
        memcpy(digits + at, digit_pairs + 2 * (rest % 100), 2);
        rest /= 100;
    }
    if (rest >= 10) {
        at -= 2;
        memcpy(digits + at, digit_pairs + 2 * rest, 2);
    } else {
        digits[--at] = (char)('0' + rest);
    }
    return at;
}

/* rensa's hash of a token's decimal string s[0 .. n). */
static inline uint64_t decimal_hash(const char *s, int n) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; n >= 8; n -= 8, s += 8) {
        uint64_t word;
        memcpy(&word, s, 8); /* little-endian, as rensa reads it (dedup.py asserts the byte order) */
        h = h * 0x100000001b3ULL + word;
    }
    for (; n > 0; n--, s++) h = h * 0x100000001b3ULL + (uint8_t)*s;
    return h;
}

/* The num_perm 64-bit minima of the `count` tokens at `bytes` (native uint64), by slot. */
static void cminhash_values(const char *bytes, Py_ssize_t count, uint64_t seed, Py_ssize_t num_perm,
                            uint64_t *values) {
    cminhash_prepare(seed, num_perm);
    const CMinHashParams *p = &cminhash_params;
    /* Gap g holds the x with exactly g thresholds at or below them: g = 0 below the first,
     * g = num_perm at or above the last. */
    uint64_t smallest[CMINHASH_MAX_PERM + 1];
    uint8_t filled[CMINHASH_MAX_PERM + 1];
    memset(filled, 0, (size_t)num_perm + 1);
    /* A batch's digits are all written before the first is hashed: a word loaded right after
     * the byte and pair stores that wrote it cannot be forwarded from them and waits for them
     * (perf put a quarter of this function's time on that load). */
    char digits[CMINHASH_BATCH][24];
    int at[CMINHASH_BATCH];
    for (Py_ssize_t first = 0; first < count; first += CMINHASH_BATCH) {
        int batch = count - first < CMINHASH_BATCH ? (int)(count - first) : CMINHASH_BATCH;
        for (int k = 0; k < batch; k++) {
            uint64_t v;
            memcpy(&v, bytes + (first + k) * 8, 8);
            at[k] = decimal_digits(v, digits[k]);
        }
        for (int k = 0; k < batch; k++) {
            uint64_t x = p->c * (p->a * decimal_hash(digits[k] + at[k], 24 - at[k]) + p->b);
            /* Every threshold of an earlier bucket is below x; those of x's own bucket are few. */
            Py_ssize_t gap = p->below[x >> (64 - CMINHASH_BUCKET_BITS)];
            while (gap < num_perm && p->threshold[gap] <= x) gap++;
            if (!filled[gap] || x < smallest[gap]) {
                smallest[gap] = x;
                filled[gap] = 1;
            }
        }
    }
    /* The first x round the ring from the top: the smallest x of all. */
    uint64_t lowest = 0;
    for (Py_ssize_t g = 0; g <= num_perm; g++) {
        if (filled[g]) {
            lowest = smallest[g];
            break;
        }
    }
    int have = 0;
    uint64_t next = 0; /* the first x at or after the current threshold, if `have` */
    for (Py_ssize_t i = num_perm - 1; i >= 0; i--) {
        if (filled[i + 1]) { /* the gap just above threshold i */
            next = smallest[i + 1];
            have = 1;
        }
        values[p->slot[i]] = (have ? next : lowest) - p->threshold[i];
    }
}

static PyObject *cminhash(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer buf;
    unsigned long long seed_value;
    Py_ssize_t num_perm;
    if (!PyArg_ParseTuple(args, "y*Kn", &buf, &seed_value, &num_perm)) return NULL;
    if (num_perm < 1 || num_perm > CMINHASH_MAX_PERM) {
        PyBuffer_Release(&buf);
        PyErr_Format(PyExc_ValueError, "num_perm must be 1..%d", CMINHASH_MAX_PERM);
        return NULL;
    }
    Py_ssize_t count = buf.len / 8;
    uint64_t values[CMINHASH_MAX_PERM];
    if (count == 0) { /* rensa's digest of nothing: every slot still at u64::MAX */
        for (Py_ssize_t k = 0; k < num_perm; k++) values[k] = UINT64_MAX;
    } else {
        cminhash_values((const char *)buf.buf, count, (uint64_t)seed_value, num_perm, values);
    }
    PyBuffer_Release(&buf);
    PyObject *result = PyList_New(num_perm);
    for (Py_ssize_t k = 0; result && k < num_perm; k++) {
        PyObject *v = PyLong_FromUnsignedLong((unsigned long)(values[k] >> 32));
        if (!v) {
            Py_CLEAR(result);
            break;
        }
        PyList_SET_ITEM(result, k, v);
    }
    return result;
}

/* Whether chars[0 .. n) hold a word character (regex \w: alphanumeric or '_'), as
 * segment.words_of decides it for a token. */
static int holds_word_char(const Py_UCS4 *chars, Py_ssize_t n) {
    for (Py_ssize_t i = 0; i < n; i++)
        if (chars[i] == '_' || Py_UNICODE_ISALNUM(chars[i])) return 1;
    return 0;
}

/* Whether str.lower() would change chars[0 .. n): some character's simple lower-case mapping
 * differs from it (that of U+0130, the one character whose full mapping differs alone, does too). */
static int lowers(const Py_UCS4 *chars, Py_ssize_t n) {
    for (Py_ssize_t i = 0; i < n; i++)
        if (Py_UNICODE_TOLOWER(chars[i]) != chars[i]) return 1;
    return 0;
}

/* Whether chars[0 .. n) (n > 0) hold no letter of any script: keywords._NO_LETTER ([\d_\W]+)
 * matches them whole. A letter is a word character (alphanumeric or '_') that is neither a
 * decimal digit nor '_'. */
static int has_no_letter(const Py_UCS4 *chars, Py_ssize_t n) {
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 ch = chars[i];
        if (ch != '_' && Py_UNICODE_ISALNUM(ch) && !Py_UNICODE_ISDECIMAL(ch)) return 0;
    }
    return n > 0;
}

/* count_flagged(text, table) -> (characters whose table byte has bit 0 set, ... bit 1 set).
 * table: 65536 bytes, one per BMP code point (characters past the BMP count in neither): the
 * counts of language.script_char_counts' two one-character classes, in one pass. */
static PyObject *count_flagged(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *text;
    Py_buffer table;
    if (!PyArg_ParseTuple(args, "Uy*", &text, &table)) return NULL;
    if (table.len != 0x10000) {
        PyBuffer_Release(&table);
        PyErr_SetString(PyExc_ValueError, "the table must have 65536 bytes");
        return NULL;
    }
    const unsigned char *flags = table.buf;
    Text t;
    text_of(text, &t); /* a str: "U" checked it */
    int kind = t.kind;
    const void *data = t.data;
    Py_ssize_t length = t.length, first = 0, second = 0;
    if (kind != PyUnicode_1BYTE_KIND) { /* Latin-1 text holds no Han character: both stay 0 */
        for (Py_ssize_t i = 0; i < length; i++) {
            Py_UCS4 ch = PyUnicode_READ(kind, data, i);
            if (ch < 0x10000) {
                unsigned char f = flags[ch];
                first += f & 1;
                second += (f >> 1) & 1;
            }
        }
    }
    PyBuffer_Release(&table);
    return Py_BuildValue("(nn)", first, second);
}

static inline int is_han(Py_UCS4 ch) {
    return (ch >= 0x4E00 && ch <= 0x9FFF) || (ch >= 0x3400 && ch <= 0x4DBF) ||
           (ch >= 0xF900 && ch <= 0xFAFF) || (ch >= 0x20000 && ch <= 0x3134F) || ch == 0x3007;
}

/* han_census(text) -> (Han characters, {every other character: its count}): the Han ranges of
 * composition._HAN_RUN, and Counter() of the rest, in order of first occurrence. */
static PyObject *han_census(PyObject *self, PyObject *arg) {
    (void)self;
    Text t;
    if (text_of(arg, &t) < 0) return NULL;
    int kind = t.kind;
    const void *data = t.data;
    Py_ssize_t length = t.length, han = 0, n_order = 0;
    /* BMP counts in an array kept zeroed between calls (each call zeroes the entries it
       counted, all listed in `order`): a fresh 256 KiB array a call was zeroed whole by calloc,
       most of this function's time on a short text. First occurrences in `order`. */
    static uint32_t *counts;
    static int counts_busy; /* a call made while one runs (a finalizer's, in a collection the
                               dict calls below may start) takes an array of its own */
    if (!counts) counts = PyMem_RawCalloc(0x10000, sizeof(uint32_t)); /* kept for the process */
    int own = counts_busy || !counts;
    uint32_t *bmp = own ? PyMem_Calloc(0x10000, sizeof(uint32_t)) : counts;
    if (!own) counts_busy = 1;
    Py_ssize_t most = length < 0x110000 ? length : 0x110000; /* distinct characters, at most */
    Py_UCS4 *order = PyMem_Malloc((size_t)(most + 1) * sizeof(Py_UCS4));
    PyObject *rest = PyDict_New(), *astral = PyDict_New(), *result = NULL;
    if (!bmp || !order || !rest || !astral) {
        if (!PyErr_Occurred()) PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < length; i++) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, i);
        if (is_han(ch)) {
            han++;
        } else if (ch < 0x10000) {
            if (bmp[ch]++ == 0) order[n_order++] = ch;
        } else { /* rare: emoji, PUA planes; kept in order with the rest below */
            PyObject *key = PyUnicode_FromOrdinal((int)ch);
            if (!key) goto done;
            PyObject *count = PyDict_GetItemWithError(astral, key);
            Py_ssize_t n = count ? PyLong_AsSsize_t(count) : 0;
            PyObject *bumped = PyLong_FromSsize_t(n + 1);
            if ((!count && PyErr_Occurred()) || !bumped || PyDict_SetItem(astral, key, bumped) < 0) {
                Py_XDECREF(bumped);
                Py_DECREF(key);
                goto done;
            }
            Py_DECREF(bumped);
            Py_DECREF(key);
            if (!count) order[n_order++] = ch;
        }
    }
    for (Py_ssize_t k = 0; k < n_order; k++) {
        Py_UCS4 ch = order[k];
        PyObject *key = PyUnicode_FromOrdinal((int)ch), *count;
        if (!key) goto done;
        if (ch < 0x10000) {
            count = PyLong_FromUnsignedLong(bmp[ch]);
        } else {
            count = PyDict_GetItemWithError(astral, key);
            Py_XINCREF(count);
        }
        if (!count || PyDict_SetItem(rest, key, count) < 0) {
            Py_XDECREF(count);
            Py_DECREF(key);
            goto done;
        }
        Py_DECREF(count);
        Py_DECREF(key);
    }
    result = Py_BuildValue("(nO)", han, rest);
done:
    if (own) {
        PyMem_Free(bmp);
    } else {
        if (order)
            for (Py_ssize_t k = 0; k < n_order; k++)
                if (order[k] < 0x10000) bmp[order[k]] = 0;
        counts_busy = 0;
    }
    PyMem_Free(order);
    Py_XDECREF(rest);
    Py_XDECREF(astral);
    return result;
}

/* One keyword candidate: a TF * IDF score and its word (chars[0 .. length)). */
typedef struct {
    double score;
    const Py_UCS4 *chars;
    Py_ssize_t length;
} Scored;

/* Whether candidate a ranks before b as (score, word) tuples do under reverse=True: str
 * comparison is by code point. */
static int ranks_before(const Scored *a, const Scored *b) {
    if (a->score != b->score) return a->score > b->score;
    Py_ssize_t n = a->length < b->length ? a->length : b->length;
    for (Py_ssize_t i = 0; i < n; i++)
        if (a->chars[i] != b->chars[i]) return a->chars[i] > b->chars[i];
    return a->length > b->length;
}

/* Insert `candidate` into best[0..*filled) (kept in rank order, at most k). */
static void keep_if_better(Scored *best, Py_ssize_t *filled, Py_ssize_t k, Scored candidate) {
    if (*filled == k && !ranks_before(&candidate, &best[k - 1])) return;
    Py_ssize_t at = *filled < k ? (*filled)++ : k - 1;
    while (at > 0 && ranks_before(&candidate, &best[at - 1])) {
        best[at] = best[at - 1];
        at--;
    }
    best[at] = candidate;
}

/* The IDF table as an index over its own text, in place of a dict of 44k str keys (building
 * that dict was ~10 ms of every cold start; this index ~1 ms). The text is the table file's
 * body: `idf<TAB>word word ...` lines; a word listed twice keeps its last IDF, as the dict
 * built line by line does (keywords.idf_table). Words are looked up by their UTF-8 bytes. */
#define IDF_INDEX_NAME "docproc._native.idf_index"

typedef struct {
    uint64_t hash;
    Py_ssize_t offset; /* in the text; length 0: an empty slot */
    Py_ssize_t length;
    double value;
} IdfSlot;

typedef struct {
    PyObject *text; /* the bytes the slots point into, kept alive by the index */
    IdfSlot *slots;
    size_t mask; /* slots - 1: a power of two, at least twice the words */
} IdfIndex;

/* FNV-1a: the keys are a fixed table, not a document's (a document's words only look up). */
static inline uint64_t bytes_hash(const char *s, Py_ssize_t n) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (Py_ssize_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
    return h;
}

static IdfSlot *idf_slot(const IdfIndex *ix, const char *s, Py_ssize_t n, uint64_t h) {
    const char *base = PyBytes_AS_STRING(ix->text);
    for (size_t at = (size_t)h & ix->mask;; at = (at + 1) & ix->mask) {
        IdfSlot *slot = &ix->slots[at];
        if (slot->length == 0) return slot;
        if (slot->hash == h && slot->length == n && memcmp(base + slot->offset, s, (size_t)n) == 0) return slot;
    }
}

static void idf_index_free(PyObject *capsule) {
    IdfIndex *ix = PyCapsule_GetPointer(capsule, IDF_INDEX_NAME);
    if (!ix) return;
    Py_XDECREF(ix->text);
    PyMem_Free(ix->slots);
    PyMem_Free(ix);
}

/* idf_index(text: bytes) -> capsule, for word_stats' `idf`. */
static PyObject *idf_index(PyObject *self, PyObject *arg) {
    (void)self;
    if (!PyBytes_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "the IDF table's text must be bytes");
        return NULL;
    }
    const char *text = PyBytes_AS_STRING(arg);
    Py_ssize_t size = PyBytes_GET_SIZE(arg), words = 0;
    for (Py_ssize_t i = 0; i < size; i++) words += text[i] == ' ' || text[i] == '\t';
    size_t slots = 16;
    while (slots < 2 * (size_t)(words + 1)) slots <<= 1;
    IdfIndex *ix = PyMem_Calloc(1, sizeof(IdfIndex));
    if (!ix || !(ix->slots = PyMem_Calloc(slots, sizeof(IdfSlot)))) {
        PyMem_Free(ix);
        return PyErr_NoMemory();
    }
    ix->mask = slots - 1;
    Py_INCREF(arg);
    ix->text = arg;
    PyObject *capsule = PyCapsule_New(ix, IDF_INDEX_NAME, idf_index_free);
    if (!capsule) {
        Py_DECREF(arg);
        PyMem_Free(ix->slots);
        PyMem_Free(ix);
        return NULL;
    }
    for (Py_ssize_t line = 0; line < size;) {
        Py_ssize_t end = line;
        while (end < size && text[end] != '\n') end++;
        Py_ssize_t tab = line;
        while (tab < end && text[tab] != '\t') tab++;
        if (tab < end) {
            char number[32];
            Py_ssize_t digits = tab - line;
            if (digits <= 0 || digits >= (Py_ssize_t)sizeof number) goto bad_line;
            memcpy(number, text + line, (size_t)digits);
            number[digits] = '\0';
            char *parsed_end;
            double value = PyOS_string_to_double(number, &parsed_end, NULL);
            if (value == -1.0 && PyErr_Occurred()) goto fail;
            if (*parsed_end != '\0') goto bad_line;
            for (Py_ssize_t w = tab + 1; w < end;) {
                Py_ssize_t stop = w;
                while (stop < end && text[stop] != ' ') stop++;
                if (stop > w) {
                    uint64_t h = bytes_hash(text + w, stop - w);
                    IdfSlot *slot = idf_slot(ix, text + w, stop - w, h);
                    *slot = (IdfSlot){h, w, stop - w, value};
                }
                w = stop + 1;
            }
        }
        line = end + 1;
        continue;
    bad_line:
        PyErr_Format(PyExc_ValueError, "IDF table: no number before the tab at byte %zd", line);
        goto fail;
    }
    return capsule;
fail:
    Py_DECREF(capsule);
    return NULL;
}

/* The IDF of chars[0 .. n) in the index, or `fallback`: the word's UTF-8 bytes are written into
 * *buffer (grown as needed) and looked up. A lone surrogate has no UTF-8: no table word is one.
 * -1 on no memory. */
static int idf_weight(const IdfIndex *ix, const Py_UCS4 *chars, Py_ssize_t n, double fallback, char **buffer,
                      Py_ssize_t *room, double *weight) {
    *weight = fallback;
    if (*room < 4 * n) {
        char *grown = PyMem_Realloc(*buffer, (size_t)(4 * n + 16));
        if (!grown) return -1;
        *buffer = grown;
        *room = 4 * n + 16;
    }
    char *out = *buffer;
    Py_ssize_t m = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 ch = chars[i];
        if (ch < 0x80) {
            out[m++] = (char)ch;
        } else if (ch < 0x800) {
            out[m++] = (char)(0xC0 | (ch >> 6));
            out[m++] = (char)(0x80 | (ch & 0x3F));
        } else if (ch < 0x10000) {
            if (ch >= 0xD800 && ch <= 0xDFFF) return 0;
            out[m++] = (char)(0xE0 | (ch >> 12));
            out[m++] = (char)(0x80 | ((ch >> 6) & 0x3F));
            out[m++] = (char)(0x80 | (ch & 0x3F));
        } else {
            out[m++] = (char)(0xF0 | (ch >> 18));
            out[m++] = (char)(0x80 | ((ch >> 12) & 0x3F));
            out[m++] = (char)(0x80 | ((ch >> 6) & 0x3F));
            out[m++] = (char)(0x80 | (ch & 0x3F));
        }
    }
    if (m > 0) {
        IdfSlot *slot = idf_slot(ix, out, m, bytes_hash(out, m));
        if (slot->length) *weight = slot->value;
    }
    return 0;
}

/* idf_of(index, word) -> the word's IDF in the index, or None: what word_stats looks up. */
static PyObject *idf_of(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *capsule, *word;
    if (!PyArg_ParseTuple(args, "OU", &capsule, &word)) return NULL;
    IdfIndex *ix = PyCapsule_GetPointer(capsule, IDF_INDEX_NAME);
    if (!ix) return NULL;
    Py_UCS4 *chars = PyUnicode_AsUCS4Copy(word);
    if (!chars) return NULL;
    char *buffer = NULL;
    Py_ssize_t room = 0;
    double weight;
    int failed = idf_weight(ix, chars, PyUnicode_GET_LENGTH(word), NAN, &buffer, &room, &weight);
    PyMem_Free(chars);
    PyMem_Free(buffer);
    if (failed) return PyErr_NoMemory();
    if (isnan(weight)) Py_RETURN_NONE;
    return PyFloat_FromDouble(weight);
}

static inline int is_sentence_ender(Py_UCS4 ch) {
    return ch == 0x3002 || ch == 0xFF01 || ch == 0xFF1F || ch == '!' || ch == '?'; /* 。！？!? */
}

static inline int is_closing_quote(Py_UCS4 ch) {
    return ch == 0x201D || ch == 0x300D || ch == 0x300F || ch == '"' || ch == '\''; /* ”」』"' */
}

/* sentence_ends(text) -> the number of matches of lines._SENTENCE_END in `text`: a run of
 * 。！？!? or of … with one closing quote after it, or a full stop before whitespace or the
 * end; scanned as the regex engine scans, leftmost and without overlaps. */
static PyObject *sentence_ends(PyObject *self, PyObject *arg) {
    (void)self;
    Text t;
    if (text_of(arg, &t) < 0) return NULL;
    int kind = t.kind;
    const void *data = t.data;
    Py_ssize_t length = t.length, found = 0, i = 0;
    while (i < length) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, i);
        if (is_sentence_ender(ch) || ch == 0x2026) { /* … */
            int ellipsis = ch == 0x2026;
            i++;
            while (i < length) {
                Py_UCS4 next = PyUnicode_READ(kind, data, i);
                if (ellipsis ? next != 0x2026 : !is_sentence_ender(next)) break;
                i++;
            }
            if (i < length && is_closing_quote(PyUnicode_READ(kind, data, i))) i++;
            found++;
        } else {
            if (ch == '.' && (i + 1 == length || Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i + 1)))) found++;
            i++;
        }
    }
    return PyLong_FromSsize_t(found);
}

/* private_use(text) -> characters of the Private Use Areas (U+E000-U+F8FF, planes 15-16). */
static PyObject *private_use(PyObject *self, PyObject *arg) {
    (void)self;
    Text t;
    if (text_of(arg, &t) < 0) return NULL;
    int kind = t.kind;
    const void *data = t.data;
    Py_ssize_t length = t.length, found = 0;
    if (kind != PyUnicode_1BYTE_KIND) {
        for (Py_ssize_t i = 0; i < length; i++) {
            Py_UCS4 ch = PyUnicode_READ(kind, data, i);
            found += (ch >= 0xE000 && ch <= 0xF8FF) || ch >= 0xF0000;
        }
    }
    return PyLong_FromSsize_t(found);
}

/* ------------------------------------------------------------------ pinyin annotations
 *
 * pinyin_annotations(text) -> [start, end, ...]: the matches of steps/pinyin.py's _ANNOTATION,
 * `(` or `（` after a CJK ideograph, 1 to 7 pinyin letters, an optional tone number 1-5, `)` or
 * `）`. The letters are disjoint from the digit and the brackets, so the regex's greedy run
 * with backtracking matches exactly when the run of letters is 1 to 7 long. Matches do not
 * overlap: the scan goes on after each one, as the regex's does (tests/unit/test_native.py
 * compares the two on random texts). The step then asks pypinyin's readings in Python. */

static inline int is_ideograph(Py_UCS4 ch) {
    return (ch >= 0x3400 && ch <= 0x4DBF) || (ch >= 0x4E00 && ch <= 0x9FFF) || (ch >= 0xF900 && ch <= 0xFAFF);
}

static inline int is_pinyin_letter(Py_UCS4 ch) {
    if (ch < 128) return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
    switch (ch) { /* _TONE_LETTERS: āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ */
    case 0x101: case 0xE1: case 0x1CE: case 0xE0: case 0x113: case 0xE9: case 0x11B: case 0xE8:
    case 0x12B: case 0xED: case 0x1D0: case 0xEC: case 0x14D: case 0xF3: case 0x1D2: case 0xF2:
    case 0x16B: case 0xFA: case 0x1D4: case 0xF9: case 0x1D6: case 0x1D8: case 0x1DA: case 0x1DC:
    case 0xFC: case 0x144: case 0x148: case 0x1F9: case 0x1E3F:
        return 1;
    default:
        return 0;
    }
}

static PyObject *pinyin_annotations(PyObject *self, PyObject *arg) {
    (void)self;
    Text t;
    if (text_of(arg, &t) < 0) return NULL;
    PyObject *out = PyList_New(0);
    if (out == NULL) return NULL;
    int kind = t.kind;
    const void *data = t.data;
    Py_ssize_t n = t.length;
    for (Py_ssize_t i = 1; i < n; i++) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, i);
        if ((ch != '(' && ch != 0xFF08) || !is_ideograph(PyUnicode_READ(kind, data, i - 1))) continue;
        Py_ssize_t j = i + 1;
        while (j < n && j - i <= 8 && is_pinyin_letter(PyUnicode_READ(kind, data, j))) j++;
        Py_ssize_t letters = j - i - 1;
        if (letters < 1 || letters > 7) continue;
        if (j < n) {
            Py_UCS4 d = PyUnicode_READ(kind, data, j);
            if (d >= '1' && d <= '5') j++;
        }
        if (j >= n) continue;
        Py_UCS4 close = PyUnicode_READ(kind, data, j);
        if (close != ')' && close != 0xFF09) continue;
        PyObject *a = PyLong_FromSsize_t(i), *b = PyLong_FromSsize_t(j + 1);
        if (a == NULL || b == NULL || PyList_Append(out, a) < 0 || PyList_Append(out, b) < 0) {
            Py_XDECREF(a);
            Py_XDECREF(b);
            Py_DECREF(out);
            return NULL;
        }
        Py_DECREF(a);
        Py_DECREF(b);
        i = j; /* the next match starts after this one */
    }
    return out;
}

/* ------------------------------------------------------------------ whitespace
 *
 * Two passes the steps made with str methods over the whole text, one string a line or a word
 * each: here one pass writes the result in the text's own kind (every character written is one
 * of the text's, a space or a line feed), and PyUnicode_FromKindAndData then picks the
 * narrowest kind, as str's methods do. Whitespace is str.split()'s and str.strip()'s
 * (Py_UNICODE_ISSPACE), which holds no character past U+3000: Han text never calls the Unicode
 * database (tests/unit/test_native.py checks both, and compares the results with the str
 * methods on random texts). Each pass is written once for the three kinds (a macro), so that
 * no character is read through a switch on the kind. */

static inline int is_space(Py_UCS4 ch) { return ch < 128 ? Py_UNICODE_ISSPACE(ch) : ch <= 0x3000 && Py_UNICODE_ISSPACE(ch); }

/* without_whitespace(text) -> "".join(text.split()) */
#define WITHOUT_WHITESPACE(T)                                            \
    do {                                                                 \
        const T *in = (const T *)t.data;                                 \
        T *to = (T *)out;                                                \
        for (Py_ssize_t i = 0; i < t.length; i++)                        \
            if (!is_space(in[i])) to[n++] = in[i];                       \
    } while (0)

/* tidy_whitespace(text) -> whitespace.normalize_whitespace's text, as its str methods make it:
 * "\r\n" and "\r" end lines; tabs, ideographic and no-break spaces are spaces; a run of spaces
 * is one; each line is stripped; the non-empty lines are joined by a blank line. Each line is
 * written two places past the result so far (room for the blank line), stripped there, then
 * moved down after the separator. */
#define TIDY_WHITESPACE(T)                                                                        \
    do {                                                                                          \
        const T *in = (const T *)t.data;                                                          \
        T *to = (T *)out;                                                                         \
        Py_ssize_t i = 0;                                                                         \
        while (i <= t.length) {                                                                   \
            Py_ssize_t line = n + (n > 0 ? 2 : 0), at = line;                                     \
            int space_before = 0;                                                                 \
            for (; i < t.length; i++) {                                                           \
                Py_UCS4 ch = in[i];                                                               \
                if (ch == '\n' || ch == '\r') break;                                              \
                if (ch == '\t' || ch == 0x3000 || ch == 0xA0) ch = ' ';                           \
                if (ch == ' ' && space_before) continue;                                          \
                space_before = ch == ' ';                                                         \
                to[at++] = (T)ch;                                                                 \
            }                                                                                     \
            if (i + 1 < t.length && in[i] == '\r' && in[i + 1] == '\n') i++; /* one line end */ \
            i++;                                                                                  \
            Py_ssize_t first = line, last = at;                                                   \
            while (first < last && is_space(to[first])) first++;                                  \
            while (last > first && is_space(to[last - 1])) last--;                                \
            if (first == last) continue; /* an empty line: nothing written */                     \
            if (n > 0) {                                                                          \
                to[n++] = '\n';                                                                   \
                to[n++] = '\n';                                                                   \
            }                                                                                     \
            memmove(to + n, to + first, (size_t)(last - first) * sizeof(T));                     \
            n += last - first;                                                                    \
        }                                                                                         \
    } while (0)

/* One of the two passes over a str, into a new one. */
static PyObject *whitespace_pass(PyObject *arg, int tidy) {
    Text t;
    if (text_of(arg, &t) < 0) return NULL;
    int kind = t.kind;
    /* tidy: at most the text and a line feed a line ("a\nb" -> "a\n\nb"), and a line's two places. */
    void *out = PyMem_Malloc((size_t)(tidy ? 2 * t.length + 3 : t.length + 1) * (size_t)kind);
    if (!out) return PyErr_NoMemory();
    Py_ssize_t n = 0;
    if (tidy) {
        if (kind == PyUnicode_1BYTE_KIND) TIDY_WHITESPACE(Py_UCS1);
        else if (kind == PyUnicode_2BYTE_KIND) TIDY_WHITESPACE(Py_UCS2);
        else TIDY_WHITESPACE(Py_UCS4);
    } else {
        if (kind == PyUnicode_1BYTE_KIND) WITHOUT_WHITESPACE(Py_UCS1);
        else if (kind == PyUnicode_2BYTE_KIND) WITHOUT_WHITESPACE(Py_UCS2);
        else WITHOUT_WHITESPACE(Py_UCS4);
    }
    PyObject *result = PyUnicode_FromKindAndData(kind, out, n);
    PyMem_Free(out);
    return result;
}

static PyObject *without_whitespace(PyObject *self, PyObject *arg) {
    (void)self;
    return whitespace_pass(arg, 0);
}

static PyObject *tidy_whitespace(PyObject *self, PyObject *arg) {
    (void)self;
    return whitespace_pass(arg, 1);
}

/* ------------------------------------------------------------------ word segmentation
 *
 * word_dict(text) -> a dictionary for cut(); cut(text, dictionary) -> rjieba.cut(text, False):
 * jieba-rs 0.11's segmentation without HMM (rjieba 0.2.2), over the same dictionary (jieba's
 * dict.txt: data/jieba_dict.txt), token for token. docproc/segment.py calls rjieba where this
 * module is not built; tests/unit/test_native.py compares the two on random and real texts.
 *
 * The algorithm, as jieba-rs runs it:
 * - The text splits into blocks of Han characters and [a-zA-Z0-9+#&._%-] and the rest. Outside
 *   the blocks every character is a token of its own, except "\r\n", which is one.
 * - In a block, each position's candidate words are the dictionary words starting there (a
 *   character no word starts with is a candidate of frequency 1). Going from the end, each
 *   position takes the candidate maximising ln(frequency) - ln(total) plus the best score after
 *   it (ties to the longer), and the tokens follow those choices from the start; consecutive
 *   one-character choices that are ASCII letters or digits join into one token.
 * Why here: rjieba builds its 349k-word trie on the first call (0.09-0.10 s of every cold start)
 * and hands back one str per token through UTF-8; this table loads in a fraction of that and
 * cuts the str's own code points. */

/* The dictionary as a trie in one open-addressing table: a node is the slot holding (its
 * parent node, its last character), so each step down is one probe and no string compare. A
 * slot is one 64-bit word: the character (21 bits), used and word flags, the parent's node id
 * (24 bits) and, for a word, the index of its score among the dictionary's distinct scores
 * (17 bits: jieba's 349k words have 5,087 distinct frequencies). 8 bytes a slot halve the table
 * a 16-byte slot with the score in it made (16 MiB for jieba's 498k nodes): the cut's time is
 * mostly its probes' cache misses. The root's children among the BMP are also indexed directly. */
typedef uint64_t TrieSlot;

#define SLOT_CHAR 0x1FFFFFull
#define SLOT_USED (1ull << 21)
#define SLOT_WORD (1ull << 22)
#define SLOT_PARENT_SHIFT 23
#define SLOT_SCORE_SHIFT 47
#define SLOT_KEY (((1ull << SLOT_SCORE_SHIFT) - 1) & ~SLOT_WORD) /* parent, used, character */
#define TRIE_MAX_SLOTS (1ull << 23)                               /* node ids fit 24 bits */
#define TRIE_MAX_SCORES (1u << 17)

typedef struct {
    TrieSlot *slots;
    uint64_t mask;
    int shift; /* 64 - log2(table size) */
    uint32_t *root_bmp;   /* BMP character -> the root's child node id, or 0 */
    double *scores;       /* ln(frequency) - ln(total), by score index */
    double unknown_score; /* ln(1) - ln(total): a character no word starts with */
    Py_ssize_t longest;
} WordDict;

/* One multiply (Fibonacci hashing, the top bits): the keys are the dictionary's, fixed, so a text
 * can only choose which of them it looks up, and an absent key's probe ends at the first empty
 * slot of a table at most 2/3 full. */
static inline uint64_t trie_key_slot(const WordDict *d, uint32_t parent, Py_UCS4 ch) {
    return ((((uint64_t)parent << 21) | ch) * 0x9E3779B97F4A7C15ULL) >> d->shift;
}

static inline uint64_t trie_key(uint32_t parent, Py_UCS4 ch) {
    return ((uint64_t)parent << SLOT_PARENT_SHIFT) | SLOT_USED | ch;
}

/* The child of `parent` by `ch`: its node id, or 0. */
static inline uint32_t trie_child(const WordDict *d, uint32_t parent, Py_UCS4 ch) {
    if (parent == 0 && ch < 0x10000) return d->root_bmp[ch];
    uint64_t slot = trie_key_slot(d, parent, ch), key = trie_key(parent, ch);
    for (;;) {
        TrieSlot s = d->slots[slot];
        if (!(s & SLOT_USED)) return 0;
        if ((s & SLOT_KEY) == key) return (uint32_t)slot + 1;
        slot = (slot + 1) & d->mask;
    }
}

/* Add the child of `parent` by `ch` (not there yet): its node id. */
static uint32_t trie_add(WordDict *d, uint32_t parent, Py_UCS4 ch) {
    uint64_t slot = trie_key_slot(d, parent, ch);
    while (d->slots[slot] & SLOT_USED) slot = (slot + 1) & d->mask;
    d->slots[slot] = trie_key(parent, ch);
    uint32_t id = (uint32_t)slot + 1;
    if (parent == 0 && ch < 0x10000) d->root_bmp[ch] = id;
    return id;
}

static void word_dict_release(WordDict *d) {
    if (!d) return;
    free(d->slots); /* huge_calloc's */
    PyMem_Free(d->root_bmp);
    PyMem_Free(d->scores);
    PyMem_Free(d);
}

static void word_dict_free(PyObject *capsule) {
    word_dict_release(PyCapsule_GetPointer(capsule, "docproc.word_dict"));
}

/* Zeroed memory for the trie's table (8 MiB for jieba's dictionary), in 2 MiB pages where the
 * kernel gives them on request: one page fault a huge page instead of 512, about 8 ms of the
 * load. Freed with free(). */
static void *huge_calloc(size_t bytes) {
    const size_t huge = (size_t)2 << 20;
    void *memory = NULL;
    if (bytes < huge) return calloc(1, bytes);
    bytes = (bytes + huge - 1) & ~(huge - 1);
    if (posix_memalign(&memory, huge, bytes) != 0) return NULL;
#ifdef MADV_HUGEPAGE
    madvise(memory, bytes, MADV_HUGEPAGE);
#endif
    memset(memory, 0, bytes);
    return memory;
}

/* One UTF-8 character at s (before end): its code point and length, or length 0 when invalid. */
static inline int utf8_next(const unsigned char *s, const unsigned char *end, Py_UCS4 *ch) {
    unsigned char c = s[0];
    int n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (!n || s + n > end) return 0;
    Py_UCS4 v = n == 1 ? c : n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : c & 0x07;
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v > 0x10FFFF) return 0;
    *ch = v;
    return n;
}

static inline int is_line_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

#define WORD_MAX_CHARS 64

/* One line of dict.txt: the word's code points and its frequency. 1: a word; 0: a blank line;
 * -1: an error (set). */
static inline int dict_line(const unsigned char **at, const unsigned char *end, int line_no, Py_UCS4 *word,
                     Py_ssize_t *length, uint64_t *freq) {
    const unsigned char *p = *at;
    const unsigned char *eol = memchr(p, '\n', (size_t)(end - p));
    if (!eol) eol = end;
    *at = eol + 1;
    while (p < eol && is_line_space(*p)) p++;
    *length = 0;
    *freq = 0;
    if (p == eol) return 0;
    while (p < eol && !is_line_space(*p)) {
        Py_UCS4 ch;
        int n = utf8_next(p, eol, &ch);
        if (!n || *length == WORD_MAX_CHARS) {
            PyErr_Format(PyExc_ValueError, n ? "line %d: a word of more than %d characters" : "line %d: not UTF-8",
                         line_no, WORD_MAX_CHARS);
            return -1;
        }
        word[(*length)++] = ch;
        p += n;
    }
    while (p < eol && is_line_space(*p)) p++;
    while (p < eol && !is_line_space(*p)) { /* the frequency (0 without one); a tag may follow */
        if (*p < '0' || *p > '9' || *freq > (UINT64_MAX - 9) / 10) {
            PyErr_Format(PyExc_ValueError, "line %d: the frequency is not a number", line_no);
            return -1;
        }
        *freq = *freq * 10 + (uint64_t)(*p++ - '0');
    }
    return 1;
}

/* ln(f) for the dictionary's frequencies: most are small and repeat, so small ones are computed
 * once each. The same libm call either way. */
#define SMALL_LOGS 4096

/* word_dict(text): `text` in dict.txt's format (UTF-8, a line a word: the word, its frequency,
 * an optional tag, separated by spaces), sorted by code point (data/jieba_dict.txt is;
 * ValueError otherwise). A repeated word keeps its last frequency and the total is over the
 * distinct words, as in jieba-rs.
 *
 * The trie is built a depth at a time: in sorted order a word's prefix of a given depth is new
 * exactly when it differs from the word before's, and the new nodes of one depth are
 * independent inserts, whose cache misses the processor overlaps (a word at a time, each
 * insert waited for its parent's: 0.07 s against 0.01). */
static PyObject *word_dict(PyObject *self, PyObject *arg) {
    (void)self;
    Py_buffer buf;
    if (PyObject_GetBuffer(arg, &buf, PyBUF_SIMPLE) < 0) return NULL;
    const unsigned char *end = (const unsigned char *)buf.buf + buf.len, *p;
    Py_ssize_t lines = 1;
    for (p = buf.buf; (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++) lines++;
    WordDict *d = PyMem_Calloc(1, sizeof(WordDict));
    Py_UCS4 *pool = PyMem_Malloc(((size_t)buf.len + 1) * sizeof(Py_UCS4));
    uint32_t *start = PyMem_Malloc((size_t)lines * sizeof(uint32_t));
    uint8_t *length = PyMem_Malloc((size_t)lines);
    uint8_t *shared = PyMem_Malloc((size_t)lines);
    uint64_t *freq = PyMem_Malloc((size_t)lines * sizeof(uint64_t));
    uint32_t *node = PyMem_Calloc((size_t)lines, sizeof(uint32_t)); /* each word's prefix node so far */
    Py_ssize_t *active = PyMem_Malloc((size_t)lines * sizeof(Py_ssize_t));
    double *small_log = PyMem_Malloc(SMALL_LOGS * sizeof(double));
    uint64_t *freq_keys = NULL; /* the distinct frequencies' numbering, while loading */
    uint32_t *freq_ids = NULL;
    PyObject *capsule = NULL;
    if (!d || !pool || !start || !length || !shared || !freq || !node || !active || !small_log) goto nomem;
    Py_ssize_t n = 0, nodes = 0;
    uint32_t used = 0;
    int line_no = 0;
    for (p = buf.buf; p < end;) {
        Py_ssize_t chars;
        uint64_t f;
        int got = dict_line(&p, end, ++line_no, pool + used, &chars, &f);
        if (got < 0) goto fail;
        if (!got) continue;
        Py_ssize_t same = 0;
        if (n > 0) {
            const Py_UCS4 *before = pool + start[n - 1];
            Py_ssize_t before_chars = length[n - 1];
            while (same < chars && same < before_chars && pool[used + same] == before[same]) same++;
            if (same < before_chars && (same == chars || pool[used + same] < before[same])) {
                PyErr_Format(PyExc_ValueError, "line %d: the words are not sorted by code point", line_no);
                goto fail;
            }
        }
        start[n] = used;
        length[n] = (uint8_t)chars;
        shared[n] = (uint8_t)same;
        freq[n] = f;
        nodes += chars - same;
        if (chars > d->longest) d->longest = chars;
        used += (uint32_t)chars;
        n++;
    }
    uint64_t size = 16;
    while (size < (uint64_t)nodes + (uint64_t)nodes / 2 + 1) size <<= 1; /* at most 2/3 full */
    if (size > TRIE_MAX_SLOTS) {
        PyErr_SetString(PyExc_ValueError, "a dictionary of more than 5 million trie nodes");
        goto fail;
    }
    d->mask = size - 1;
    d->shift = 64;
    for (uint64_t bits = size; bits > 1; bits >>= 1) d->shift--;
    d->slots = huge_calloc((size_t)size * sizeof(TrieSlot));
    d->root_bmp = PyMem_Calloc(0x10000, sizeof(uint32_t));
    if (!d->slots || !d->root_bmp) goto nomem;
    Py_ssize_t n_active = 0;
    for (Py_ssize_t w = 0; w < n; w++) active[n_active++] = w;
    for (Py_ssize_t depth = 1; n_active > 0; depth++) {
        Py_ssize_t kept = 0;
        for (Py_ssize_t a = 0; a < n_active; a++) {
            Py_ssize_t w = active[a];
            if (a + 16 < n_active) { /* the slot an insert a little ahead will probe: its miss overlaps */
                Py_ssize_t ahead = active[a + 16];
                if (shared[ahead] < depth)
                    __builtin_prefetch(&d->slots[trie_key_slot(d, node[ahead], pool[start[ahead] + depth - 1])], 1);
            }
            /* A word sharing this depth with the word before has that word's node (the word before
             * is at least this long, so it was just done). */
            node[w] = shared[w] >= depth ? node[w - 1] : trie_add(d, node[w], pool[start[w] + depth - 1]);
            if (length[w] > depth) active[kept++] = w;
        }
        n_active = kept;
    }
    uint64_t total = 0;
    for (Py_ssize_t w = 0; w < n; w++) { /* a repeated word: the last frequency (sorted: the last one) */
        if (w + 1 < n && shared[w + 1] == length[w] && length[w + 1] == length[w]) continue;
        total += freq[w];
    }
    /* Each edge's weight as jieba-rs computes it: (freq as f64).ln() - logtotal. */
    double log_total = log((double)total);
    for (Py_ssize_t k = 0; k < SMALL_LOGS; k++) small_log[k] = log((double)k);
    /* Each distinct frequency's score once, numbered in a small table (frequency -> index + 1). */
    uint64_t keys_size = 16;
    while (keys_size < 2 * (uint64_t)(n < (Py_ssize_t)TRIE_MAX_SCORES ? n : TRIE_MAX_SCORES)) keys_size <<= 1;
    freq_keys = PyMem_Calloc((size_t)keys_size, sizeof(uint64_t));
    freq_ids = PyMem_Calloc((size_t)keys_size, sizeof(uint32_t));
    d->scores = PyMem_Malloc(TRIE_MAX_SCORES * sizeof(double));
    if (!freq_keys || !freq_ids || !d->scores) goto nomem;
    uint32_t n_scores = 0;
    for (Py_ssize_t w = 0; w < n; w++) {
        uint64_t f = freq[w], at = (f * 0x9E3779B97F4A7C15ULL) & (keys_size - 1);
        while (freq_ids[at] && freq_keys[at] != f) at = (at + 1) & (keys_size - 1);
        if (!freq_ids[at]) {
            if (n_scores == TRIE_MAX_SCORES) {
                PyErr_SetString(PyExc_ValueError, "a dictionary of more than 131072 distinct frequencies");
                goto fail;
            }
            freq_keys[at] = f;
            freq_ids[at] = ++n_scores;
            d->scores[n_scores - 1] = (f < SMALL_LOGS ? small_log[f] : log((double)f)) - log_total;
        }
        TrieSlot *slot = &d->slots[node[w] - 1];
        *slot = (*slot & ~(((1ull << 17) - 1) << SLOT_SCORE_SHIFT)) | SLOT_WORD |
                ((uint64_t)(freq_ids[at] - 1) << SLOT_SCORE_SHIFT);
    }
    d->unknown_score = log(1.0) - log_total;
    capsule = PyCapsule_New(d, "docproc.word_dict", word_dict_free);
    if (!capsule) goto fail;
    d = NULL; /* the capsule's now */
    goto done;
nomem:
    PyErr_NoMemory();
fail:
    word_dict_release(d);
done:
    PyMem_Free(freq_keys);
    PyMem_Free(freq_ids);
    PyMem_Free(pool);
    PyMem_Free(start);
    PyMem_Free(length);
    PyMem_Free(shared);
    PyMem_Free(freq);
    PyMem_Free(node);
    PyMem_Free(active);
    PyMem_Free(small_log);
    PyBuffer_Release(&buf);
    return capsule;
}

/* jieba-rs's RE_HAN_DEFAULT: the characters of a block. */
static inline int in_word_block(Py_UCS4 ch) {
    if (ch < 0x80)
        return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '+' ||
               ch == '#' || ch == '&' || ch == '.' || ch == '_' || ch == '%' || ch == '-';
    return (ch >= 0x4E00 && ch <= 0x9FFF) || (ch >= 0x3400 && ch <= 0x4DBF) || (ch >= 0xF900 && ch <= 0xFAFF) ||
           (ch >= 0x20000 && ch <= 0x2A6DF) || (ch >= 0x2A700 && ch <= 0x2EBEF) || (ch >= 0x2F800 && ch <= 0x2FA1F);
}

static inline int is_ascii_alnum(Py_UCS4 ch) {
    return ch < 0x80 && ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'));
}

/* The tokens as spans of the text's characters: [start, end). */
typedef struct {
    Py_ssize_t start, end;
} Span;

#if defined(__GNUC__)
#define PREFETCH(address) __builtin_prefetch(address)
#else
#define PREFETCH(address) ((void)(address))
#endif

/* How many positions ahead of the cut's walk the slots it will read are fetched. */
#define CUT_AHEAD 8 /* 4 to 32 measured: 8 to 32 within 3% */

/* Start loading the slots the walk from position p will read first: its first character's
 * node (for the word flag and the score) and the probe for its second. Each is a random place
 * in a table of several MiB, almost always a cache miss; the walk reaches p CUT_AHEAD positions
 * later, and the loads run meanwhile (perf put 60% of the cut's time on these two loads).
 * Branch-free: a character outside the BMP, a first character no word starts with or a block's
 * last position (chars[n] is readable: the cut's buffer has one more) only fetch a slot for
 * nothing. A macro, not a function: GCC's pure-function analysis takes a function holding only
 * loads and prefetches for one without effect and drops its calls. */
#define CUT_PREFETCH(d, chars, p)                                                   \
    do {                                                                            \
        uint32_t node_ = (d)->root_bmp[(chars)[p] & 0xFFFF];                        \
        PREFETCH(&(d)->slots[(node_ - 1) & (d)->mask]);                             \
        PREFETCH(&(d)->slots[trie_key_slot((d), node_, (chars)[(p) + 1] & SLOT_CHAR)]); \
    } while (0)

/* The probe for the third character of the walk from p, once its second's slot is in cache
 * (fetched CUT_AHEAD / 2 positions earlier): most first pairs of Chinese text are in the table,
 * so the walk goes on to a third. Another 7% of the cut. */
#define CUT_PREFETCH_DEEP(d, chars, p)                                                      \
    do {                                                                                    \
        uint32_t node_ = (d)->root_bmp[(chars)[p] & 0xFFFF];                                \
        node_ = node_ ? trie_child((d), node_, (chars)[(p) + 1] & SLOT_CHAR) : 0;           \
        PREFETCH(&(d)->slots[trie_key_slot((d), node_, (chars)[(p) + 2] & SLOT_CHAR)]);     \
    } while (0)

/* Append the tokens of the block chars[0 .. n) (the text's chars[offset ..]) to spans (room for
 * one a character). best/next: n + 1 scratch slots each. */
static Py_ssize_t cut_block(const WordDict *d, const Py_UCS4 *chars, Py_ssize_t n, Py_ssize_t offset, double *best,
                            Py_ssize_t *next, Span *spans, Py_ssize_t n_spans) {
    best[n] = 0.0;
    next[n] = 0;
    for (Py_ssize_t p = n - 1; p >= 0 && p >= n - CUT_AHEAD; p--) CUT_PREFETCH(d, chars, p);
    for (Py_ssize_t i = n - 1; i >= 0; i--) {
        if (i >= CUT_AHEAD) CUT_PREFETCH(d, chars, i - CUT_AHEAD);
        if (i >= CUT_AHEAD / 2) CUT_PREFETCH_DEEP(d, chars, i - CUT_AHEAD / 2);
        uint32_t node = 0;
        int found = 0;
        double top = 0.0;
        Py_ssize_t top_end = i + 1;
        Py_ssize_t limit = n - i < d->longest ? n - i : d->longest;
        for (Py_ssize_t length = 1; length <= limit; length++) {
            node = trie_child(d, node, chars[i + length - 1]);
            if (!node) break;
            TrieSlot e = d->slots[node - 1];
            if (!(e & SLOT_WORD)) continue;
            double score = d->scores[e >> SLOT_SCORE_SHIFT] + best[i + length];
            /* Rust's max_by keeps the last of equal candidates: a later (longer) one wins a tie. */
            if (!found || !(top > score)) {
                top = score;
                top_end = i + length;
                found = 1;
            }
        }
        if (!found) {
            top = d->unknown_score + best[i + 1];
            top_end = i + 1;
        }
        best[i] = top;
        next[i] = top_end;
    }
    Py_ssize_t x = 0, left = -1;
    while (x < n) {
        Py_ssize_t y = next[x];
        if (y == x + 1 && is_ascii_alnum(chars[x])) {
            if (left < 0) left = x;
        } else {
            if (left >= 0) spans[n_spans++] = (Span){offset + left, offset + x};
            left = -1;
            spans[n_spans++] = (Span){offset + x, offset + y};
        }
        x = y;
    }
    if (left >= 0) spans[n_spans++] = (Span){offset + left, offset + n};
    return n_spans;
}

/* A cut of one text: its characters and its tokens' spans. */
typedef struct {
    Py_UCS4 *chars;
    Span *spans;
    Py_ssize_t n_spans;
} Cut;

static void cut_free(Cut *c) {
    PyMem_Free(c->chars);
    PyMem_Free(c->spans);
}

/* Cut `text` (a str) with the dictionary `capsule`: 0, or -1 with an exception set. */
static int cut_spans(PyObject *text, PyObject *capsule, Cut *c) {
    c->chars = NULL;
    c->spans = NULL;
    c->n_spans = 0;
    if (!PyCapsule_IsValid(capsule, "docproc.word_dict")) {
        PyErr_SetString(PyExc_TypeError, "the dictionary must come from word_dict()");
        return -1;
    }
    const WordDict *d = PyCapsule_GetPointer(capsule, "docproc.word_dict");
    Text t;
    if (text_of(text, &t) < 0) return -1;
    Py_ssize_t length = t.length;
    c->chars = PyMem_Malloc((size_t)(length + 1) * sizeof(Py_UCS4));
    c->spans = PyMem_Malloc((size_t)(length + 1) * sizeof(Span));
    double *best = PyMem_Malloc((size_t)(length + 1) * sizeof(double));
    Py_ssize_t *next = PyMem_Malloc((size_t)(length + 1) * sizeof(Py_ssize_t));
    if (!c->chars || !c->spans || !best || !next) {
        PyMem_Free(best);
        PyMem_Free(next);
        cut_free(c);
        PyErr_NoMemory();
        return -1;
    }
    Py_UCS4 *chars = c->chars;
    for (Py_ssize_t i = 0; i < length; i++) chars[i] = PyUnicode_READ(t.kind, t.data, i);
    chars[length] = 0; /* read (never used) by CUT_PREFETCH at a block's end */
    Py_ssize_t i = 0, n = 0;
    while (i < length) {
        if (in_word_block(chars[i])) {
            Py_ssize_t j = i + 1;
            while (j < length && in_word_block(chars[j])) j++;
            n = cut_block(d, chars + i, j - i, i, best, next, c->spans, n);
            i = j;
        } else {
            Py_ssize_t step = (chars[i] == '\r' && i + 1 < length && chars[i + 1] == '\n') ? 2 : 1;
            c->spans[n++] = (Span){i, i + step};
            i += step;
        }
    }
    c->n_spans = n;
    PyMem_Free(best);
    PyMem_Free(next);
    return 0;
}

static PyObject *cut(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *text, *capsule;
    if (!PyArg_ParseTuple(args, "UO", &text, &capsule)) return NULL;
    Cut c;
    if (cut_spans(text, capsule, &c) < 0) return NULL;
    PyObject *tokens = PyList_New(c.n_spans);
    for (Py_ssize_t k = 0; tokens && k < c.n_spans; k++) {
        PyObject *token = PyUnicode_Substring(text, c.spans[k].start, c.spans[k].end);
        if (!token) {
            Py_CLEAR(tokens);
            break;
        }
        PyList_SET_ITEM(tokens, k, token);
    }
    cut_free(&c);
    return tokens;
}

/* ------------------------------------------------------------------ word statistics
 *
 * word_set(words) -> a set of words for word_stats' stop words; word_stats(text, dictionary,
 * stops, idf, default, ceiling, min_chars, k) -> (words, unique_words, stop_words, no_letter_words,
 * total_chars, ids, chars, keywords): the word statistics of cut(text, dictionary) without a str
 * for any word but the k keywords. What stats.tokens_census gives from segment's tokens in
 * Python (and Counter, str.lower, stop words, keywords.top_keywords):
 * - words: how many tokens are words (hold a word character: regex \w, as segment.words_of);
 * - unique_words: how many distinct lower-cased words; stop_words, no_letter_words: how many
 *   words' lower-cased form is in `stops`, or holds no letter (keywords._NO_LETTER);
 * - ids: each word's id, its lower-cased form's number in order of first occurrence, and chars:
 *   each word's length, both native uint32 in bytes; total_chars: their sum;
 * - keywords: [(count * IDF, word)], the k best of the lower-cased words that are neither stop
 *   words nor without a letter and have at least min_chars characters, best first, as
 *   heapq.nlargest(k, zip(scores, words)) ranks them; IDF from the idf_index `idf` (by UTF-8),
 *   or `default`; `ceiling`: no IDF is larger (words whose count times it cannot reach the k-th
 *   best are not looked up).
 * Each distinct token is decided once: a table keyed by its characters (the keyed hash of the
 * n-gram counts: a document cannot force collisions) gives its id; a second one, keyed by the
 * lower-cased characters, numbers the words. Lower-casing runs in C unless a character's simple
 * mapping changes (then str.lower() decides, as it may lengthen the word). Why: the Counter of
 * str keys this replaced, the stop-word intersection and the keyword pass over it took about as
 * long as the cut itself. */

typedef struct {
    uint64_t hash;
    Py_ssize_t start; /* the key's first character in the caller's buffer; -1: an empty slot */
    Py_ssize_t length;
    Py_ssize_t id;
} KeySlot;

/* The slot holding key[0 .. length) (whose hash is h; keys live in `base`), or the empty slot
 * where it would go. At most half the slots are used. */
static KeySlot *key_slot(KeySlot *slots, size_t mask, const Py_UCS4 *base, const Py_UCS4 *key, Py_ssize_t length,
                         uint64_t h) {
    for (size_t at = (size_t)mix64(h) & mask;; at = (at + 1) & mask) {
        KeySlot *s = &slots[at];
        if (s->start < 0) return s;
        if (s->hash == h && s->length == length &&
            memcmp(base + s->start, key, (size_t)length * sizeof(Py_UCS4)) == 0)
            return s;
    }
}

static KeySlot *key_slots_new(Py_ssize_t keys, size_t *mask) {
    size_t size = (size_t)table_size_for(keys);
    KeySlot *slots = PyMem_Malloc(size * sizeof(KeySlot));
    if (slots) memset(slots, 0xff, size * sizeof(KeySlot)); /* every start -1 */
    *mask = size - 1;
    return slots;
}

/* After a key was added (`used` keys now): twice the slots once half are used, the keys placed
 * again by their hash. word_stats' tables start small and grow so: sized for every token, they
 * were cleared whole for each document though a text's distinct words are far fewer. */
static int key_slots_added(KeySlot **slots, size_t *mask, Py_ssize_t used) {
    size_t size = *mask + 1;
    if ((size_t)used * 2 <= size) return 0;
    size_t bigger = size * 2;
    KeySlot *old = *slots, *grown = PyMem_Malloc(bigger * sizeof(KeySlot));
    if (!grown) return -1;
    memset(grown, 0xff, bigger * sizeof(KeySlot));
    for (size_t i = 0; i < size; i++) {
        if (old[i].start < 0) continue;
        size_t at = (size_t)mix64(old[i].hash) & (bigger - 1);
        while (grown[at].start >= 0) at = (at + 1) & (bigger - 1);
        grown[at] = old[i];
    }
    PyMem_Free(old);
    *slots = grown;
    *mask = bigger - 1;
    return 0;
}

/* A fixed set of words (the stop words): keys chosen once, so a fixed hash (FNV-1a over the
 * code points) serves; a document's words only look up, and a probe ends at the first empty
 * slot of a table at most half full. */
typedef struct {
    Py_UCS4 *pool;
    KeySlot *slots;
    size_t mask;
} WordSet;

static inline uint64_t chars_hash(const Py_UCS4 *s, Py_ssize_t n) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (Py_ssize_t i = 0; i < n; i++) h = (h ^ s[i]) * 0x100000001b3ULL;
    return h;
}

static void word_set_release(WordSet *w) {
    if (!w) return;
    PyMem_Free(w->pool);
    PyMem_Free(w->slots);
    PyMem_Free(w);
}

static void word_set_free(PyObject *capsule) { word_set_release(PyCapsule_GetPointer(capsule, "docproc.word_set")); }

/* The str items of `arg` (any iterable) copied end to end into one new pool of code points:
 * item i is pool[starts[i] .. starts[i] + lengths[i]). Items shorter than min_length are refused
 * (ValueError); `what` names the caller in the errors. *count is the number of items. */
static Py_UCS4 *str_pool(PyObject *arg, Py_ssize_t min_length, const char *what, Py_ssize_t *count,
                         Py_ssize_t **starts, Py_ssize_t **lengths) {
    PyObject *items = PySequence_Fast(arg, what);
    if (!items) return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(items), total = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(items, i);
        if (!PyUnicode_Check(item) || PyUnicode_GET_LENGTH(item) < min_length) {
            Py_DECREF(items);
            PyErr_Format(PyUnicode_Check(item) ? PyExc_ValueError : PyExc_TypeError,
                         "%s takes str of %zd or more characters", what, min_length);
            return NULL;
        }
        total += PyUnicode_GET_LENGTH(item);
    }
    Py_UCS4 *pool = PyMem_Malloc((size_t)(total + 1) * sizeof(Py_UCS4));
    *starts = PyMem_Malloc((size_t)(n + 1) * sizeof(Py_ssize_t));
    *lengths = PyMem_Malloc((size_t)(n + 1) * sizeof(Py_ssize_t));
    if (!pool || !*starts || !*lengths) {
        PyErr_NoMemory();
        goto fail;
    }
    Py_ssize_t at = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(items, i);
        Py_ssize_t length = PyUnicode_GET_LENGTH(item);
        if (!PyUnicode_AsUCS4(item, pool + at, length, 0)) goto fail;
        (*starts)[i] = at;
        (*lengths)[i] = length;
        at += length;
    }
    Py_DECREF(items);
    *count = n;
    return pool;
fail:
    Py_DECREF(items);
    PyMem_Free(pool);
    PyMem_Free(*starts);
    PyMem_Free(*lengths);
    *starts = *lengths = NULL;
    return NULL;
}

static PyObject *word_set(PyObject *self, PyObject *arg) {
    (void)self;
    Py_ssize_t n, *starts, *lengths;
    WordSet *w = PyMem_Calloc(1, sizeof(WordSet));
    if (!w) return PyErr_NoMemory();
    if (!(w->pool = str_pool(arg, 0, "word_set", &n, &starts, &lengths))) {
        word_set_release(w);
        return NULL;
    }
    if (!(w->slots = key_slots_new(n, &w->mask))) {
        PyMem_Free(starts);
        PyMem_Free(lengths);
        word_set_release(w);
        return PyErr_NoMemory();
    }
    for (Py_ssize_t i = 0; i < n; i++) { /* a word given twice keeps its first place */
        const Py_UCS4 *word = w->pool + starts[i];
        uint64_t h = chars_hash(word, lengths[i]);
        KeySlot *s = key_slot(w->slots, w->mask, w->pool, word, lengths[i], h);
        if (s->start < 0) *s = (KeySlot){h, starts[i], lengths[i], 0};
    }
    PyMem_Free(starts);
    PyMem_Free(lengths);
    PyObject *capsule = PyCapsule_New(w, "docproc.word_set", word_set_free);
    if (!capsule) word_set_release(w);
    return capsule;
}

static int word_set_has(const WordSet *w, const Py_UCS4 *chars, Py_ssize_t n) {
    return key_slot(w->slots, w->mask, w->pool, chars, n, chars_hash(chars, n))->start >= 0;
}

/* Room for `more` characters after *used in *pool (of *room), or -1. */
static int pool_reserve(Py_UCS4 **pool, Py_ssize_t *room, Py_ssize_t used, Py_ssize_t more) {
    if (used + more <= *room) return 0;
    Py_ssize_t grown = *room * 2 > used + more ? *room * 2 : used + more + 64;
    Py_UCS4 *p = PyMem_Realloc(*pool, (size_t)grown * sizeof(Py_UCS4));
    if (!p) return -1;
    *pool = p;
    *room = grown;
    return 0;
}

/* A token's hash for word_stats' table of distinct tokens. */
static inline uint64_t token_hash(const Py_UCS4 *token, Py_ssize_t length) {
    uint64_t h = (uint64_t)length;
    for (Py_ssize_t j = 0; j < length; j++) h = h * hash_base + token[j];
    return h;
}

/* One-character tokens of the BMP (about half of a Chinese text's: 的, 在, punctuation) skip
 * word_stats' table of distinct tokens: each character's word id (or -1, not a word) is kept
 * by code point, valid for the call whose generation number it carries, so that no call
 * clears the arrays. The GIL is held throughout word_stats. */
static uint32_t char_seen[0x10000];
static int32_t char_word[0x10000];
static uint32_t char_generation;

static PyObject *word_stats(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *text, *dictionary, *stops_capsule, *idf_capsule;
    double fallback, ceiling;
    Py_ssize_t min_chars, k;
    if (!PyArg_ParseTuple(args, "UOOOddnn", &text, &dictionary, &stops_capsule, &idf_capsule, &fallback, &ceiling,
                          &min_chars, &k))
        return NULL;
    const WordSet *stops = PyCapsule_GetPointer(stops_capsule, "docproc.word_set");
    const IdfIndex *ix = stops ? PyCapsule_GetPointer(idf_capsule, IDF_INDEX_NAME) : NULL;
    if (!ix) return NULL;
    if (k < 0) k = 0;
    Cut c;
    if (cut_spans(text, dictionary, &c) < 0) return NULL;
    Py_ssize_t n = c.n_spans, n_words = 0, total_chars = 0, n_lower = 0, pool_used = 0, pool_room = 0;
    Py_ssize_t n_stop = 0, n_no_letter = 0, n_cand = 0, filled = 0, utf8_room = 0;
    size_t seen_mask = 0, lower_mask = 0;
    Py_ssize_t n_seen = 0, start_keys = n < 512 ? n : 512; /* the tables grow as keys come */
    KeySlot *seen = key_slots_new(start_keys, &seen_mask), *lower = key_slots_new(start_keys, &lower_mask);
    uint32_t *id_of = PyMem_Malloc((size_t)(n + 1) * sizeof(uint32_t));
    uint32_t *length_of = PyMem_Malloc((size_t)(n + 1) * sizeof(uint32_t));
    Py_ssize_t *word_start = PyMem_Malloc((size_t)(n + 1) * sizeof(Py_ssize_t));
    Py_ssize_t *word_length = PyMem_Malloc((size_t)(n + 1) * sizeof(Py_ssize_t));
    Py_ssize_t *tally = NULL, *cand = NULL, *frequent = NULL;
    Scored *best = NULL;
    Py_UCS4 *pool = NULL;
    char *utf8 = NULL;
    PyObject *result = NULL, *ids = NULL, *chars = NULL, *keywords = NULL;
    if (!seen || !lower || !id_of || !length_of || !word_start || !word_length) goto nomem;
    if (++char_generation == 0) { /* after 2**32 calls: start the entries over */
        memset(char_seen, 0, sizeof(char_seen));
        char_generation = 1;
    }
    /* This call's own number: a call made meanwhile (from a finaliser str.lower's allocation
     * ran) takes another, and its entries are not this call's. */
    const uint32_t generation = char_generation;
    for (Py_ssize_t t = 0; t < n; t++) {
        Py_ssize_t start = c.spans[t].start, length = c.spans[t].end - start;
        const Py_UCS4 *token = c.chars + start;
        int one_char = length == 1 && token[0] < 0x10000;
        KeySlot *s = NULL;
        uint64_t h = 0;
        if (one_char && char_seen[token[0]] == generation) {
            Py_ssize_t id = char_word[token[0]];
            if (id < 0) continue;
            id_of[n_words] = (uint32_t)id;
        } else if (!one_char &&
                   (h = token_hash(token, length), s = key_slot(seen, seen_mask, c.chars, token, length, h))->start >= 0) {
            if (s->id < 0) continue;
            id_of[n_words] = (uint32_t)s->id;
        } else { /* a new token: is it a word, and which? */
            Py_ssize_t id = -1;
            if (holds_word_char(token, length)) {
                Py_ssize_t at = pool_used, lowered_length = length;
                if (!lowers(token, length)) {
                    if (pool_reserve(&pool, &pool_room, pool_used, length) < 0) goto nomem;
                    memcpy(pool + at, token, (size_t)length * sizeof(Py_UCS4));
                } else { /* str.lower() decides: it may lengthen the word ("İ" -> "i̇") */
                    PyObject *original = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, token, length);
                    PyObject *lowered = original ? PyObject_CallMethod(original, "lower", NULL) : NULL;
                    Py_XDECREF(original);
                    if (!lowered) goto done;
                    lowered_length = PyUnicode_GET_LENGTH(lowered);
                    if (pool_reserve(&pool, &pool_room, pool_used, lowered_length) < 0) {
                        Py_DECREF(lowered);
                        goto nomem;
                    }
                    PyUnicode_AsUCS4(lowered, pool + at, lowered_length, 0);
                    Py_DECREF(lowered);
                }
                uint64_t lh = (uint64_t)lowered_length;
                for (Py_ssize_t j = 0; j < lowered_length; j++) lh = lh * hash_base + pool[at + j];
                KeySlot *ls = key_slot(lower, lower_mask, pool, pool + at, lowered_length, lh);
                if (ls->start < 0) {
                    if (n_lower >= INT32_MAX) {
                        PyErr_SetString(PyExc_OverflowError, "more than 2**31 distinct words");
                        goto done;
                    }
                    *ls = (KeySlot){lh, at, lowered_length, n_lower};
                    word_start[n_lower] = at;
                    word_length[n_lower] = lowered_length;
                    pool_used += lowered_length;
                    id = n_lower++;
                    if (key_slots_added(&lower, &lower_mask, n_lower) < 0) goto nomem;
                } else {
                    id = ls->id; /* the lower-cased form is known: its characters are not kept */
                }
            }
            if (one_char) {
                char_seen[token[0]] = generation;
                char_word[token[0]] = (int32_t)id;
            } else {
                *s = (KeySlot){h, start, length, id};
                if (key_slots_added(&seen, &seen_mask, ++n_seen) < 0) goto nomem; /* s moves */
            }
            if (id < 0) continue;
            id_of[n_words] = (uint32_t)id;
        }
        if (length > UINT32_MAX) {
            PyErr_SetString(PyExc_OverflowError, "a word's length past 32 bits");
            goto done;
        }
        length_of[n_words++] = (uint32_t)length;
        total_chars += length;
    }
    if (!(tally = PyMem_Calloc((size_t)n_lower + 1, sizeof(Py_ssize_t))) ||
        !(cand = PyMem_Malloc((size_t)(n_lower + 1) * sizeof(Py_ssize_t))) ||
        !(frequent = PyMem_Malloc((size_t)(k + 1) * sizeof(Py_ssize_t))) ||
        !(best = PyMem_Malloc((size_t)(k + 1) * sizeof(Scored))))
        goto nomem;
    for (Py_ssize_t w = 0; w < n_words; w++) tally[id_of[w]]++;
    /* Stop words and words without a letter; the keyword candidates and the k largest counts. */
    Py_ssize_t n_frequent = 0;
    for (Py_ssize_t id = 0; id < n_lower; id++) {
        const Py_UCS4 *word = pool + word_start[id];
        Py_ssize_t length = word_length[id], count = tally[id];
        int stop = word_set_has(stops, word, length), none = has_no_letter(word, length);
        if (stop) n_stop += count;
        if (none) n_no_letter += count;
        if (stop || none || length < min_chars || k == 0) continue;
        cand[n_cand++] = id;
        if (n_frequent < k || count > frequent[k - 1]) {
            Py_ssize_t at = n_frequent < k ? n_frequent++ : k - 1;
            while (at > 0 && count > frequent[at - 1]) {
                frequent[at] = frequent[at - 1];
                at--;
            }
            frequent[at] = count;
        }
    }
    Py_ssize_t kth_count = n_frequent < k ? PY_SSIZE_T_MIN : frequent[k - 1];
    for (int phase = 0; phase < 2; phase++) { /* the frequent words in full, then those that could still rank */
        for (Py_ssize_t i = 0; i < n_cand; i++) {
            Py_ssize_t id = cand[i], count = tally[id];
            if ((count >= kth_count) != (phase == 0)) continue;
            if (phase == 1 && filled == k && (double)count * ceiling < best[k - 1].score) continue;
            double weight;
            if (idf_weight(ix, pool + word_start[id], word_length[id], fallback, &utf8, &utf8_room, &weight) < 0)
                goto nomem;
            keep_if_better(best, &filled, k, (Scored){(double)count * weight, pool + word_start[id], word_length[id]});
        }
    }
    if (!(keywords = PyList_New(filled))) goto done;
    for (Py_ssize_t i = 0; i < filled; i++) {
        PyObject *word = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, best[i].chars, best[i].length);
        PyObject *pair = word ? Py_BuildValue("(dN)", best[i].score, word) : NULL;
        if (!pair) goto done;
        PyList_SET_ITEM(keywords, i, pair);
    }
    ids = PyBytes_FromStringAndSize((const char *)id_of, n_words * (Py_ssize_t)sizeof(uint32_t));
    chars = PyBytes_FromStringAndSize((const char *)length_of, n_words * (Py_ssize_t)sizeof(uint32_t));
    if (!ids || !chars) goto done;
    result = Py_BuildValue("(nnnnnOOO)", n_words, n_lower, n_stop, n_no_letter, total_chars, ids, chars, keywords);
    goto done;
nomem:
    PyErr_NoMemory();
done:
    cut_free(&c);
    PyMem_Free(seen);
    PyMem_Free(lower);
    PyMem_Free(id_of);
    PyMem_Free(length_of);
    PyMem_Free(word_start);
    PyMem_Free(word_length);
    PyMem_Free(tally);
    PyMem_Free(cand);
    PyMem_Free(frequent);
    PyMem_Free(best);
    PyMem_Free(pool);
    PyMem_Free(utf8);
    Py_XDECREF(ids);
    Py_XDECREF(chars);
    Py_XDECREF(keywords);
    return result;
}

/* ------------------------------------------------------------------ Traditional to Simplified
 *
 * t2s_table(keys, values, other, phrases) -> a table for t2s_fold(); t2s_fold(text, table) ->
 * OpenCC's t2s of `text`, or None when this cannot tell it (then OpenCC runs).
 *
 * OpenCC converts by longest dictionary match at each position, phrases first (TSPhrases), then
 * single characters. A text in which no phrase occurs, with no character OpenCC treats as
 * context (`other`: compatibility ideographs it normalises first, ideographic description
 * sequences it copies whole, characters it turns into several) and none past the BMP, therefore
 * converts character by character, each as OpenCC converts it alone (`keys` -> `values`, built
 * by infra/build_script_tables.py from OpenCC itself; tests compare the two on random and real
 * texts). Why: OpenCC's call cost 0.07-0.16 ms on the 6.5 KB sample, this a few microseconds. */

#define T2S_VALUE 0x0000FFFFu
#define T2S_MAPPED 0x00010000u
#define T2S_OTHER 0x00020000u
#define T2S_PHRASE_FIRST 0x00040000u

typedef struct {
    uint32_t table[0x10000];
    uint32_t *bigrams; /* phrases' first two characters (a << 16 | b), open addressing; 0 empty */
    uint32_t bigram_mask;
    Py_ssize_t longest;
    PyObject *phrases; /* frozenset of the phrases */
} T2S;

static void t2s_free(PyObject *capsule) {
    T2S *t = PyCapsule_GetPointer(capsule, "docproc.t2s");
    if (!t) return;
    PyMem_Free(t->bigrams);
    Py_XDECREF(t->phrases);
    PyMem_Free(t);
}

static inline uint32_t bigram_slot(uint32_t key, uint32_t mask) { return (uint32_t)mix64(key) & mask; }

static int bigram_has(const T2S *t, uint32_t key) {
    for (uint32_t slot = bigram_slot(key, t->bigram_mask);; slot = (slot + 1) & t->bigram_mask) {
        if (t->bigrams[slot] == key) return 1;
        if (t->bigrams[slot] == 0) return 0;
    }
}

static PyObject *t2s_table(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *keys, *values, *other, *phrases;
    if (!PyArg_ParseTuple(args, "UUUO!", &keys, &values, &other, &PyFrozenSet_Type, &phrases)) return NULL;
    Text k, v, o;
    text_of(keys, &k);
    text_of(values, &v);
    text_of(other, &o);
    if (k.length != v.length) {
        PyErr_SetString(PyExc_ValueError, "keys and values differ in length");
        return NULL;
    }
    T2S *t = PyMem_Calloc(1, sizeof(T2S));
    Py_ssize_t n_phrases = PySet_GET_SIZE(phrases);
    uint32_t size = 16;
    while (size < 2 * (uint32_t)n_phrases + 2) size <<= 1;
    if (!t || !(t->bigrams = PyMem_Calloc(size, sizeof(uint32_t)))) {
        PyMem_Free(t);
        return PyErr_NoMemory();
    }
    t->bigram_mask = size - 1;
    for (Py_ssize_t i = 0; i < k.length; i++) {
        Py_UCS4 from = PyUnicode_READ(k.kind, k.data, i), to = PyUnicode_READ(v.kind, v.data, i);
        if (from > 0xFFFF || to > 0xFFFF || to == 0) goto bad;
        t->table[from] = T2S_MAPPED | to;
    }
    for (Py_ssize_t i = 0; i < o.length; i++) {
        Py_UCS4 ch = PyUnicode_READ(o.kind, o.data, i);
        if (ch > 0xFFFF) goto bad;
        t->table[ch] = T2S_OTHER;
    }
    PyObject *iterator = PyObject_GetIter(phrases), *phrase;
    if (!iterator) goto fail;
    while ((phrase = PyIter_Next(iterator)) != NULL) {
        Text p;
        int ok = text_of(phrase, &p) == 0;
        Py_DECREF(phrase); /* the set holds it */
        if (!ok) {
            Py_DECREF(iterator);
            goto fail;
        }
        Py_UCS4 a = p.length >= 2 ? PyUnicode_READ(p.kind, p.data, 0) : 0;
        Py_UCS4 b = p.length >= 2 ? PyUnicode_READ(p.kind, p.data, 1) : 0;
        if (p.length < 2 || a > 0xFFFF || b > 0xFFFF) {
            Py_DECREF(iterator);
            goto bad;
        }
        t->table[a] |= T2S_PHRASE_FIRST;
        uint32_t key = (a << 16) | b;
        uint32_t slot = bigram_slot(key, t->bigram_mask);
        while (t->bigrams[slot] != 0 && t->bigrams[slot] != key) slot = (slot + 1) & t->bigram_mask;
        t->bigrams[slot] = key;
        if (p.length > t->longest) t->longest = p.length;
    }
    Py_DECREF(iterator);
    if (PyErr_Occurred()) goto fail;
    t->phrases = Py_NewRef(phrases);
    PyObject *capsule = PyCapsule_New(t, "docproc.t2s", t2s_free);
    if (!capsule) {
        Py_DECREF(t->phrases);
        goto fail;
    }
    return capsule;
bad:
    PyErr_SetString(PyExc_ValueError, "a phrase of one character, a NUL or a character past the BMP in the table");
fail:
    PyMem_Free(t->bigrams);
    PyMem_Free(t);
    return NULL;
}

static PyObject *t2s_fold(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *text, *capsule;
    if (!PyArg_ParseTuple(args, "UO", &text, &capsule)) return NULL;
    if (!PyCapsule_IsValid(capsule, "docproc.t2s")) {
        PyErr_SetString(PyExc_TypeError, "the table must come from t2s_table()");
        return NULL;
    }
    const T2S *t = PyCapsule_GetPointer(capsule, "docproc.t2s");
    Text s;
    text_of(text, &s);
    if (s.kind == PyUnicode_4BYTE_KIND) Py_RETURN_NONE; /* a character past the BMP: OpenCC */
    Py_ssize_t n = s.length, mapped = 0;
    Py_UCS4 maxchar = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 ch = PyUnicode_READ(s.kind, s.data, i);
        uint32_t entry = t->table[ch];
        if (entry & T2S_OTHER) Py_RETURN_NONE;
        if ((entry & T2S_PHRASE_FIRST) && i + 1 < n &&
            bigram_has(t, (ch << 16) | PyUnicode_READ(s.kind, s.data, i + 1))) {
            for (Py_ssize_t length = 2; length <= t->longest && i + length <= n; length++) {
                PyObject *candidate = PyUnicode_Substring(text, i, i + length);
                if (!candidate) return NULL;
                int found = PySet_Contains(t->phrases, candidate);
                Py_DECREF(candidate);
                if (found < 0) return NULL;
                if (found) Py_RETURN_NONE; /* a phrase: OpenCC decides */
            }
        }
        if (entry & T2S_MAPPED) {
            mapped++;
            ch = entry & T2S_VALUE;
        }
        if (ch > maxchar) maxchar = ch;
    }
    if (!mapped) return Py_NewRef(text);
    PyObject *out = PyUnicode_New(n, maxchar);
    if (!out) return NULL;
    int kind = PyUnicode_KIND(out);
    void *data = PyUnicode_DATA(out);
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 ch = PyUnicode_READ(s.kind, s.data, i);
        uint32_t entry = t->table[ch];
        PyUnicode_WRITE(kind, data, i, (entry & T2S_MAPPED) ? (entry & T2S_VALUE) : ch);
    }
    return out;
}

/* container_depth(page) -> the deepest nesting of container tags: what html._nesting_depth's
 * regular expression scan gives (`<`, an optional `/`, one of the names below in any case,
 * then no word character), counting an end tag down to 0 at most, in one pass without a match
 * object a tag. */
static const char *const container_names[] = {"div", "section", "article", "table", "blockquote", "ul", "ol", "span"};

static PyObject *container_depth(PyObject *self, PyObject *arg) {
    (void)self;
    Text t;
    if (text_of(arg, &t) < 0) return NULL;
    Py_ssize_t depth = 0, peak = 0, n = t.length;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (PyUnicode_READ(t.kind, t.data, i) != '<') continue;
        Py_ssize_t j = i + 1;
        int closing = j < n && PyUnicode_READ(t.kind, t.data, j) == '/';
        j += closing;
        for (size_t k = 0; k < sizeof container_names / sizeof *container_names; k++) {
            const char *name = container_names[k];
            Py_ssize_t m = 0;
            while (name[m] && j + m < n) {
                Py_UCS4 ch = PyUnicode_READ(t.kind, t.data, j + m);
                if (ch >= 'A' && ch <= 'Z') ch += 'a' - 'A';
                if (ch != (Py_UCS4)name[m]) break;
                m++;
            }
            if (name[m]) continue;
            if (j + m < n) { /* \b: the next character must not be a word character */
                Py_UCS4 next = PyUnicode_READ(t.kind, t.data, j + m);
                if (next == '_' || Py_UNICODE_ISALNUM(next)) continue;
            }
            if (closing) {
                depth = depth > 0 ? depth - 1 : 0;
            } else if (++depth > peak) {
                peak = depth;
            }
            break;
        }
    }
    return PyLong_FromSsize_t(peak);
}

/* ------------------------------------------------------------------ quantities and dates
 *
 * quantity_units(units, latin_units) -> a table for quantities(); quantities(text, table,
 * max_quantities, max_dates) -> (the distinct quantities, at most max_quantities, in order of
 * first occurrence; how many quantities in all; the same for dates): what quantities.py's
 * find_quantities gives from its regular expression, _PATTERN, whose matches this finds.
 *
 * At each position that may start one (a digit, \d as re reads it: any Unicode decimal, or a
 * Chinese numeral), the pattern's alternatives are tried in its order, each as the regex engine
 * would settle it: dates (2023年5月1日, 2023-05-01, 5月1日), then quantities (三個100%,
 * 1.44萬個, 三千萬元). `units` are tried in the order given (longest first: the regex's
 * alternation), then `latin_units`, which must not be followed by an ASCII letter. Why: Python's
 * engine tries the alternatives one by one at each of the thousands of numerals a Chinese text
 * holds (4% of the core); tests/unit/test_native.py compares the two on random texts. */

typedef struct {
    Py_ssize_t n_units;
    int32_t bucket[4096]; /* by (first character & 4095): the first unit starting there, or -1 */
    int32_t *next;        /* the next unit (in the table's order) of unit k's bucket, or -1 */
    Py_ssize_t *start;    /* unit k's characters: chars[start[k] .. start[k + 1]) */
    uint8_t *boundary;  /* unit k must not be followed by an ASCII letter */
    Py_UCS4 *chars;
} UnitTable;

static void unit_table_release(UnitTable *t) {
    if (!t) return;
    PyMem_Free(t->start);
    PyMem_Free(t->boundary);
    PyMem_Free(t->chars);
    PyMem_Free(t->next);
    PyMem_Free(t);
}

static void unit_table_free(PyObject *capsule) {
    unit_table_release(PyCapsule_GetPointer(capsule, "docproc.quantity_units"));
}

static PyObject *quantity_units(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *lists[2];
    if (!PyArg_ParseTuple(args, "O!O!", &PyList_Type, &lists[0], &PyList_Type, &lists[1])) return NULL;
    Py_ssize_t n = PyList_GET_SIZE(lists[0]) + PyList_GET_SIZE(lists[1]), total = 0;
    for (int l = 0; l < 2; l++)
        for (Py_ssize_t k = 0; k < PyList_GET_SIZE(lists[l]); k++) {
            PyObject *unit = PyList_GET_ITEM(lists[l], k);
            if (!PyUnicode_Check(unit) || PyUnicode_GET_LENGTH(unit) == 0) {
                PyErr_SetString(PyExc_TypeError, "units must be non-empty str");
                return NULL;
            }
            total += PyUnicode_GET_LENGTH(unit);
        }
    if (n > INT32_MAX - 1) {
        PyErr_SetString(PyExc_ValueError, "too many units");
        return NULL;
    }
    UnitTable *t = PyMem_Calloc(1, sizeof(UnitTable));
    if (!t || !(t->start = PyMem_Malloc((size_t)(n + 1) * sizeof(Py_ssize_t))) ||
        !(t->boundary = PyMem_Malloc((size_t)n + 1)) || !(t->next = PyMem_Malloc((size_t)(n + 1) * sizeof(int32_t))) ||
        !(t->chars = PyMem_Malloc((size_t)total * sizeof(Py_UCS4) + 1))) {
        unit_table_release(t);
        return PyErr_NoMemory();
    }
    int32_t last[4096]; /* each bucket's last unit so far: the chains keep the table's order */
    for (int b = 0; b < 4096; b++) t->bucket[b] = last[b] = -1;
    Py_ssize_t at = 0;
    for (int l = 0; l < 2; l++)
        for (Py_ssize_t k = 0; k < PyList_GET_SIZE(lists[l]); k++) {
            PyObject *unit = PyList_GET_ITEM(lists[l], k);
            t->start[t->n_units] = at;
            Py_UCS4 b = PyUnicode_READ_CHAR(unit, 0) & 4095;
            t->next[t->n_units] = -1;
            if (last[b] < 0) t->bucket[b] = (int32_t)t->n_units;
            else t->next[last[b]] = (int32_t)t->n_units;
            last[b] = (int32_t)t->n_units;
            t->boundary[t->n_units++] = (uint8_t)l;
            for (Py_ssize_t i = 0; i < PyUnicode_GET_LENGTH(unit); i++) t->chars[at++] = PyUnicode_READ_CHAR(unit, i);
        }
    t->start[t->n_units] = at;
    PyObject *capsule = PyCapsule_New(t, "docproc.quantity_units", unit_table_free);
    if (!capsule) unit_table_release(t);
    return capsule;
}

/* The character at i, or 0 past the end (0 is nothing the pattern matches). */
static inline Py_UCS4 char_at(const Text *t, Py_ssize_t i) {
    return i < t->length ? PyUnicode_READ(t->kind, t->data, i) : 0;
}

/* \d: a Unicode decimal digit. None lies between U+0080 and U+065F or among U+3000..U+9FFF
 * (the CJK text around most numbers), where the library's lookup is skipped. */
static inline int q_digit(Py_UCS4 ch) {
    if (ch < 0x80) return ch >= '0' && ch <= '9';
    if (ch < 0x660 || (ch >= 0x3000 && ch < 0xA000)) return 0;
    return Py_UNICODE_ISDECIMAL(ch);
}
static inline int q_one_of(Py_UCS4 ch, const Py_UCS4 *set) {
    for (; *set; set++)
        if (ch == *set) return 1;
    return 0;
}

/* 零〇一二两兩三四五六七八九十: a switch (a few compares), as most characters of a Chinese text
 * are looked at. */
static inline int q_start_numeral(Py_UCS4 ch) {
    switch (ch) {
    case 0x96F6: case 0x3007: case 0x4E00: case 0x4E8C: case 0x4E24: case 0x5169: case 0x4E09:
    case 0x56DB: case 0x4E94: case 0x516D: case 0x4E03: case 0x516B: case 0x4E5D: case 0x5341:
        return 1;
    default:
        return 0;
    }
}
/* The Chinese numerals (... 百千) and the magnitudes (万萬亿億千百): switches too, as a run of
 * numerals tests each of its characters against both, up to 16 times. */
static inline int q_cn_numeral(Py_UCS4 ch) { return q_start_numeral(ch) || ch == 0x767E || ch == 0x5343; }
static inline int q_magnitude(Py_UCS4 ch) {
    switch (ch) {
    case 0x4E07: case 0x842C: case 0x4EBF: case 0x5104: case 0x5343: case 0x767E:
        return 1;
    default:
        return 0;
    }
}
static const Py_UCS4 Q_COUNT_NUMERALS[] = {0x4E00, 0x4E8C, 0x4E24, 0x5169, 0x4E09, 0x56DB, 0x4E94, 0x516D,
                                           0x4E03, 0x516B, 0x4E5D, 0x5341, 0}; /* 一二两兩三四五六七八九十 */
static const Py_UCS4 Q_GE[] = {0x4E2A, 0x500B, 0};                                       /* 个個 */
static const Py_UCS4 Q_ABOUT[] = {0x4F59, 0x9918, 0x591A, 0};                           /* 余餘多 */
static const Py_UCS4 Q_PERCENT[] = {'%', 0xFF05, 0x2030, 0};                             /* %％‰ */
static const Py_UCS4 Q_NUM_SEP[] = {'.', ',', 0xFF0C, 0};                                /* . , ， */
static const Py_UCS4 Q_DATE_SEP[] = {'-', '/', '.', 0};
static const Py_UCS4 Q_DAY[] = {0x65E5, 0x53F7, 0x865F, 0}; /* 日号號 */
#define Q_YEAR 0x5E74                                        /* 年 */
#define Q_MONTH 0x6708                                       /* 月 */
#define Q_MAX_CN_NUM 16                                      /* quantities.MAX_CN_NUM */

static inline Py_ssize_t q_spaces(const Text *t, Py_ssize_t i) {
    while (i < t->length && Py_UNICODE_ISSPACE(PyUnicode_READ(t->kind, t->data, i))) i++;
    return i;
}

/* \d{1,2} followed by something that is not a digit (what follows it in every use): the end,
 * or -1. Any backtracking would leave a digit where the next element needs a non-digit. */
static inline Py_ssize_t q_one_or_two_digits(const Text *t, Py_ssize_t i) {
    Py_ssize_t j = i;
    while (j < i + 3 && q_digit(char_at(t, j))) j++;
    return j > i && j < i + 3 ? j : -1;
}

/* \d+(?:[.,，]\d+)*, greedy: the end, or -1. */
static Py_ssize_t q_number(const Text *t, Py_ssize_t i) {
    if (!q_digit(char_at(t, i))) return -1;
    while (q_digit(char_at(t, i))) i++;
    while (q_one_of(char_at(t, i), Q_NUM_SEP) && q_digit(char_at(t, i + 1))) {
        i++;
        while (q_digit(char_at(t, i))) i++;
    }
    return i;
}

/* The first unit (in the table's order) at i: its end, or -1. */
static Py_ssize_t q_unit(const Text *t, const UnitTable *u, Py_ssize_t i) {
    Py_UCS4 first = char_at(t, i);
    if (!first) return -1;
    /* Only the units whose first character falls in this one's bucket, in the table's order (a
     * run of numerals and magnitudes asks at every magnitude it holds). */
    for (Py_ssize_t k = u->bucket[first & 4095]; k >= 0; k = u->next[k]) {
        const Py_UCS4 *chars = u->chars + u->start[k];
        Py_ssize_t n = u->start[k + 1] - u->start[k], j = 1;
        if (chars[0] != first) continue;
        while (j < n && char_at(t, i + j) == chars[j]) j++;
        if (j < n) continue;
        Py_UCS4 after = char_at(t, i + n);
        if (u->boundary[k] && ((after >= 'a' && after <= 'z') || (after >= 'A' && after <= 'Z'))) continue;
        return i + n;
    }
    return -1;
}

static inline int q_century(const Text *t, Py_ssize_t i) { /* (?:19|20)\d{2} */
    Py_UCS4 a = char_at(t, i), b = char_at(t, i + 1);
    return ((a == '1' && b == '9') || (a == '2' && b == '0')) && q_digit(char_at(t, i + 2)) &&
           q_digit(char_at(t, i + 3));
}

/* The match starting at i: its end (0 < end), or -1; *date says which group it is. */
static Py_ssize_t q_match(const Text *t, const UnitTable *u, Py_ssize_t i, int *date) {
    Py_UCS4 ch = char_at(t, i);
    Py_ssize_t a, b;
    *date = 1;
    if (q_digit(ch)) {
        if (q_century(t, i)) {
            /* 2023年, 2023年5月, 2023年5月1日 */
            a = q_spaces(t, i + 4);
            if (char_at(t, a) == Q_YEAR) {
                Py_ssize_t end = a + 1;
                if ((b = q_one_or_two_digits(t, q_spaces(t, end))) >= 0 && char_at(t, b = q_spaces(t, b)) == Q_MONTH) {
                    end = b + 1;
                    if ((b = q_one_or_two_digits(t, q_spaces(t, end))) >= 0 &&
                        q_one_of(char_at(t, b = q_spaces(t, b)), Q_DAY))
                        end = b + 1;
                }
                return end;
            }
            /* 2023-05-01 */
            if (q_one_of(char_at(t, i + 4), Q_DATE_SEP) && (b = q_one_or_two_digits(t, i + 5)) >= 0 &&
                q_one_of(char_at(t, b), Q_DATE_SEP) && (b = q_one_or_two_digits(t, b + 1)) >= 0)
                return b;
        }
        /* 5月1日 */
        if ((b = q_one_or_two_digits(t, i)) >= 0 && char_at(t, b = q_spaces(t, b)) == Q_MONTH &&
            (b = q_one_or_two_digits(t, q_spaces(t, b + 1))) >= 0 && q_one_of(char_at(t, b = q_spaces(t, b)), Q_DAY))
            return b + 1;
        /* 1.44萬個, 150余場, 1260余萬份, 30%: every part after the number optional, each taken */
        *date = 0;
        a = q_number(t, i);
        if (q_one_of(char_at(t, a), Q_ABOUT)) a++;
        if (q_magnitude(char_at(t, a))) a++;
        if (q_one_of(char_at(t, a), Q_ABOUT)) a++;
        if (q_one_of(char_at(t, a), Q_PERCENT)) return a + 1;
        b = q_unit(t, u, a);
        return b >= 0 ? b : a;
    }
    *date = 0;
    /* 三個100% */
    if (q_one_of(ch, Q_COUNT_NUMERALS) && q_one_of(char_at(t, i + 1), Q_GE) && (a = q_number(t, i + 2)) >= 0 &&
        q_one_of(char_at(t, a), Q_PERCENT))
        return a + 1;
    /* 三千萬元: numerals, a magnitude, a unit; the numerals give back characters (千, 百 are
     * magnitudes too) until the rest matches */
    Py_ssize_t run = 0;
    while (run < Q_MAX_CN_NUM && q_cn_numeral(char_at(t, i + run))) run++;
    for (Py_ssize_t n = run; n >= 1; n--) {
        a = i + n;
        if (!q_magnitude(char_at(t, a))) continue;
        if (q_one_of(char_at(t, a + 1), Q_ABOUT) && (b = q_unit(t, u, a + 2)) >= 0) return b;
        if ((b = q_unit(t, u, a + 1)) >= 0) return b;
    }
    return -1;
}

/* Keep the match [start, end) among `kept` (spans, at most `cap`) unless an equal one is there. */
static void q_keep(const Text *t, Py_ssize_t *kept, Py_ssize_t *n_kept, Py_ssize_t cap, Py_ssize_t start,
                   Py_ssize_t end) {
    for (Py_ssize_t k = 0; k < *n_kept; k++) {
        Py_ssize_t s = kept[2 * k], e = kept[2 * k + 1];
        if (e - s != end - start) continue;
        Py_ssize_t j = 0;
        while (j < end - start && char_at(t, s + j) == char_at(t, start + j)) j++;
        if (j == end - start) return;
    }
    if (*n_kept < cap) {
        kept[2 * *n_kept] = start;
        kept[2 * *n_kept + 1] = end;
        ++*n_kept;
    }
}

static PyObject *q_strings(PyObject *text, const Py_ssize_t *kept, Py_ssize_t n) {
    PyObject *out = PyList_New(n);
    for (Py_ssize_t k = 0; out && k < n; k++) {
        PyObject *s = PyUnicode_Substring(text, kept[2 * k], kept[2 * k + 1]);
        if (!s) Py_CLEAR(out);
        else PyList_SET_ITEM(out, k, s);
    }
    return out;
}

#define Q_MAX_KEPT 1024

static PyObject *quantities(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *text, *capsule;
    Py_ssize_t caps[2];
    if (!PyArg_ParseTuple(args, "UOnn", &text, &capsule, &caps[0], &caps[1])) return NULL;
    if (!PyCapsule_IsValid(capsule, "docproc.quantity_units")) {
        PyErr_SetString(PyExc_TypeError, "the units must come from quantity_units()");
        return NULL;
    }
    if (caps[0] < 0 || caps[1] < 0 || caps[0] > Q_MAX_KEPT || caps[1] > Q_MAX_KEPT) {
        PyErr_SetString(PyExc_ValueError, "the caps must lie in 0..1024");
        return NULL;
    }
    const UnitTable *u = PyCapsule_GetPointer(capsule, "docproc.quantity_units");
    Text t;
    if (text_of(text, &t) < 0) return NULL;
    Py_ssize_t *kept[2] = {PyMem_Malloc((size_t)(2 * caps[0] + 1) * sizeof(Py_ssize_t)),
                           PyMem_Malloc((size_t)(2 * caps[1] + 1) * sizeof(Py_ssize_t))};
    Py_ssize_t n_kept[2] = {0, 0}, found[2] = {0, 0};
    if (!kept[0] || !kept[1]) {
        PyMem_Free(kept[0]);
        PyMem_Free(kept[1]);
        return PyErr_NoMemory();
    }
    for (Py_ssize_t i = 0; i < t.length;) {
        Py_UCS4 ch = PyUnicode_READ(t.kind, t.data, i);
        int date;
        /* The Chinese numerals that may start a match lie in U+3007..U+96F6. */
        int may_start = q_digit(ch) || (ch >= 0x3007 && ch <= 0x96F6 && q_start_numeral(ch));
        Py_ssize_t end = may_start ? q_match(&t, u, i, &date) : -1;
        if (end < 0) {
            i++;
            continue;
        }
        found[date]++;
        q_keep(&t, kept[date], &n_kept[date], caps[date], i, end);
        i = end;
    }
    PyObject *q = q_strings(text, kept[0], n_kept[0]), *d = q ? q_strings(text, kept[1], n_kept[1]) : NULL;
    PyObject *result = d ? Py_BuildValue("(OnOn)", q, found[0], d, found[1]) : NULL;
    Py_XDECREF(q);
    Py_XDECREF(d);
    PyMem_Free(kept[0]);
    PyMem_Free(kept[1]);
    return result;
}

/* han_heads(lines, k) -> for each str of `lines`, its first k characters of U+3400..U+4DBF and
 * U+4E00..U+9FFF (fewer if it has fewer): repeats._first_han for every line at once, where a
 * regex search and string building a line took most of the repeated-lines step. */
static PyObject *han_heads(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *lines;
    Py_ssize_t k;
    if (!PyArg_ParseTuple(args, "O!n", &PyList_Type, &lines, &k)) return NULL;
    if (k < 0) {
        PyErr_SetString(PyExc_ValueError, "k must not be negative");
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(lines);
    Py_UCS2 *head = PyMem_Malloc((size_t)(k + 1) * sizeof(Py_UCS2));
    PyObject *out = head ? PyList_New(n) : NULL;
    if (!head) PyErr_NoMemory();
    for (Py_ssize_t i = 0; out && i < n; i++) {
        Text t;
        if (text_of(PyList_GET_ITEM(lines, i), &t) < 0) {
            Py_CLEAR(out);
            break;
        }
        Py_ssize_t got = 0;
        if (t.kind != PyUnicode_1BYTE_KIND) /* Latin-1 holds no Han character */
            for (Py_ssize_t j = 0; j < t.length && got < k; j++) {
                Py_UCS4 ch = PyUnicode_READ(t.kind, t.data, j);
                if ((ch >= 0x3400 && ch <= 0x4DBF) || (ch >= 0x4E00 && ch <= 0x9FFF)) head[got++] = (Py_UCS2)ch;
            }
        PyObject *found = PyUnicode_FromKindAndData(PyUnicode_2BYTE_KIND, head, got);
        if (!found) {
            Py_CLEAR(out);
            break;
        }
        PyList_SET_ITEM(out, i, found);
    }
    PyMem_Free(head);
    return out;
}

/* ---------------------------------------------------------------- one-character classes
 * class_table(ranges) -> a table of the characters in [(low, high), ...]; find_in_class(text,
 * table, start) -> the index of the first such character at or after start, or -1. re's search
 * for a one-character class tests each character against the class's ranges one by one (about
 * 15 instructions a character for the steps' classes); here a BMP character is one bit. */
typedef struct {
    unsigned char bmp[0x10000 / 8];
    Py_ssize_t n_astral;
    Py_UCS4 *astral; /* low, high pairs past the BMP */
} CharTable;

static void char_table_free(PyObject *capsule) {
    CharTable *t = PyCapsule_GetPointer(capsule, "docproc.char_table");
    if (t) PyMem_Free(t->astral);
    PyMem_Free(t);
}

static PyObject *class_table(PyObject *self, PyObject *arg) {
    (void)self;
    PyObject *ranges = PySequence_Fast(arg, "class_table takes a sequence of (low, high)");
    if (!ranges) return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(ranges);
    CharTable *t = PyMem_Calloc(1, sizeof(CharTable));
    if (!t || !(t->astral = PyMem_Malloc((size_t)(2 * n + 2) * sizeof(Py_UCS4)))) {
        if (t) PyMem_Free(t);
        Py_DECREF(ranges);
        return PyErr_NoMemory();
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        unsigned long low, high;
        if (!PyArg_ParseTuple(PySequence_Fast_GET_ITEM(ranges, i), "kk", &low, &high) || low > high ||
            high > 0x10FFFF) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "class_table: a range out of order or past U+10FFFF");
            PyMem_Free(t->astral);
            PyMem_Free(t);
            Py_DECREF(ranges);
            return NULL;
        }
        for (unsigned long c = low; c <= high && c < 0x10000; c++) t->bmp[c >> 3] |= (unsigned char)(1u << (c & 7));
        if (high >= 0x10000) {
            t->astral[2 * t->n_astral] = (Py_UCS4)(low < 0x10000 ? 0x10000 : low);
            t->astral[2 * t->n_astral + 1] = (Py_UCS4)high;
            t->n_astral++;
        }
    }
    Py_DECREF(ranges);
    PyObject *capsule = PyCapsule_New(t, "docproc.char_table", char_table_free);
    if (!capsule) {
        PyMem_Free(t->astral);
        PyMem_Free(t);
    }
    return capsule;
}

static inline int in_char_table(const CharTable *t, Py_UCS4 c) {
    if (c < 0x10000) return (t->bmp[c >> 3] >> (c & 7)) & 1;
    for (Py_ssize_t i = 0; i < t->n_astral; i++)
        if (c >= t->astral[2 * i] && c <= t->astral[2 * i + 1]) return 1;
    return 0;
}

/* The (text, table) arguments of the class functions, called with METH_FASTCALL: a tuple and
 * PyArg_ParseTuple cost more than a short text's scan, and the steps call these thousands of
 * times a pass. */
static const CharTable *class_args(PyObject *const *args, Py_ssize_t nargs, Py_ssize_t min, Py_ssize_t max,
                                   const char *name) {
    if (nargs < min || nargs > max) {
        PyErr_Format(PyExc_TypeError, "%s takes %zd to %zd arguments", name, min, max);
        return NULL;
    }
    if (!PyUnicode_Check(args[0])) {
        PyErr_Format(PyExc_TypeError, "%s: the text must be a str", name);
        return NULL;
    }
    return PyCapsule_GetPointer(args[1], "docproc.char_table");
}

static PyObject *find_in_class(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    const CharTable *t = class_args(args, nargs, 2, 3, "find_in_class");
    if (!t) return NULL;
    PyObject *text = args[0];
    Py_ssize_t start = 0;
    if (nargs == 3 && (start = PyLong_AsSsize_t(args[2])) == -1 && PyErr_Occurred()) return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    if (start < 0) start = 0;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    if (kind == PyUnicode_1BYTE_KIND) {
        const Py_UCS1 *u = data;
        for (Py_ssize_t i = start; i < n; i++)
            if ((t->bmp[u[i] >> 3] >> (u[i] & 7)) & 1) return PyLong_FromSsize_t(i);
    } else if (kind == PyUnicode_2BYTE_KIND) {
        const Py_UCS2 *u = data;
        for (Py_ssize_t i = start; i < n; i++)
            if ((t->bmp[u[i] >> 3] >> (u[i] & 7)) & 1) return PyLong_FromSsize_t(i);
    } else {
        for (Py_ssize_t i = start; i < n; i++)
            if (in_char_table(t, PyUnicode_READ(kind, data, i))) return PyLong_FromSsize_t(i);
    }
    return PyLong_FromLong(-1);
}

/* count_in_class(text, table) -> how many characters of text are in the class. */
static PyObject *count_in_class(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    const CharTable *t = class_args(args, nargs, 2, 2, "count_in_class");
    if (!t) return NULL;
    PyObject *text = args[0];
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), count = 0;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    if (kind == PyUnicode_1BYTE_KIND) {
        const Py_UCS1 *u = data;
        for (Py_ssize_t i = 0; i < n; i++) count += (t->bmp[u[i] >> 3] >> (u[i] & 7)) & 1;
    } else if (kind == PyUnicode_2BYTE_KIND) {
        const Py_UCS2 *u = data;
        for (Py_ssize_t i = 0; i < n; i++) count += (t->bmp[u[i] >> 3] >> (u[i] & 7)) & 1;
    } else {
        for (Py_ssize_t i = 0; i < n; i++) count += in_char_table(t, PyUnicode_READ(kind, data, i));
    }
    return PyLong_FromSsize_t(count);
}

/* str.isspace() of one character: Python's table below U+0080, above it the few spaces Unicode
 * has (tests/unit/test_native.py checks the list against str.isspace over every code point). A
 * CJK character is past all of them: one comparison. */
static inline int is_py_space(Py_UCS4 c) {
    if (c < 0x80) return Py_UNICODE_ISSPACE(c);
    if (c > 0x3000) return 0;
    return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
           c == 0x202F || c == 0x205F || c == 0x3000;
}

/* One line of a keyword_lines scan over `u` (a str's data of one kind), from `start`: its end (the
 * "\n" or n) and whether it is a keyword block's shape (see keyword_lines). */
#define KEYWORD_LINE(UCS)                                                                          \
    static Py_ssize_t keyword_line_##UCS(const UCS *u, Py_ssize_t start, Py_ssize_t n, const KeywordShape *k, \
                                         int *wanted) {                                            \
        Py_ssize_t end = start, first = -1, last = -1, segments = 0, chars = 0;                    \
        int held = 0, in_segment = 0;                                                              \
        for (; end < n && u[end] != '\n'; end++) {                                                 \
            Py_UCS4 c = u[end];                                                                    \
            int space = is_py_space(c);                                                            \
            if (!space) {                                                                          \
                if (first < 0) first = end;                                                        \
                last = end;                                                                        \
                held |= in_char_table(k->sentence, c);                                             \
            }                                                                                      \
            if (space || in_char_table(k->separators, c)) {                                        \
                in_segment = 0;                                                                    \
            } else {                                                                               \
                segments += !in_segment;                                                           \
                in_segment = 1;                                                                    \
                chars++;                                                                           \
            }                                                                                      \
        }                                                                                          \
        *wanted = first >= 0 && !held && last - first + 1 >= k->min_chars && segments >= k->min_segments && \
                  chars <= k->max_mean * segments;                                                 \
        return end;                                                                                \
    }

typedef struct {
    const CharTable *sentence, *separators;
    Py_ssize_t min_chars, min_segments, max_mean;
} KeywordShape;

KEYWORD_LINE(Py_UCS1)
KEYWORD_LINE(Py_UCS2)
KEYWORD_LINE(Py_UCS4)

/* keyword_lines(text, sentence, separators, min_chars, min_segments, max_mean) -> the numbers of
 * the lines of text.split("\n") shaped as the spam step's keyword blocks: stripped (str.strip),
 * at least min_chars characters, none of the class `sentence` among them, and split on runs of
 * `separators` (or spaces, as regex \s) into at least min_segments pieces of at most max_mean
 * characters on average. Most lines of a text are sentences: a pattern call or two each to find
 * that out cost more than the test of the few that are not. */
static PyObject *keyword_lines(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *text, *sentence, *separators;
    KeywordShape k;
    if (!PyArg_ParseTuple(args, "UOOnnn", &text, &sentence, &separators, &k.min_chars, &k.min_segments, &k.max_mean))
        return NULL;
    k.sentence = PyCapsule_GetPointer(sentence, "docproc.char_table");
    k.separators = PyCapsule_GetPointer(separators, "docproc.char_table");
    if (!k.sentence || !k.separators) return NULL;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), line = 0;
    PyObject *out = PyList_New(0);
    if (!out) return NULL;
    for (Py_ssize_t start = 0; start <= n; line++) {
        int wanted;
        Py_ssize_t end = kind == PyUnicode_1BYTE_KIND   ? keyword_line_Py_UCS1(data, start, n, &k, &wanted)
                         : kind == PyUnicode_2BYTE_KIND ? keyword_line_Py_UCS2(data, start, n, &k, &wanted)
                                                        : keyword_line_Py_UCS4(data, start, n, &k, &wanted);
        if (wanted) {
            PyObject *number = PyLong_FromSsize_t(line);
            if (!number || PyList_Append(out, number) < 0) {
                Py_XDECREF(number);
                Py_DECREF(out);
                return NULL;
            }
            Py_DECREF(number);
        }
        start = end + 1;
    }
    return out;
}

/* ---------------------------------------------------------------- phrases anywhere in a text
 * phrase_set(phrases) -> a set of phrases of two or more characters; holds_phrase(text, set) ->
 * whether any of them occurs in text. The spam step asks this of every text (are any brand
 * names in it?): re's search with the names nested by prefix tried a branch at each of the
 * many positions whose character starts a name (大, 新, 金...). Here a position costs a bit
 * test of its character; a set bit, a binary search among the phrases for its first two
 * characters, and a comparison of those phrases. */
typedef struct {
    unsigned char first[0x10000 / 8]; /* BMP characters that start a phrase */
    int astral;                       /* some phrase starts past the BMP: probe those too */
    Py_ssize_t n;
    Py_UCS4 *pool;                    /* the phrases' characters, sorted by their first two */
    Py_ssize_t *start, *length;
} PhraseSet;

static void phrase_set_release(PhraseSet *p) {
    if (!p) return;
    PyMem_Free(p->pool);
    PyMem_Free(p->start);
    PyMem_Free(p->length);
    PyMem_Free(p);
}

static void phrase_set_free(PyObject *capsule) { phrase_set_release(PyCapsule_GetPointer(capsule, "docproc.phrase_set")); }

static Py_UCS4 *phrase_pool_for_sort;

static int phrase_order(const void *a, const void *b) {
    const Py_ssize_t *x = a, *y = b; /* (start, length) pairs */
    const Py_UCS4 *p = phrase_pool_for_sort + x[0], *q = phrase_pool_for_sort + y[0];
    if (p[0] != q[0]) return p[0] < q[0] ? -1 : 1;
    if (p[1] != q[1]) return p[1] < q[1] ? -1 : 1;
    return 0;
}

static PyObject *phrase_set(PyObject *self, PyObject *arg) {
    (void)self;
    PhraseSet *p = PyMem_Calloc(1, sizeof(PhraseSet));
    if (!p) return PyErr_NoMemory();
    Py_ssize_t n, *starts, *lengths;
    if (!(p->pool = str_pool(arg, 2, "phrase_set", &n, &starts, &lengths))) {
        phrase_set_release(p);
        return NULL;
    }
    Py_ssize_t *pairs = PyMem_Malloc((size_t)(n + 1) * 2 * sizeof(Py_ssize_t));
    if (!pairs) {
        PyMem_Free(starts);
        PyMem_Free(lengths);
        phrase_set_release(p);
        return PyErr_NoMemory();
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        pairs[2 * i] = starts[i];
        pairs[2 * i + 1] = lengths[i];
        Py_UCS4 c = p->pool[starts[i]];
        if (c < 0x10000)
            p->first[c >> 3] |= (unsigned char)(1u << (c & 7));
        else
            p->astral = 1;
    }
    phrase_pool_for_sort = p->pool; /* under the GIL: no other sort runs */
    qsort(pairs, (size_t)n, 2 * sizeof(Py_ssize_t), phrase_order);
    for (Py_ssize_t i = 0; i < n; i++) { /* the arrays str_pool made, now in the sorted order */
        starts[i] = pairs[2 * i];
        lengths[i] = pairs[2 * i + 1];
    }
    PyMem_Free(pairs);
    p->start = starts;
    p->length = lengths;
    p->n = n;
    PyObject *capsule = PyCapsule_New(p, "docproc.phrase_set", phrase_set_free);
    if (!capsule) phrase_set_release(p);
    return capsule;
}

static PyObject *holds_phrase(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    if (nargs != 2 || !PyUnicode_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "holds_phrase takes a str and a phrase_set");
        return NULL;
    }
    PyObject *text = args[0];
    const PhraseSet *p = PyCapsule_GetPointer(args[1], "docproc.phrase_set");
    if (!p) return NULL;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    for (Py_ssize_t i = 0; i + 1 < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c < 0x10000 ? !(p->first[c >> 3] & (1u << (c & 7))) : !p->astral) continue;
        Py_UCS4 c1 = PyUnicode_READ(kind, data, i + 1);
        /* the first phrase whose first two characters are not below (c, c1) */
        Py_ssize_t lo = 0, hi = p->n;
        while (lo < hi) {
            Py_ssize_t mid = (lo + hi) / 2;
            const Py_UCS4 *q = p->pool + p->start[mid];
            if (q[0] < c || (q[0] == c && q[1] < c1))
                lo = mid + 1;
            else
                hi = mid;
        }
        for (Py_ssize_t j = lo; j < p->n; j++) {
            const Py_UCS4 *q = p->pool + p->start[j];
            if (q[0] != c || q[1] != c1) break;
            Py_ssize_t length = p->length[j], k = 2;
            if (length > n - i) continue;
            while (k < length && PyUnicode_READ(kind, data, i + k) == q[k]) k++;
            if (k == length) Py_RETURN_TRUE;
        }
    }
    Py_RETURN_FALSE;
}

static PyMethodDef methods[] = {
    {"seed", seed, METH_O, "Set the hash keys' multiplier (made odd); results never depend on it."},
    {"class_table", class_table, METH_O, "A table of the characters in [(low, high), ...] for find_in_class."},
    {"find_in_class", (PyCFunction)(void (*)(void))find_in_class, METH_FASTCALL, "The index of the first character of a class_table, or -1."},
    {"count_in_class", (PyCFunction)(void (*)(void))count_in_class, METH_FASTCALL, "How many characters of a text are in a class_table."},
    {"keyword_lines", keyword_lines, METH_VARARGS, "The numbers of the lines shaped as keyword blocks (see the source)."},
    {"phrase_set", phrase_set, METH_O, "A set of phrases (two or more characters each) for holds_phrase."},
    {"holds_phrase", (PyCFunction)(void (*)(void))holds_phrase, METH_FASTCALL, "Whether any phrase of a phrase_set occurs in a text."},
    {"ngram_levels", ngram_levels, METH_VARARGS, "Word n-gram repetition for n = 2..max_n."},
    {"char_ngram_top", char_ngram_top, METH_VARARGS, "Occurrences of the top repeated character n-grams."},
    {"cminhash", cminhash, METH_VARARGS, "(uint64 buffer, seed, num_perm) -> rensa 0.2.4's CMinHash digest of its decimal strings."},
    {"count_flagged", count_flagged, METH_VARARGS, "Characters flagged by bit 0 and bit 1 of a BMP table."},
    {"han_census", han_census, METH_O, "text -> (Han characters, counts of the other characters)."},
    {"sentence_ends", sentence_ends, METH_O, "Matches of the sentence-end pattern in a text."},
    {"private_use", private_use, METH_O, "Private Use Area characters in a text."},
    {"pinyin_annotations", pinyin_annotations, METH_O, "text -> [start, end, ...] of steps/pinyin.py's _ANNOTATION matches."},
    {"without_whitespace", without_whitespace, METH_O, "text -> \"\".join(text.split())."},
    {"tidy_whitespace", tidy_whitespace, METH_O, "text -> whitespace.normalize_whitespace's text."},
    {"idf_of", idf_of, METH_VARARGS, "(idf_index, word) -> the word's IDF, or None."},
    {"idf_index", idf_index, METH_O, "The IDF table's text (bytes) -> an index for word_stats."},
    {"word_dict", word_dict, METH_O, "dict.txt's text (bytes) -> a dictionary for cut()."},
    {"cut", cut, METH_VARARGS, "(text, dictionary) -> its tokens, as rjieba.cut(text, False) gives them."},
    {"t2s_table", t2s_table, METH_VARARGS, "(keys, values, other, phrases) -> a table for t2s_fold()."},
    {"t2s_fold", t2s_fold, METH_VARARGS, "(text, table) -> OpenCC's t2s of text, or None when OpenCC must decide."},
    {"container_depth", container_depth, METH_O, "page -> the deepest nesting of container tags."},
    {"word_set", word_set, METH_O, "words -> a set for word_stats' stop words."},
    {"word_stats", word_stats, METH_VARARGS, "(text, dictionary, stops, idf, default, ceiling, min_chars, k) -> the word statistics of cut()'s words."},
    {"han_heads", han_heads, METH_VARARGS, "(lines, k) -> each line's first k Han characters."},
    {"quantity_units", quantity_units, METH_VARARGS, "(units, latin_units) -> a table for quantities()."},
    {"quantities", quantities, METH_VARARGS, "(text, units, max_quantities, max_dates) -> quantities.find_quantities(text)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_native", NULL, -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__native(void) { return PyModule_Create(&module); }
