/* heap.c - the one binary min-heap: of the caller's elements, each of which
 * keeps its place in the array (a size_t inside it), so that any element
 * leaves or moves after a key change in O(log n).  sched.c's flows and
 * clients and watch.c's waiting candidates are such heaps. */
#include <stdlib.h>

#include "xspool.h"

/* set - e into slot i of v, and i into e (at idx) */
static void
set(void **v, size_t idx, size_t i, void *e)
{
	v[i] = e;
	*(size_t *)(void *)((char *)e + idx) = i;
}

static size_t
place(const struct heap *h, const void *e)
{
	return *(const size_t *)(const void *)((const char *)e + h->idx);
}

/* up, down - the element at i towards the top, towards the leaves (the
 * heap's fields in locals: as far as the compiler knows, before() might
 * write *h, and they would be read again at each step) */
static void
up(struct heap *h, size_t i)
{
	int (*before)(const void *, const void *) = h->before;
	void **v = h->v, *e = v[i];
	size_t idx = h->idx;

	while (i > 0 && before(e, v[(i - 1) / 2])) {
		set(v, idx, i, v[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	set(v, idx, i, e);
}

static void
down(struct heap *h, size_t i)
{
	int (*before)(const void *, const void *) = h->before;
	void **v = h->v, *e = v[i];
	size_t idx = h->idx, n = h->n, k;

	while ((k = 2 * i + 1) < n) {
		if (k + 1 < n && before(v[k + 1], v[k]))
			k++;
		if (!before(v[k], e))
			break;
		set(v, idx, i, v[k]);
		i = k;
	}
	set(v, idx, i, e);
}

void
heap_init(struct heap *h, int (*before)(const void *, const void *),
    size_t idx)
{
	h->v = NULL;
	h->n = h->cap = 0;
	h->idx = idx;
	h->before = before;
}

void
heap_free(struct heap *h)
{
	free(h->v);
	h->v = NULL;
	h->n = h->cap = 0;
}

void
heap_clear(struct heap *h)
{
	h->n = 0;
}

void
heap_push(struct heap *h, void *e)
{
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 16;
		h->v = xreallocarray(h->v, h->cap, sizeof(*h->v));
	}
	set(h->v, h->idx, h->n, e);
	h->n++;
	up(h, h->n - 1);
}

void
heap_remove(struct heap *h, void *e)
{
	size_t i = place(h, e);

	if (i == --h->n)
		return;
	/* the last one fills the hole: it may go down, or up */
	set(h->v, h->idx, i, h->v[h->n]);
	down(h, i);
	up(h, i);
}

void
heap_fix(struct heap *h, void *e)
{
	down(h, place(h, e));
	up(h, place(h, e));
}

void *
heap_top(const struct heap *h)
{
	return h->n > 0 ? h->v[0] : NULL;
}

void *
heap_pop(struct heap *h)
{
	void *e;

	if (h->n == 0)
		return NULL;
	e = h->v[0];
	heap_remove(h, e);
	return e;
}
