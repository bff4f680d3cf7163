/* t-heap.c - heap.c, the binary min-heap that keeps each element's place:
 * the empty and one-element heaps; over random sequences, pops in the
 * order of a sorted reference, removal of any element, a fix after a key
 * went up or down, keys that tie; and after every operation each element's
 * stored place is its slot, the heap holds exactly the elements it should
 * and no child goes before its parent.  A seed may be given (default 1). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xspool.h"
#include "tap.h"

#define NEL	2000

struct el {
	int	 key;
	int	 in;		/* the test's idea: in the heap */
	size_t	 place;		/* heap.c's; not the first field, on purpose */
	int	 id;
};

static struct el els[NEL];
static int calls;		/* before() calls, to see it is used */
static unsigned long rnd;

static unsigned
next(unsigned n)
{
	rnd = rnd * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)(rnd >> 33) % n;
}

static int
before(const void *a, const void *b)
{
	calls++;
	return ((const struct el *)a)->key < ((const struct el *)b)->key;
}

/* consistent - every slot's element has that place, is one the test put
 * in, goes no earlier than its parent; and the count is the test's */
static int
consistent(const struct heap *h, const char **why)
{
	const struct el *e;
	size_t i, nin = 0;

	for (i = 0; i < NEL; i++)
		nin += els[i].in;
	if (h->n != nin) {
		*why = "count";
		return 0;
	}
	for (i = 0; i < h->n; i++) {
		e = h->v[i];
		if (e < els || e >= els + NEL || !e->in) {
			*why = "a stranger in a slot";
			return 0;
		}
		if (e->place != i) {
			*why = "a stored place is not the slot";
			return 0;
		}
		if (i > 0 && before(e, h->v[(i - 1) / 2])) {
			*why = "a child before its parent";
			return 0;
		}
	}
	return 1;
}

/* min_in - the smallest key of the elements in, INT32_MAX: none */
static int
min_in(void)
{
	int i, m = INT32_MAX;

	for (i = 0; i < NEL; i++)
		if (els[i].in && els[i].key < m)
			m = els[i].key;
	return m;
}

static void
reset(int keys)
{
	int i;

	for (i = 0; i < NEL; i++) {
		els[i].key = (int)next((unsigned)keys);
		els[i].in = 0;
		els[i].place = (size_t)-1;
		els[i].id = i;
	}
}

static void
test_empty_one(void)
{
	struct heap h;
	struct el *e = &els[0];
	const char *why = "";

	reset(100);
	heap_init(&h, before, offsetof(struct el, place));
	ok(h.n == 0 && heap_top(&h) == NULL && heap_pop(&h) == NULL,
	    "empty: no top, pop gives NULL");
	heap_clear(&h);
	ok(h.n == 0, "empty: clear keeps it empty");
	heap_push(&h, e);
	e->in = 1;
	ok(h.n == 1 && heap_top(&h) == e && e->place == 0 &&
	    consistent(&h, &why), "one: it is the top, at place 0");
	e->key += 50;
	heap_fix(&h, e);
	ok(heap_top(&h) == e && e->place == 0, "one: a fix keeps it");
	heap_remove(&h, e);
	e->in = 0;
	ok(h.n == 0 && heap_top(&h) == NULL && consistent(&h, &why),
	    "one: removed, the heap is empty");
	heap_push(&h, e);
	ok(heap_pop(&h) == e && h.n == 0 && heap_pop(&h) == NULL,
	    "one: pushed again, popped, then nothing");
	heap_free(&h);
	ok(h.n == 0 && h.v == NULL, "free leaves an empty heap");
	heap_free(&h);
	heap_push(&h, e);
	ok(heap_pop(&h) == e, "a freed heap can be used again");
	heap_free(&h);
}

static int
cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* sorted - push all, pop all: the keys come out as qsort puts them */
static void
test_sorted(int keys, const char *what)
{
	static int ref[NEL], got[NEL];
	struct heap h;
	struct el *e;
	const char *why = "";
	int i, n = 0, good = 1;

	reset(keys);
	heap_init(&h, before, offsetof(struct el, place));
	for (i = 0; i < NEL; i++) {
		heap_push(&h, &els[i]);
		els[i].in = 1;
		ref[i] = els[i].key;
		good &= consistent(&h, &why);
	}
	qsort(ref, NEL, sizeof(*ref), cmp_int);
	while ((e = heap_pop(&h)) != NULL) {
		e->in = 0;
		got[n++] = e->key;
		good &= consistent(&h, &why);
	}
	ok(good, "%s: consistent after each push and pop (%s)", what,
	    good ? "yes" : why);
	ok(n == NEL && memcmp(got, ref, sizeof(ref)) == 0,
	    "%s: %d pushed, %d popped in the sorted order", what, NEL, n);
	heap_free(&h);
}

/* mixed - random pushes, pops, removals of any element and fixes after
 * a key went up or down; each pop gives the smallest key of those in */
static void
test_mixed(int keys, const char *what)
{
	struct heap h;
	struct el *e;
	const char *why = "";
	int op, i, good = 1, popped = 0, removed = 0, fixed = 0, worst = 0;

	reset(keys);
	heap_init(&h, before, offsetof(struct el, place));
	for (op = 0; op < 20000 && good; op++) {
		e = &els[next(NEL)];
		switch (next(5)) {
		case 0:
		case 1:
			if (!e->in) {
				heap_push(&h, e);
				e->in = 1;
			}
			break;
		case 2:
			i = min_in();
			e = heap_pop(&h);
			if (i == INT32_MAX)
				good &= e == NULL;
			else {
				good &= e != NULL && e->in && e->key == i;
				if (e != NULL)
					e->in = 0;
				popped++;
			}
			if (!good)
				why = "a pop did not give the smallest key";
			break;
		case 3:
			if (e->in) {
				heap_remove(&h, e);
				e->in = 0;
				removed++;
			}
			break;
		default:
			if (e->in) {
				/* up or down, by up to half the range */
				e->key += (int)next((unsigned)keys) - keys / 2;
				heap_fix(&h, e);
				fixed++;
			}
			break;
		}
		if (good && !consistent(&h, &why))
			good = 0;
		if (h.n > (size_t)worst)
			worst = (int)h.n;
	}
	/* what is left comes out in order too */
	for (i = INT32_MIN; good && (e = heap_pop(&h)) != NULL; i = e->key) {
		good &= e->key >= i && e->in;
		e->in = 0;
		if (!good)
			why = "the rest out of order";
	}
	ok(good && h.n == 0 && consistent(&h, &why),
	    "%s: 20,000 random operations (%d pops, %d removals, %d fixes, "
	    "up to %d in): smallest first, places and order kept (%s)",
	    what, popped, removed, fixed, worst, good ? "yes" : why);
	ok(popped > 1000 && removed > 1000 && fixed > 1000,
	    "%s: each kind of operation ran often", what);
	heap_free(&h);
}

/* clear - cleared, the heap is empty and takes elements again */
static void
test_clear(void)
{
	struct heap h;
	const char *why = "";
	int i;

	reset(1000);
	heap_init(&h, before, offsetof(struct el, place));
	for (i = 0; i < 100; i++)
		heap_push(&h, &els[i]);
	heap_clear(&h);
	ok(h.n == 0 && heap_top(&h) == NULL, "clear: empty");
	for (i = 100; i < 110; i++) {
		heap_push(&h, &els[i]);
		els[i].in = 1;
	}
	ok(consistent(&h, &why) && ((struct el *)heap_top(&h))->key ==
	    min_in(), "clear: the heap takes elements again");
	heap_free(&h);
}

int
main(int argc, char **argv)
{
	rnd = argc > 1 ? strtoul(argv[1], NULL, 10) : 1;
	printf("# seed %lu\n", rnd);
	test_empty_one();
	test_sorted(1000000, "distinct keys (mostly)");
	test_sorted(10, "many equal keys");
	test_mixed(1000000, "wide keys");
	test_mixed(8, "keys that tie");
	test_clear();
	ok(calls > 0, "the heap orders by the caller's before()");
	return done_testing();
}
