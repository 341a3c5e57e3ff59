#ifndef GF_TESTUTIL_H
#define GF_TESTUTIL_H
/* Minimal test harness. Each test program:
 *   static void test_foo(gf_rng *rng) { CHECK(x == y); CHECK_EQ_U64(a, b); }
 *   int main(void) { TEST_BEGIN(); RUN(test_foo); return TEST_END(); }
 * A failed CHECK prints file:line and the expression and the test continues; the program
 * prints "N passed, M failed" and exits non-zero if anything failed. The random seed comes
 * from GKRFLOW_TEST_SEED when set (printed either way, so a failure can be replayed). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/rng.h"

static int gf_t_checks_failed = 0, gf_t_cur_failed = 0, gf_t_passed = 0, gf_t_failed = 0;
static uint64_t gf_t_seed = 0;

#define CHECK(cond) do { if (!(cond)) { gf_t_checks_failed++; gf_t_cur_failed++; \
    fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } } while (0)
#define CHECK_MSG(cond, ...) do { if (!(cond)) { gf_t_checks_failed++; gf_t_cur_failed++; \
    fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond); \
    fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)
#define CHECK_EQ_U64(a, b) do { uint64_t _a = (uint64_t)(a), _b = (uint64_t)(b); if (_a != _b) { \
    gf_t_checks_failed++; gf_t_cur_failed++; fprintf(stderr, "%s:%d: CHECK failed: %s == %s (%" PRIu64 " != %" PRIu64 ")\n", \
    __FILE__, __LINE__, #a, #b, _a, _b); } } while (0)
/* Stop the current test function on failure (use when later steps would crash). */
#define REQUIRE(cond) do { if (!(cond)) { gf_t_checks_failed++; gf_t_cur_failed++; \
    fprintf(stderr, "%s:%d: REQUIRE failed: %s\n", __FILE__, __LINE__, #cond); return; } } while (0)

#define TEST_BEGIN() do { const char *_s = getenv("GKRFLOW_TEST_SEED"); \
    gf_t_seed = _s ? strtoull(_s, NULL, 0) : 0x6b72666c6f77ull; \
    fprintf(stderr, "seed %" PRIu64 " (set GKRFLOW_TEST_SEED to replay)\n", gf_t_seed); } while (0)
#define RUN(fn) do { gf_rng _r; gf_rng_seed(&_r, gf_t_seed ^ (uint64_t)__LINE__); gf_t_cur_failed = 0; \
    fn(&_r); if (gf_t_cur_failed) { gf_t_failed++; fprintf(stderr, "FAIL %s\n", #fn); } \
    else { gf_t_passed++; fprintf(stderr, "ok   %s\n", #fn); } } while (0)
#define TEST_END() (printf("%d passed, %d failed\n", gf_t_passed, gf_t_failed), gf_t_failed ? 1 : 0)
/* Skip: counts as passed, with a visible reason (e.g. CPU lacks AVX-512, data file absent). */
#define SKIP(...) do { fprintf(stderr, "skip: "); fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); return; } while (0)

#endif
