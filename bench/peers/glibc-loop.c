/*
 * glibc malloc/free timed in a C loop: the native floor the @ptr rows compare with.
 * Built by bench/peers/glibc.mjs with `cc -O2` into bench/.build/.
 *
 *   glibc-loop pair <size> <warmup_ms> <sample_ms> <reps>
 *       malloc(size) + free(p) on an otherwise empty heap.
 *   glibc-loop live <size> <warmup_ms> <sample_ms> <reps>  < sequence
 *       the same pair after replaying a replacement sequence read from stdin
 *       (little-endian u32: slots, ops, `slots` initial sizes, `ops` (slot, size)
 *       pairs; see bench/lib/workload.mjs), which leaves `slots` blocks live.
 *
 * Prints one JSON line: {"glibc":"2.36","iters":N,"samples":[ns per op, ...]}.
 * Calibration mirrors bench/lib/measure.mjs: double the batch until it takes a
 * quarter of a sample and the warm-up time has passed, then `reps` batches.
 */
#define _GNU_SOURCE
#include <gnu/libc-version.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Makes `p` escape, so the compiler cannot drop the malloc/free pair. */
static inline void escape(void *p) { __asm__ volatile("" : : "r"(p) : "memory"); }

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static size_t block_size;

static __attribute__((noinline)) double batch(long n) {
  double t0 = now_ns();
  for (long i = 0; i < n; i++) {
    void *p = malloc(block_size);
    escape(p);
    free(p);
  }
  return now_ns() - t0;
}

static uint32_t *read_sequence(size_t *count) {
  size_t cap = 1 << 16, len = 0;
  uint32_t *buf = malloc(cap * 4);
  size_t got;
  while ((got = fread(buf + len, 4, cap - len, stdin)) > 0) {
    len += got;
    if (len == cap) buf = realloc(buf, (cap *= 2) * 4);
  }
  *count = len;
  return buf;
}

int main(int argc, char **argv) {
  if (argc != 6 || (strcmp(argv[1], "pair") != 0 && strcmp(argv[1], "live") != 0)) {
    fprintf(stderr, "usage: %s pair|live <size> <warmup_ms> <sample_ms> <reps>\n", argv[0]);
    return 2;
  }
  block_size = (size_t)atol(argv[2]);
  double warmup = atof(argv[3]) * 1e6, sample = atof(argv[4]) * 1e6;
  int reps = atoi(argv[5]);

  void **live = NULL;
  uint32_t slots = 0;
  if (strcmp(argv[1], "live") == 0) {
    size_t n;
    uint32_t *seq = read_sequence(&n);
    if (n < 2 || n != 2 + (size_t)seq[0] + 2 * (size_t)seq[1]) {
      fprintf(stderr, "bad sequence on stdin (%zu words)\n", n);
      return 2;
    }
    slots = seq[0];
    uint32_t ops = seq[1];
    live = malloc(sizeof(void *) * slots);
    for (uint32_t i = 0; i < slots; i++) live[i] = malloc(seq[2 + i]);
    const uint32_t *op = seq + 2 + slots;
    for (uint32_t i = 0; i < ops; i++) {
      free(live[op[2 * i]]);
      live[op[2 * i]] = malloc(op[2 * i + 1]);
    }
    free(seq);
  }

  double start = now_ns(), t;
  long n = 16;
  for (;;) {
    t = batch(n);
    if (t < sample / 4) n *= 2;
    else if (now_ns() - start >= warmup) break;
  }
  long iters = (long)((double)n * sample / t);
  if (iters < 1) iters = 1;
  printf("{\"glibc\":\"%s\",\"iters\":%ld,\"live\":%u,\"samples\":[", gnu_get_libc_version(), iters, slots);
  for (int r = 0; r < reps; r++) printf("%s%.4f", r ? "," : "", batch(iters) / (double)iters);
  printf("]}\n");

  for (uint32_t i = 0; i < slots; i++) free(live[i]);
  free(live);
  return 0;
}
