// Interop: @ptr heap pointers handed to C through koffi (`node examples/interop/libc.mjs`,
// after `pnpm build`). Heap addresses are real native addresses, the same in every thread,
// so `ptr.address` is what C wants for a `void *` / `char *` argument (a number or a bigint),
// and what C writes there is read back through @ptr/core, in place.
import koffi from 'koffi';
import {
  calloc, cstring, float64, free, heapCheck, int32, malloc, sizeof, struct,
  memcmp, strlen,
} from '../../packages/core/dist/index.js';

const libc = koffi.load('libc.so.6');
koffi.proto('int Compare(const void *a, const void *b)'); // qsort's comparator type, named for the signatures below
const c = {
  strlen: libc.func('size_t strlen(const char *s)'),
  memcpy: libc.func('void *memcpy(void *dest, const void *src, size_t n)'),
  snprintf: libc.func('int snprintf(char *buf, size_t n, const char *fmt, ...)'),
  // `Compare *` is a C function pointer: koffi turns a JS function into one for the call
  qsort: libc.func('void qsort(void *base, size_t n, size_t size, Compare *cmp)'),
};

// 1. strlen: C reads a string @ptr/core moved into the heap.
const hello = malloc(cstring(32)).move('hello from the @ptr heap');
console.log(`strlen(${JSON.stringify(hello.deref())}): C says ${c.strlen(hello.address)}, @ptr/core says ${strlen(hello)}`);

// 2. memcpy: C copies heap to heap; @ptr/core reads the copy as typed memory.
const src = calloc(4, float64);
src.set([1.5, 2.5, 3.5, 4.5]);
const dst = calloc(4, float64);
c.memcpy(dst.address, src.address, src.size); // returns dest as a bigint address
console.log(`memcpy: dst = [${[...dst.view()]}], memcmp(dst, src) = ${memcmp(dst, src, src.size)}`);

// 3. qsort with a JavaScript comparator: C calls back with the addresses of two elements,
//    the comparator reads them through @ptr/core (slot pointers, struct views).
const Player = struct({ id: int32, score: float64, name: cstring(12) }, 'Player');
const players = calloc(4, Player);
players.set([
  { id: 1, score: 71.5, name: 'ada' },
  { id: 2, score: 99.0, name: 'grace' },
  { id: 3, score: 12.25, name: 'ken' },
  { id: 4, score: 71.5, name: 'barbara' },
]);
const base = players.address;
const row = (address) => players.at((Number(address) - base) / sizeof(Player)).view();
c.qsort(base, players.length, sizeof(Player), (a, b) =>
  // a C int comes back: use Math.sign, a float difference such as 0.5 would truncate to 0
  Math.sign(row(b).score - row(a).score) || row(a).id - row(b).id);
console.log('qsort by score:', players.toArray().map((p) => `${p.name} ${p.score}`).join(', '));

// 4. snprintf writes into a heap buffer, bounded by the size @ptr/core allocated.
const line = malloc(cstring(24));
c.snprintf(line.address, line.size, '%s scored %.1f', 'str', players.at(0).view().name, 'double', players.at(0).view().score);
console.log(`snprintf: ${JSON.stringify(line.deref())}`);

for (const p of [hello, src, dst, players, line]) free(p);
heapCheck();
