/* The page walk of docproc/html.py (_measure) in C, over resiliparse's own DOM.

Resiliparse parses pages with lexbor and wraps each node it hands to Python in a new object: the
walk in Python paid for one such object, two property reads and a string for every node of the
page (a tenth of all of docproc's time on the benchmark's corpus). Here the same walk runs
on lexbor's nodes through lexbor's exported functions, from the library resiliparse loaded
(this module is linked against that file: build_native.py), and hands back only the figures.

The node a walk starts from is found by its address, which resiliparse gives as a DOMNode's
hash (`__hash__` returns the node pointer). docproc/html.py maps the elements it then needs
back to DOMNodes through `get_elements_by_tag_name("*")` and checks each one's hash.

The module also extracts a page's main text as resiliparse does (`main_text`, below).

Everything the Python walk decides is decided the same way (tests/unit/test_html_walk.py
compares the two on real pages): what counts as text (str.split's whitespace), which elements
are hidden, what a link is. The time-stamp test stays a regular expression in Python: this
walk returns the short texts that hold a colon, the only ones it can match.
*/
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* lexbor 2.x's public API (no headers ship with resiliparse's wheel): nodes are opaque here. */
typedef struct lxb_dom_node lxb_dom_node_t;
typedef uintptr_t lxb_tag_id_t;
extern lxb_dom_node_t *lxb_dom_node_first_child_noi(lxb_dom_node_t *node);
extern lxb_dom_node_t *lxb_dom_node_last_child_noi(lxb_dom_node_t *node);
extern lxb_dom_node_t *lxb_dom_node_prev_noi(lxb_dom_node_t *node);
extern lxb_tag_id_t lxb_dom_node_tag_id_noi(lxb_dom_node_t *node);
extern const unsigned char *lxb_dom_node_name(lxb_dom_node_t *node, size_t *len);
extern unsigned char *lxb_dom_node_text_content(lxb_dom_node_t *node, size_t *len);
extern void *lxb_dom_document_destroy_text_noi(void *document, unsigned char *text);
extern bool lxb_dom_element_has_attribute(void *element, const unsigned char *name, size_t len);

enum { KIND_OTHER, KIND_TEXT, KIND_ELEMENT, KIND_HIDDEN };

/* What a tag id stands for, looked up once per id and walk: ids are a document's own. */
typedef struct {
    lxb_tag_id_t id;
    int kind;
    bool is_a;
    PyObject *tag; /* lower-cased name, as resiliparse's DOMNode.tag; owned */
} TagEntry;

#define TAG_SLOTS 512

typedef struct {
    TagEntry slots[TAG_SLOTS];
    PyObject *hidden; /* set of tag names whose elements are not measured */
    PyObject *evicted; /* names of entries replaced: frames and elements still point to them */
} Tags;

typedef struct {
    lxb_dom_node_t *node;
    PyObject *tag; /* borrowed from Tags */
    int parent;
    bool in_link;
    bool hidden;
} Frame;

typedef struct {
    lxb_dom_node_t *node;
    PyObject *tag;
    int parent, ordinal;
    long chars, link_chars, links, longest;
} Element;

static void tags_clear(Tags *t) {
    for (int i = 0; i < TAG_SLOTS; i++) Py_CLEAR(t->slots[i].tag);
    Py_CLEAR(t->evicted);
}

static TagEntry *tag_of(Tags *t, lxb_dom_node_t *node) {
    lxb_tag_id_t id = lxb_dom_node_tag_id_noi(node);
    TagEntry *e = &t->slots[id % TAG_SLOTS];
    if (e->tag != NULL && e->id == id) return e;
    size_t len = 0;
    const unsigned char *name = lxb_dom_node_name(node, &len);
    PyObject *raw = PyUnicode_DecodeUTF8(name ? (const char *)name : "", name ? (Py_ssize_t)len : 0, "strict");
    if (raw == NULL) return NULL;
    PyObject *tag = PyObject_CallMethod(raw, "lower", NULL);
    Py_DECREF(raw);
    if (tag == NULL) return NULL;
    int kind;
    if (len == 0) {
        kind = KIND_OTHER; /* no name: not an element resiliparse would show */
    } else if (name[0] == '#') {
        kind = (len == 5 && memcmp(name, "#text", 5) == 0) ? KIND_TEXT : KIND_OTHER;
    } else {
        int hidden = PySet_Contains(t->hidden, tag);
        if (hidden < 0) {
            Py_DECREF(tag);
            return NULL;
        }
        kind = hidden ? KIND_HIDDEN : KIND_ELEMENT;
    }
    if (e->tag != NULL && PyList_Append(t->evicted, e->tag) < 0) {
        Py_DECREF(tag);
        return NULL;
    }
    Py_XSETREF(e->tag, tag);
    e->id = id;
    e->kind = kind;
    e->is_a = kind == KIND_ELEMENT && PyUnicode_CompareWithASCIIString(tag, "a") == 0;
    return e;
}

/* One text node's figures: code points, those that are not whitespace (str.split's), the only
   such code point when there is one, whether it holds a colon. Invalid UTF-8 cannot come from
   a page given as str; a stray byte counts as one character. */
typedef struct {
    Py_ssize_t length, visible;
    Py_UCS4 lone;
    bool colon;
} TextFigures;

static TextFigures text_figures(const unsigned char *s, size_t n) {
    TextFigures f = {0, 0, 0, false};
    size_t i = 0;
    while (i < n) {
        unsigned char b = s[i];
        Py_UCS4 c;
        int k;
        if (b < 0x80) {
            c = b;
            k = 1;
        } else if (b >= 0xC2 && b < 0xE0 && i + 1 < n) {
            c = ((Py_UCS4)(b & 0x1F) << 6) | (s[i + 1] & 0x3F);
            k = 2;
        } else if (b >= 0xE0 && b < 0xF0 && i + 2 < n) {
            c = ((Py_UCS4)(b & 0x0F) << 12) | ((Py_UCS4)(s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F);
            k = 3;
        } else if (b >= 0xF0 && b < 0xF5 && i + 3 < n) {
            c = ((Py_UCS4)(b & 0x07) << 18) | ((Py_UCS4)(s[i + 1] & 0x3F) << 12) |
                ((Py_UCS4)(s[i + 2] & 0x3F) << 6) | (s[i + 3] & 0x3F);
            k = 4;
        } else {
            c = 0xFFFD;
            k = 1;
        }
        i += k;
        f.length++;
        if (c == ':') f.colon = true;
        if (!Py_UNICODE_ISSPACE(c)) {
            f.visible++;
            f.lone = c;
        }
    }
    return f;
}

static bool grow(void **items, Py_ssize_t *capacity, Py_ssize_t needed, size_t size) {
    if (needed <= *capacity) return true;
    Py_ssize_t cap = *capacity ? *capacity * 2 : 256;
    while (cap < needed) cap *= 2;
    void *more = PyMem_Realloc(*items, (size_t)cap * size);
    if (more == NULL) return false;
    *items = more;
    *capacity = cap;
    return true;
}

static PyObject *int_list(const Element *els, Py_ssize_t n, size_t offset, bool is_int) {
    PyObject *list = PyList_New(n);
    if (list == NULL) return NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        const char *field = (const char *)&els[i] + offset;
        long v = is_int ? (long)*(const int *)field : *(const long *)field;
        PyObject *x = PyLong_FromLong(v);
        if (x == NULL) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, i, x);
    }
    return list;
}

/* page_walk(body, document, hidden, max_stamp) -> (tags, parents, chars, link_chars, links,
   longest_plain, ordinals, addresses, stamp_texts, lone_chars): every element under `body`
   (node addresses) in document order with its subtree's figures, as html._measure makes them.
   ordinals: each element's place among all elements under body (get_elements_by_tag_name("*")
   order); stamp_texts: (element, text) for texts of at most max_stamp characters that hold a
   colon; lone_chars: (element, text node address, character) for texts of one visible
   character. */
static PyObject *page_walk(PyObject *self, PyObject *args) {
    unsigned long long body_address, document_address;
    PyObject *hidden;
    Py_ssize_t max_stamp;
    if (!PyArg_ParseTuple(args, "KKOn", &body_address, &document_address, &hidden, &max_stamp)) return NULL;
    if (!PyAnySet_Check(hidden)) {
        PyErr_SetString(PyExc_TypeError, "page_walk: hidden must be a set");
        return NULL;
    }
    lxb_dom_node_t *body = (lxb_dom_node_t *)(uintptr_t)body_address;
    void *document = (void *)(uintptr_t)document_address;
    if (body == NULL || document == NULL) {
        PyErr_SetString(PyExc_ValueError, "page_walk: no node");
        return NULL;
    }
    Tags *tags = PyMem_Calloc(1, sizeof(Tags));
    if (tags == NULL) return PyErr_NoMemory();
    tags->hidden = hidden;
    tags->evicted = PyList_New(0);
    Frame *stack = NULL;
    Element *els = NULL;
    Py_ssize_t stack_cap = 0, els_cap = 0, depth = 0, n = 0;
    PyObject *stamps = PyList_New(0), *lone = PyList_New(0), *lone_here = PyList_New(0);
    PyObject *result = NULL;
    if (stamps == NULL || lone == NULL || lone_here == NULL || tags->evicted == NULL) goto done;

    TagEntry *root = tag_of(tags, body);
    if (root == NULL) goto done;
    if (!grow((void **)&stack, &stack_cap, 1, sizeof(Frame))) goto nomem;
    stack[depth++] = (Frame){body, root->tag, -1, false, false};
    int ordinal = -2; /* body itself is not in get_elements_by_tag_name("*") */
    while (depth > 0) {
        Frame f = stack[--depth];
        ordinal++;
        int i = (int)n;
        bool link = false;
        if (!f.hidden) {
            TagEntry *own = tag_of(tags, f.node);
            if (own == NULL) goto done;
            /* `<a name=...>` anchors are not links */
            link = own->is_a && lxb_dom_element_has_attribute(f.node, (const unsigned char *)"href", 4);
        }
        bool in_link = f.in_link || link;
        long chars = 0, longest = 0;
        /* Children last to first: pushed in this order, they pop in document order. */
        for (lxb_dom_node_t *child = lxb_dom_node_last_child_noi(f.node); child != NULL;
             child = lxb_dom_node_prev_noi(child)) {
            TagEntry *e = tag_of(tags, child);
            if (e == NULL) goto done;
            if (e->kind == KIND_ELEMENT || e->kind == KIND_HIDDEN) {
                if (!grow((void **)&stack, &stack_cap, depth + 1, sizeof(Frame))) goto nomem;
                /* a hidden element's subtree is not measured, only counted (ordinals) */
                stack[depth++] = (Frame){child, e->tag, i, in_link, f.hidden || e->kind == KIND_HIDDEN};
                continue;
            }
            if (e->kind != KIND_TEXT || f.hidden) continue;
            size_t len = 0;
            unsigned char *text = lxb_dom_node_text_content(child, &len);
            if (text == NULL) continue;
            TextFigures t = text_figures(text, len);
            PyObject *item = NULL;
            if (t.visible > 0 && t.colon && t.length <= max_stamp) {
                item = Py_BuildValue("(iN)", i, PyUnicode_DecodeUTF8((const char *)text, (Py_ssize_t)len, "strict"));
                if (item == NULL || PyList_Append(stamps, item) < 0) {
                    Py_XDECREF(item);
                    lxb_dom_document_destroy_text_noi(document, text);
                    goto done;
                }
                Py_DECREF(item);
            }
            lxb_dom_document_destroy_text_noi(document, text);
            if (t.visible == 0) continue;
            chars += t.visible;
            if (t.visible > longest && !in_link) longest = t.visible;
            if (t.visible == 1) {
                item = Py_BuildValue("(iKN)", i, (unsigned long long)(uintptr_t)child, PyUnicode_FromOrdinal((int)t.lone));
                if (item == NULL || PyList_Append(lone_here, item) < 0) {
                    Py_XDECREF(item);
                    goto done;
                }
                Py_DECREF(item);
            }
        }
        if (f.hidden) continue;
        if (PyList_GET_SIZE(lone_here) > 0) { /* collected last to first */
            if (PyList_Reverse(lone_here) < 0) goto done;
            Py_ssize_t end = PyList_GET_SIZE(lone);
            if (PyList_SetSlice(lone, end, end, lone_here) < 0) goto done;
            if (PyList_SetSlice(lone_here, 0, PyList_GET_SIZE(lone_here), NULL) < 0) goto done;
        }
        if (!grow((void **)&els, &els_cap, n + 1, sizeof(Element))) goto nomem;
        els[n++] = (Element){f.node, f.tag, f.parent, ordinal, chars, in_link ? chars : 0, link ? 1 : 0, longest};
    }
    /* Each element's figures into its parent's, last to first: a parent precedes its descendants. */
    for (Py_ssize_t i = n - 1; i > 0; i--) {
        Element *p = &els[els[i].parent];
        p->chars += els[i].chars;
        p->link_chars += els[i].link_chars;
        p->links += els[i].links;
        if (els[i].longest > p->longest) p->longest = els[i].longest;
    }
    PyObject *tag_list = PyList_New(n), *addresses = PyList_New(n);
    if (tag_list == NULL || addresses == NULL) {
        Py_XDECREF(tag_list);
        Py_XDECREF(addresses);
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_INCREF(els[i].tag);
        PyList_SET_ITEM(tag_list, i, els[i].tag);
        PyObject *a = PyLong_FromUnsignedLongLong((unsigned long long)(uintptr_t)els[i].node);
        if (a == NULL) {
            Py_DECREF(tag_list);
            Py_DECREF(addresses);
            goto done;
        }
        PyList_SET_ITEM(addresses, i, a);
    }
    result = Py_BuildValue(
        "(NNNNNNNNOO)", tag_list, int_list(els, n, offsetof(Element, parent), true),
        int_list(els, n, offsetof(Element, chars), false), int_list(els, n, offsetof(Element, link_chars), false),
        int_list(els, n, offsetof(Element, links), false), int_list(els, n, offsetof(Element, longest), false),
        int_list(els, n, offsetof(Element, ordinal), true), addresses, stamps, lone);
    goto done;
nomem:
    PyErr_NoMemory();
done:
    tags_clear(tags);
    PyMem_Free(tags);
    PyMem_Free(stack);
    PyMem_Free(els);
    Py_XDECREF(stamps);
    Py_XDECREF(lone);
    Py_XDECREF(lone_here);
    return result;
}


/* ------------------------------------------------------------------------------------------
   main_text: resiliparse 0.14.5's extract_plain_text(tree, main_content=True, comments=False,
   alt_texts=False, list_bullets=False, links=False) in one pass of C over the same nodes.

   resiliparse (Apache-2.0, Copyright 2021 Janek Bevendorff) decides per element with its
   rules (resiliparse/extract/html2text.pyx, _is_main_content_node) and renders the text kept
   (_extract_cb, _serialize_extract_nodes). Its build reacquires the GIL after most of its
   internal calls (7,000 times for a 255-element page), matches its skip list with lexbor's
   CSS engine and measures each candidate link cluster by copying its subtree's text: the
   extraction was a sixth of docproc's time on the benchmark's corpus. Here the same rules and
   the same rendering run over lexbor's nodes directly, each subtree's text measured once. The
   class and id tests stay regular expressions, evaluated in Python (docproc/html.py) once
   per distinct attribute value and cached. tests/unit/test_main_text.py checks the output
   against resiliparse's, byte for byte, on real and generated pages.

   Nodes are read through lexbor 2.2's struct layout (resiliparse 0.14.5 ships lexbor 2.2.0);
   `layout_ok` checks it against lexbor's exported accessors on each page before use, and
   html.py falls back to resiliparse's own extraction if it does not hold.
   ------------------------------------------------------------------------------------------ */

typedef struct XNode_ XNode;
struct XNode_ {
    void *events;
    uintptr_t local_name, prefix, ns;
    void *owner_document;
    XNode *next, *prev, *parent, *first_child, *last_child;
    void *user;
    int type;
};
typedef struct {
    XNode node;
    unsigned char *data;
    size_t length;
} XText;

enum { NT_ELEMENT = 1, NT_TEXT = 3 };

extern lxb_dom_node_t *lxb_dom_node_next_noi(lxb_dom_node_t *node);
extern lxb_dom_node_t *lxb_dom_node_parent_noi(lxb_dom_node_t *node);
extern const unsigned char *lxb_dom_element_get_attribute(void *element, const unsigned char *name, size_t len,
                                                          size_t *value_len);

/* The tags the rules and the rendering name; every other tag is T_OTHER. */
enum {
    T_OTHER, T_A, T_ARTICLE, T_ASIDE, T_AUDIO, T_BODY, T_BR, T_DIV, T_FOOTER, T_H1, T_H2, T_H3, T_H4,
    T_HR, T_LI, T_MAIN, T_NAV, T_OL, T_P, T_PRE, T_TD, T_TEXTAREA, T_TH, T_TIME, T_UL, T_VIDEO,
};
#define F_BLOCK 1  /* resiliparse's block elements */
#define F_SKIP 2   /* its skip list for these options (script, style, media, form fields...) */

typedef struct {
    const char *name;
    int tag, flags;
} TagInfo;

static const TagInfo TAG_INFO[] = {
    {"a", T_A, 0}, {"address", T_OTHER, F_BLOCK}, {"area", T_OTHER, F_SKIP},
    {"article", T_ARTICLE, F_BLOCK}, {"aside", T_ASIDE, F_BLOCK}, {"audio", T_AUDIO, F_SKIP},
    {"blockquote", T_OTHER, F_BLOCK}, {"body", T_BODY, 0}, {"br", T_BR, F_BLOCK},
    {"button", T_OTHER, F_SKIP}, {"center", T_OTHER, F_BLOCK}, {"dd", T_OTHER, F_BLOCK},
    {"details", T_OTHER, F_BLOCK}, {"div", T_DIV, F_BLOCK}, {"dl", T_OTHER, F_BLOCK},
    {"dt", T_OTHER, F_BLOCK}, {"fieldset", T_OTHER, F_BLOCK},
    {"figcaption", T_OTHER, F_BLOCK | F_SKIP}, {"figure", T_OTHER, F_BLOCK | F_SKIP},
    {"footer", T_FOOTER, F_BLOCK}, {"form", T_OTHER, F_BLOCK}, {"frame", T_OTHER, F_SKIP},
    {"h1", T_H1, F_BLOCK}, {"h2", T_H2, F_BLOCK}, {"h3", T_H3, F_BLOCK}, {"h4", T_H4, F_BLOCK},
    {"h5", T_OTHER, F_BLOCK}, {"h6", T_OTHER, F_BLOCK}, {"header", T_OTHER, F_BLOCK},
    {"hgroup", T_OTHER, F_BLOCK}, {"hr", T_HR, F_BLOCK}, {"iframe", T_OTHER, F_SKIP},
    {"input", T_OTHER, F_SKIP}, {"label", T_OTHER, F_SKIP}, {"li", T_LI, F_BLOCK},
    {"main", T_MAIN, F_BLOCK}, {"nav", T_NAV, F_BLOCK}, {"noscript", T_OTHER, F_SKIP},
    {"object", T_OTHER, F_SKIP}, {"ol", T_OL, F_BLOCK}, {"option", T_OTHER, F_SKIP},
    {"p", T_P, F_BLOCK}, {"pre", T_PRE, F_BLOCK}, {"script", T_OTHER, F_SKIP},
    {"section", T_OTHER, F_BLOCK}, {"select", T_OTHER, F_SKIP}, {"style", T_OTHER, F_SKIP},
    {"svg", T_OTHER, F_SKIP}, {"table", T_OTHER, F_BLOCK}, {"td", T_TD, 0},
    {"template", T_OTHER, F_SKIP}, {"textarea", T_TEXTAREA, F_SKIP}, {"th", T_TH, 0},
    {"time", T_TIME, 0}, {"tr", T_OTHER, F_BLOCK}, {"ul", T_UL, F_BLOCK}, {"video", T_VIDEO, F_SKIP},
}; /* sorted by name: id_info searches it by halves */

typedef struct {
    uintptr_t id;
    bool set;
    unsigned char tag, flags;
} IdSlot;

typedef struct {
    IdSlot slots[TAG_SLOTS];
} IdTable;

static const IdSlot *id_info(IdTable *t, XNode *node) {
    IdSlot *s = &t->slots[node->local_name % TAG_SLOTS];
    if (s->set && s->id == node->local_name) return s;
    /* A collision (custom tags) just looks the name up again: the slot keeps the latest id. */
    s->id = node->local_name;
    s->set = true;
    s->tag = T_OTHER;
    s->flags = 0;
    if (node->type != NT_ELEMENT) return s;
    size_t len = 0;
    const unsigned char *name = lxb_dom_node_name((lxb_dom_node_t *)node, &len);
    char low[16];
    if (name == NULL || len == 0 || len >= sizeof low) return s;
    for (size_t i = 0; i < len; i++) low[i] = (char)((name[i] >= 'A' && name[i] <= 'Z') ? name[i] + 32 : name[i]);
    low[len] = '\0';
    size_t lo = 0, hi = sizeof TAG_INFO / sizeof TAG_INFO[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(low, TAG_INFO[mid].name);
        if (c == 0) {
            s->tag = (unsigned char)TAG_INFO[mid].tag;
            s->flags = (unsigned char)TAG_INFO[mid].flags;
            break;
        }
        if (c < 0) hi = mid;
        else lo = mid + 1;
    }
    return s;
}

/* std::isspace in the C and UTF-8 locales, on bytes. */
static inline bool c_space(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

/* A run of text's collapsed form (each whitespace run one space), in figures that add up. */
typedef struct {
    size_t solid, runs; /* bytes that are not whitespace; whitespace runs */
    bool any, starts_space, ends_space;
} Collapsed;

static void collapsed_add(Collapsed *a, const Collapsed *b) {
    if (!b->any) return;
    if (!a->any) {
        *a = *b;
        return;
    }
    a->solid += b->solid;
    a->runs += b->runs - (a->ends_space && b->starts_space ? 1 : 0);
    a->ends_space = b->ends_space;
}

static Collapsed collapsed_of(const unsigned char *s, size_t n) {
    Collapsed c = {0, 0, n > 0, n > 0 && c_space(s[0]), n > 0 && c_space(s[n - 1])};
    bool in_space = false;
    for (size_t i = 0; i < n; i++) {
        if (c_space(s[i])) {
            if (!in_space) c.runs++;
            in_space = true;
        } else {
            c.solid++;
            in_space = false;
        }
    }
    return c;
}

typedef struct {
    size_t text; /* collapsed length of the element's text content */
    size_t links; /* sum of the collapsed lengths of its <a> descendants' text */
    void *user; /* the node's own `user` pointer, put back after the walk */
    XNode *node;
} Measure;

typedef struct {
    Collapsed text;
    size_t links;
} Acc;

typedef struct {
    char *data;
    size_t len, cap;
} Buf;

static bool buf_reserve(Buf *b, size_t extra) {
    if (b->len + extra <= b->cap) return true;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra) cap *= 2;
    char *d = PyMem_Realloc(b->data, cap);
    if (d == NULL) return false;
    b->data = d;
    b->cap = cap;
    return true;
}

static bool buf_put(Buf *b, const void *s, size_t n) {
    if (!buf_reserve(b, n)) return false;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    return true;
}

static bool buf_char(Buf *b, char c) { return buf_put(b, &c, 1); }

typedef struct {
    int tag;
    size_t depth;
    bool collapse_margins, is_big_block, is_pre, is_end_tag;
    size_t start, end; /* the node's text in Extract.text */
} Piece;

typedef struct {
    IdTable ids;
    Measure *measures;
    size_t n_measures, cap_measures;
    Piece *pieces;
    size_t n_pieces, cap_pieces;
    Buf text, out;
    PyObject *cache, *bits_of; /* dict key -> rule bits, and the function that computes them */
} Extract;

/* What the class and id regular expressions say (docproc/html.py, _class_bits). */
#define B_DISPLAY 1
#define B_SKIP_LINK 2
#define B_ACCOUNT_META_SOCIAL 4
#define B_LOGO_ADS 8
#define B_ARTICLE 16
#define B_LANDMARK_ID 32
#define B_BOILERPLATE 64
#define B_STYLE_HIDDEN 128

static long rule_bits(Extract *x, const char *a, size_t na, const char *b, size_t nb, char sep) {
    /* key: class NUL id, or SOH style (attribute values hold neither byte) */
    char small[256];
    size_t n = na + 1 + nb;
    char *k = n <= sizeof small ? small : PyMem_Malloc(n);
    if (k == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    memcpy(k, a, na);
    k[na] = sep;
    memcpy(k + na + 1, b, nb);
    PyObject *key = PyBytes_FromStringAndSize(k, (Py_ssize_t)n);
    if (k != small) PyMem_Free(k);
    if (key == NULL) return -1;
    PyObject *v = PyDict_GetItemWithError(x->cache, key);
    if (v == NULL) {
        if (PyErr_Occurred()) {
            Py_DECREF(key);
            return -1;
        }
        v = PyObject_CallOneArg(x->bits_of, key);
        if (v == NULL || PyDict_SetItem(x->cache, key, v) < 0) {
            Py_XDECREF(v);
            Py_DECREF(key);
            return -1;
        }
        Py_DECREF(v); /* the cache holds it */
    }
    Py_DECREF(key);
    return PyLong_AsLong(v);
}

static const unsigned char *attr(XNode *node, const char *name, size_t *len) {
    *len = 0;
    const unsigned char *v = lxb_dom_element_get_attribute(node, (const unsigned char *)name, strlen(name), len);
    if (v == NULL) *len = 0;
    return v;
}

/* strip_sv: C-locale whitespace off both ends */
static const unsigned char *strip(const unsigned char *s, size_t *n) {
    if (s == NULL) return s;
    while (*n > 0 && c_space(s[0])) s++, (*n)--;
    while (*n > 0 && c_space(s[*n - 1])) (*n)--;
    return s;
}

static bool equals(const unsigned char *s, size_t n, const char *lit) {
    size_t m = strlen(lit);
    return s != NULL && n == m && memcmp(s, lit, m) == 0;
}

static bool is_link_cluster(XNode *node, double max_link_ratio, size_t max_length, Extract *x) {
    size_t i = (size_t)(uintptr_t)node->user;
    if (i == 0 || i > x->n_measures) return false; /* not measured: cannot happen for these tags */
    Measure *m = &x->measures[i - 1];
    if (max_length && m->text > max_length) return false;
    return m->links > 0 && (double)m->links / (double)m->text > max_link_ratio;
}

static bool unprintable_pua(XText *t) {
    size_t n = t->length;
    const unsigned char *s = strip(t->data, &n);
    if (n > 3) return false;
    if (n == 2 && s[0] == 0xC2 && s[1] == 0xB6) return true; /* a pilcrow: an anchor link */
    if (n == 3) { /* compared as resiliparse does: three bytes read as one little-endian number */
        uint32_t cp = (uint32_t)s[0] | ((uint32_t)s[1] << 8) | ((uint32_t)s[2] << 16);
        return cp >= 0x8080ee && cp <= 0xbfa3ef;
    }
    return false;
}

static const char *const ROLES[] = {
    "alert", "banner", "checkbox", "comment", "complementary", "contentinfo", "dialog", "img", "menu", "menubar",
    "menuitem", "navigation", "presentation", "radio", "search", "searchbox", "separator", "tab", "toolbar",
    "tooltip",
};

/* _is_main_content_node with comments treated as boilerplate; -1 on a Python error. */
/* Whether a node or one of its ancestors below body's children has something after it (one text
   node after it does not count): resiliparse's climb from a footer, which `followed_of` gives
   from the parent's answer (each node's computed once: resiliparse's climb from every footer
   of a deep nest was quadratic). */
static bool has_next(XNode *p) { return p->next != NULL && (p->next->type != NT_TEXT || p->next->next != NULL); }

static bool followed_of(Extract *x, XNode *node, bool parent_followed) {
    if (node->parent == NULL || id_info(&x->ids, node->parent)->tag == T_BODY) return false;
    return has_next(node) || parent_followed;
}

static bool followed_climbing(Extract *x, XNode *node) { /* the same, for the root: climbing */
    for (XNode *p = node; p->parent != NULL && id_info(&x->ids, p->parent)->tag != T_BODY; p = p->parent)
        if (has_next(p)) return true;
    return false;
}

static int is_main_content(Extract *x, XNode *node, size_t body_depth, bool followed) {
    if (node->type == NT_TEXT) return !unprintable_pua((XText *)node);
    if (node->type != NT_ELEMENT) return 1;
    const IdSlot *info = id_info(&x->ids, node);
    int tag = info->tag;
    /* Section 1: tag names */
    switch (tag) {
    case T_BODY:
    case T_MAIN:
    case T_H1:
        return 1;
    case T_FOOTER: /* one that is the last element of a direct child of body is global */
        if (body_depth < 3 || is_link_cluster(node, 0.2, 0, x)) return 0;
        return followed;
    case T_UL:
        if (body_depth < 4 || is_link_cluster(node, 0.2, 0, x)) return 0;
        break;
    case T_ARTICLE:
        if (body_depth > 2 && is_link_cluster(node, 0.2, 500, x)) return 0;
        break;
    case T_NAV:
    case T_ASIDE:
    case T_AUDIO:
    case T_VIDEO:
    case T_TIME:
        return 0;
    default:
        break;
    }
    /* Section 2: rel and ARIA attributes */
    if (lxb_dom_element_has_attribute(node, (const unsigned char *)"hidden", 6)) return 0;
    size_t rel_n, n;
    const unsigned char *rel = strip(attr(node, "rel", &rel_n), &rel_n);
    if (rel_n > 0 && (equals(rel, rel_n, "author") || equals(rel, rel_n, "icon") || equals(rel, rel_n, "search") ||
                      equals(rel, rel_n, "prev") || equals(rel, rel_n, "next") || equals(rel, rel_n, "tag")))
        return 0;
    const unsigned char *v = strip(attr(node, "itemprop", &n), &n);
    if (n > 0 && (equals(v, n, "datePublished") || equals(v, n, "author") || equals(v, n, "url"))) return 0;
    v = strip(attr(node, "aria-hidden", &n), &n);
    if (equals(v, n, "true")) return 0;
    v = strip(attr(node, "aria-expanded", &n), &n);
    if (equals(v, n, "false")) return 0;
    /* Section 3: class and id */
    size_t cls_n, id_n;
    const unsigned char *cls = attr(node, "class", &cls_n), *id = attr(node, "id", &id_n);
    if (cls_n == 0 && id_n == 0) {
        if (tag == T_DIV) return body_depth <= 5 || !is_link_cluster(node, 0.6, 800, x);
        return 1;
    }
    long bits = rule_bits(x, (const char *)(cls ? cls : (const unsigned char *)""), cls_n,
                          (const char *)(id ? id : (const unsigned char *)""), id_n, '\0');
    if (bits < 0) return -1;
    if (bits & B_DISPLAY) return 0;
    size_t style_n;
    const unsigned char *style = attr(node, "style", &style_n);
    if (style_n > 0) {
        long sb = rule_bits(x, "", 0, (const char *)style, style_n, '\1');
        if (sb < 0) return -1;
        if (sb & B_STYLE_HIDDEN) return 0;
    }
    if ((tag == T_A || tag == T_DIV || tag == T_LI) && (bits & B_SKIP_LINK)) return 0;
    if (body_depth > 2 && (bits & B_ACCOUNT_META_SOCIAL)) return 0;
    if (bits & B_LOGO_ADS) return 0;
    if (lxb_dom_element_has_attribute(node, (const unsigned char *)"data-ad", 7) ||
        lxb_dom_element_has_attribute(node, (const unsigned char *)"data-advertisement", 18) ||
        lxb_dom_element_has_attribute(node, (const unsigned char *)"data-text-ad", 12))
        return 0;
    /* Section 4: block elements only */
    if (!(info->flags & F_BLOCK) && tag != T_TD) return 1;
    if (equals(rel, rel_n, "main")) return 1; /* resiliparse tests rel here, not role */
    const unsigned char *role = strip(attr(node, "role", &n), &n);
    if (n > 0) {
        for (size_t i = 0; i < sizeof ROLES / sizeof ROLES[0]; i++)
            if (equals(role, n, ROLES[i])) return 0;
    }
    if (bits & B_ARTICLE) return 1;
    if (bits & (B_LANDMARK_ID | B_BOILERPLATE)) return 0;
    if (body_depth > 2 && tag == T_DIV && is_link_cluster(node, 0.6, 1500, x)) return 0;
    return 1;
}

/* next_node: pre-order, with a second visit of an element after its last child. */
static XNode *step(XNode *root, XNode *node, size_t *depth, bool *end_tag) {
    if (!*end_tag && node->first_child != NULL) {
        (*depth)++;
        return node->first_child;
    }
    while (node->next == NULL && node != root) {
        node = node->parent;
        (*depth)--;
        *end_tag = true;
        return node;
    }
    *end_tag = false;
    return node == root ? NULL : node->next;
}

/* Each element's collapsed text length and its links' (for the link-cluster tests), kept in
   x->measures, the index in the node's `user` pointer for the walk (put back afterwards). */
static bool measure(Extract *x, XNode *root) {
    size_t cap = 64, depth = 0;
    Acc *stack = PyMem_Malloc(cap * sizeof(Acc));
    if (stack == NULL) return false;
    stack[0] = (Acc){{0, 0, false, false, false}, 0};
    XNode *node = root;
    bool end = false;
    size_t level = 0;
    bool ok = true;
    while (node != NULL) {
        if (node->type == NT_TEXT && !end) {
            XText *t = (XText *)node;
            Collapsed c = collapsed_of(t->data, t->length);
            collapsed_add(&stack[level].text, &c);
        } else if (node->type == NT_ELEMENT && !end && node->first_child != NULL) {
            if (level + 1 >= cap) {
                cap *= 2;
                Acc *s = PyMem_Realloc(stack, cap * sizeof(Acc));
                if (s == NULL) {
                    ok = false;
                    break;
                }
                stack = s;
            }
            stack[++level] = (Acc){{0, 0, false, false, false}, 0};
        }
        bool closes = node->type == NT_ELEMENT && (end || node->first_child == NULL);
        if (closes) {
            Acc own = {{0, 0, false, false, false}, 0};
            if (node->first_child != NULL) own = stack[level--];
            size_t text = own.text.solid + own.text.runs;
            int tag = id_info(&x->ids, node)->tag;
            if (tag == T_FOOTER || tag == T_UL || tag == T_ARTICLE || tag == T_DIV) {
                if (x->n_measures == x->cap_measures) {
                    size_t c = x->cap_measures ? 2 * x->cap_measures : 256;
                    Measure *m = PyMem_Realloc(x->measures, c * sizeof(Measure));
                    if (m == NULL) {
                        ok = false;
                        break;
                    }
                    x->measures = m;
                    x->cap_measures = c;
                }
                x->measures[x->n_measures++] = (Measure){text, own.links, node->user, node};
                node->user = (void *)(uintptr_t)x->n_measures;
            }
            if (node != root) {
                collapsed_add(&stack[level].text, &own.text);
                stack[level].links += own.links + (tag == T_A ? text : 0);
            }
        }
        node = step(root, node, &depth, &end);
    }
    PyMem_Free(stack);
    if (!ok) PyErr_NoMemory();
    return ok;
}

static void unmeasure(Extract *x) {
    for (size_t i = 0; i < x->n_measures; i++) x->measures[i].node->user = x->measures[i].user;
}

static bool last_text_ends_space(Extract *x, Piece *p) {
    return x->text.len == p->start || c_space((unsigned char)x->text.data[x->text.len - 1]);
}

/* _extract_cb for these options: text nodes, line breaks, and where a new piece starts. */
static bool extract_cb(Extract *x, XNode *node, size_t depth, bool is_end_tag) {
    const IdSlot *info = id_info(&x->ids, node);
    int tag = info->tag; /* T_OTHER and no flags for a text node */
    bool is_block = info->flags & F_BLOCK;
    Piece *last = x->n_pieces ? &x->pieces[x->n_pieces - 1] : NULL;
    if (last == NULL || is_block || depth < last->depth || tag == T_TEXTAREA) {
        if (last != NULL) last->end = x->text.len;
        if (x->n_pieces == x->cap_pieces) {
            size_t c = x->cap_pieces ? 2 * x->cap_pieces : 256;
            Piece *p = PyMem_Realloc(x->pieces, c * sizeof(Piece));
            if (p == NULL) return false;
            x->pieces = p;
            x->cap_pieces = c;
        }
        last = &x->pieces[x->n_pieces++];
        *last = (Piece){tag, depth, true, tag == T_P || tag == T_H1 || tag == T_H2 || tag == T_H3 || tag == T_H4,
                        !is_end_tag && (tag == T_PRE || tag == T_TEXTAREA), is_end_tag, x->text.len, 0};
    }
    if (node->type == NT_TEXT) {
        XText *t = (XText *)node;
        if (last->is_pre) return buf_put(&x->text, t->data, t->length);
        bool skip_lead = last_text_ends_space(x, last); /* before this text is added */
        if (!buf_reserve(&x->text, t->length)) return false;
        size_t start = x->text.len;
        for (size_t i = 0; i < t->length; i++) { /* this text's whitespace runs, one space each */
            unsigned char c = t->data[i];
            if (!c_space(c)) x->text.data[x->text.len++] = (char)c;
            else if (x->text.len == start || x->text.data[x->text.len - 1] != ' ') x->text.data[x->text.len++] = ' ';
        }
        if (skip_lead && x->text.len > start && x->text.data[start] == ' ') { /* its leading space */
            memmove(x->text.data + start, x->text.data + start + 1, x->text.len - start - 1);
            x->text.len--;
        }
        return true;
    }
    if (tag == T_BR || tag == T_HR) last->collapse_margins = false;
    return true;
}

/* _serialize_extract_nodes, preserving formatting, without list bullets. */
static bool serialize(Extract *x) {
    Buf *o = &x->out;
    bool bullet_deferred = false;
    long list_depth = 0;
    for (size_t i = 0; i < x->n_pieces; i++) {
        Piece *p = &x->pieces[i];
        if (p->tag == T_UL || p->tag == T_OL || (p->tag == T_LI && list_depth == 0)) {
            if (p->is_end_tag) {
                list_depth--;
                bullet_deferred = false;
            } else {
                list_depth++;
            }
        }
        if (p->tag == T_LI) bullet_deferred = true;
        if (p->tag != T_TEXTAREA) {
            if ((!p->collapse_margins || (o->len > 0 && o->data[o->len - 1] != '\n')) && !buf_char(o, '\n'))
                return false;
            if (p->is_big_block && !bullet_deferred && o->len >= 2 && o->data[o->len - 2] != '\n' &&
                !buf_char(o, '\n'))
                return false;
        }
        const char *s = x->text.data + p->start;
        size_t n = p->end - p->start;
        if (!p->is_pre || p->is_end_tag)
            while (n > 0 && c_space((unsigned char)s[n - 1])) n--;
        if (n == 0) continue;
        if ((p->tag == T_TD || p->tag == T_TH) && o->len > 0 && o->data[o->len - 1] != '\n' &&
            !buf_put(o, "\t\t", 2))
            return false;
        if (list_depth > 0) {
            bullet_deferred = false;
            for (long k = 0; k < 2 * list_depth; k++)
                if (!buf_char(o, ' ')) return false;
        }
        if (list_depth > 0 && p->is_pre) { /* each line of preformatted text indented too */
            for (size_t k = 0; k < n; k++) {
                if (!buf_char(o, s[k])) return false;
                if (s[k] == '\n')
                    for (long d = 0; d < 2 * list_depth; d++)
                        if (!buf_char(o, ' ')) return false;
            }
        } else if (!buf_put(o, s, n)) {
            return false;
        }
    }
    return true;
}


/* Whether lexbor's nodes are laid out as XNode says: checked against lexbor's own accessors. */
static bool layout_ok(XNode *body, void *document) {
    XNode *child = body->first_child;
    if (body->type != NT_ELEMENT || body->owner_document != document) return false;
    if ((void *)child != (void *)lxb_dom_node_first_child_noi((lxb_dom_node_t *)body)) return false;
    if ((void *)body->parent != (void *)lxb_dom_node_parent_noi((lxb_dom_node_t *)body)) return false;
    if (body->local_name != (uintptr_t)lxb_dom_node_tag_id_noi((lxb_dom_node_t *)body)) return false;
    if (child == NULL) return true;
    if ((void *)child->next != (void *)lxb_dom_node_next_noi((lxb_dom_node_t *)child)) return false;
    if ((void *)body->last_child != (void *)lxb_dom_node_last_child_noi((lxb_dom_node_t *)body)) return false;
    for (XNode *n = child; n != NULL; n = n->next) { /* the first text node's characters */
        size_t len = 0;
        size_t name_len = 0;
        const unsigned char *name = lxb_dom_node_name((lxb_dom_node_t *)n, &name_len);
        bool named_text = name != NULL && name_len == 5 && memcmp(name, "#text", 5) == 0;
        if (named_text != (n->type == NT_TEXT)) return false;
        if (!named_text) continue;
        unsigned char *text = lxb_dom_node_text_content((lxb_dom_node_t *)n, &len);
        XText *t = (XText *)n;
        bool same = text != NULL && len == t->length && memcmp(text, t->data, len) == 0;
        if (text != NULL) lxb_dom_document_destroy_text_noi(document, text);
        return same;
    }
    return true;
}

static PyObject *main_text(PyObject *self, PyObject *args) {
    unsigned long long body_address, root_address, document_address;
    PyObject *cache, *bits_of;
    if (!PyArg_ParseTuple(args, "KKKO!O", &body_address, &root_address, &document_address, &PyDict_Type, &cache,
                          &bits_of))
        return NULL;
    XNode *body = (XNode *)(uintptr_t)body_address;
    XNode *root = root_address ? (XNode *)(uintptr_t)root_address : body;
    if (body == NULL) {
        PyErr_SetString(PyExc_ValueError, "main_text: no node");
        return NULL;
    }
    if (!layout_ok(body, (void *)(uintptr_t)document_address)) Py_RETURN_NONE;
    Extract *x = PyMem_Calloc(1, sizeof(Extract));
    if (x == NULL) return PyErr_NoMemory();
    x->cache = cache;
    x->bits_of = bits_of;
    PyObject *result = NULL;
    if (!measure(x, root)) goto done;
    size_t base_depth = 0;
    for (XNode *p = root; p->parent != NULL && !(p->type == NT_ELEMENT && id_info(&x->ids, p)->tag == T_BODY);
         p = p->parent)
        base_depth++;
    size_t depth = 0, cap_followed = 64;
    bool end = false;
    XNode *node = root;
    bool *followed = PyMem_Malloc(cap_followed * sizeof(bool)); /* by depth, for the current chain */
    if (followed == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    followed[0] = followed_climbing(x, root);
    while (node != NULL) {
        if (node->type != NT_ELEMENT && node->type != NT_TEXT) {
            end = true;
            node = step(root, node, &depth, &end);
            continue;
        }
        if (!end) { /* an element's second visit follows a first that kept it */
            /* the skip list is matched under the root, not on it (lexbor's selector search) */
            int keep = node == root || !(id_info(&x->ids, node)->flags & F_SKIP);
            if (depth >= cap_followed) {
                cap_followed *= 2;
                bool *f = PyMem_Realloc(followed, cap_followed * sizeof(bool));
                if (f == NULL) {
                    PyErr_NoMemory();
                    goto done_walk;
                }
                followed = f;
            }
            if (depth > 0) followed[depth] = followed_of(x, node, followed[depth - 1]);
            if (keep) keep = is_main_content(x, node, depth + base_depth, followed[depth]);
            if (keep < 0) goto done_walk;
            if (!keep) {
                end = true;
                node = step(root, node, &depth, &end);
                continue;
            }
        }
        if (!extract_cb(x, node, depth, end)) {
            PyErr_NoMemory();
            goto done_walk;
        }
        node = step(root, node, &depth, &end);
    }
    PyMem_Free(followed);
    followed = NULL;
    if (x->n_pieces) x->pieces[x->n_pieces - 1].end = x->text.len;
    if (!serialize(x)) {
        PyErr_NoMemory();
        goto done;
    }
    size_t n = x->out.len;
    while (n > 0 && c_space((unsigned char)x->out.data[n - 1])) n--;
    result = PyUnicode_DecodeUTF8(x->out.data ? x->out.data : "", (Py_ssize_t)n, "ignore");
    goto done;
done_walk:
    PyMem_Free(followed);
done:
    unmeasure(x);
    PyMem_Free(x->measures);
    PyMem_Free(x->pieces);
    PyMem_Free(x->text.data);
    PyMem_Free(x->out.data);
    PyMem_Free(x);
    return result;
}

static PyMethodDef methods[] = {
    {"page_walk", page_walk, METH_VARARGS, "Measure every element under a page's <body> (see html._measure)."},
    {"main_text", main_text, METH_VARARGS, "A page's main text, as resiliparse extracts it (see html._main_text)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_pagewalk", NULL, -1, methods};

PyMODINIT_FUNC PyInit__pagewalk(void) { return PyModule_Create(&module); }
