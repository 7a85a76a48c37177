/* The page walk of docproc/html.py (_measure) in C, over resiliparse's own DOM.

Resiliparse parses pages with lexbor and wraps each node it hands to Python in a new object: the
walk in Python paid for one such object, two property reads and a string for every node of the
page (a tenth of all of docproc's time on the benchmark's corpus). Here the same walk runs
on lexbor's nodes through lexbor's exported functions, from the library resiliparse loaded
(this module is linked against that file: build_native.py), and hands back only the figures.

The node a walk starts from is found by its address, which resiliparse gives as a DOMNode's
hash (`__hash__` returns the node pointer). docproc/html.py maps the elements it then needs
back to DOMNodes through `get_elements_by_tag_name("*")` and checks each one's hash.

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

static PyMethodDef methods[] = {
    {"page_walk", page_walk, METH_VARARGS, "Measure every element under a page's <body> (see html._measure)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_pagewalk", NULL, -1, methods};

PyMODINIT_FUNC PyInit__pagewalk(void) { return PyModule_Create(&module); }
