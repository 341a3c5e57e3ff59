/* Mutation fuzzing of every reader and verifier: valid files (circuit, circuit witness,
 * graph, graph witness, circuit proof, graph proof) are mutated (bit flips, byte overwrites
 * with boundary values, truncations, insertions, swapped chunks) a bounded number of times
 * and fed back. Each call must return (GF_OK or an error with a message), never crash, hang
 * or leak — the suite also runs under ASan+UBSan. A mutated proof that still verifies would
 * be a soundness bug unless the mutation left the bytes equal. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include "circuit/circuit.h"
#include "circuit/witness.h"
#include "graph/context.h"
#include "kernels.h"
#include "prover/circuit_proof.h"
#include "prover/graph_proof.h"
#include "testutil.h"

typedef struct { uint8_t *p; size_t n; } blob;

static blob to_blob_circuit(const gf_circuit *c) { blob b = {0}; FILE *f = open_memstream((char **)&b.p, &b.n); gf_circuit_write(c, f, NULL); fclose(f); return b; }
static blob to_blob_witness(const gf_witness *w) { blob b = {0}; FILE *f = open_memstream((char **)&b.p, &b.n); gf_witness_write(w, f, NULL); fclose(f); return b; }
static blob to_blob_graph(const gf_graph *g) { blob b = {0}; FILE *f = open_memstream((char **)&b.p, &b.n); gf_graph_write(g, f, NULL); fclose(f); return b; }
static blob to_blob_gwit(const gf_graph_witness *w) { blob b = {0}; FILE *f = open_memstream((char **)&b.p, &b.n); gf_graph_witness_write(w, f, NULL); fclose(f); return b; }

/* One random mutation of src into a fresh buffer. */
static blob mutate(gf_rng *rng, const blob *src) {
    blob m;
    m.n = src->n + 16;
    m.p = malloc(m.n);
    memcpy(m.p, src->p, src->n);
    m.n = src->n;
    size_t at = src->n ? (size_t)gf_rng_below(rng, src->n) : 0;
    static const uint8_t special[] = {0x00, 0xff, 0x7f, 0x80, 0x01, 0xfe};
    switch (gf_rng_below(rng, 6)) {
    case 0: if (m.n) m.p[at] ^= (uint8_t)(1u << gf_rng_below(rng, 8)); break;
    case 1: if (m.n) m.p[at] = special[gf_rng_below(rng, sizeof special)]; break;
    case 2: m.n = at; break;                                              /* truncate */
    case 3: memmove(m.p + at + 4, m.p + at, m.n - at); memset(m.p + at, 0xff, 4); m.n += 4; break;   /* insert */
    case 4: for (int k = 0; k < 8 && at + k < m.n; k++) m.p[at + k] = 0xff; break;   /* a huge count */
    default:
        if (m.n >= 16) { size_t b = (size_t)gf_rng_below(rng, m.n - 8); uint8_t t[8]; memcpy(t, m.p + at - (at > m.n - 8 ? 8 : 0), 8); memcpy(m.p + b, t, 8); }
    }
    return m;
}

#define ROUNDS 300

static void test_circuit_and_witness_readers(gf_rng *rng) {
    gf_error err;
    gf_kernel *k = NULL;
    REQUIRE(gf_example_kernel_mul_line(8, 8, &k, &err) == GF_OK);
    blob bc = to_blob_circuit(k->circuit);
    gf_witness *w = NULL;
    REQUIRE(gf_witness_new(&w, GF_FIELD_M31, 3, gf_circuit_input_len(k->circuit), &err) == GF_OK);
    blob bw = to_blob_witness(w);
    for (int i = 0; i < ROUNDS; i++) {
        blob m = mutate(rng, i & 1 ? &bw : &bc);
        FILE *f = fmemopen(m.p, m.n ? m.n : 1, "rb");
        if (m.n == 0) { fclose(f); f = fopen("/dev/null", "rb"); }
        if (i & 1) {
            gf_witness *x = NULL;
            gf_status st = gf_witness_read(&x, f, "fuzz.wit", &err);
            CHECK(st == GF_OK || err.msg[0]);
            gf_witness_free(x);
        } else {
            gf_circuit *x = NULL;
            gf_status st = gf_circuit_read(&x, f, "fuzz.circ", &err);
            CHECK(st == GF_OK || err.msg[0]);
            gf_circuit_free(x);
        }
        fclose(f);
        free(m.p);
    }
    free(bc.p); free(bw.p);
    gf_witness_free(w);
    gf_kernel_free(k);
}

static void test_graph_files_and_proofs(gf_rng *rng) {
    gf_error err;
    gf_kernel *k2 = NULL, *k16 = NULL;
    gf_context *ctx = NULL;
    gf_graph *g = NULL;
    gf_graph_witness *w = NULL;
    gf_m31 in[32], sum;
    for (int i = 0; i < 32; i++) in[i] = (gf_m31)i + 1;
    REQUIRE(gf_example_kernel_add_2(&k2, &err) == GF_OK && gf_example_kernel_add_16(&k16, &err) == GF_OK &&
            gf_context_new(&ctx, NULL, &err) == GF_OK && gf_example_run_add(ctx, k2, k16, in, &sum, &err) == GF_OK &&
            gf_context_compile_graph(ctx, &g, &err) == GF_OK && gf_context_solve_witness(ctx, &err) == GF_OK &&
            gf_context_export_witness(ctx, g, &w, &err) == GF_OK);
    blob bg = to_blob_graph(g), bw = to_blob_gwit(w);
    gf_buf proof;
    gf_buf_init(&proof);
    REQUIRE(gf_graph_prove(g, w, NULL, &proof, NULL, &err) == GF_OK);
    blob bp = {proof.data, proof.len};
    size_t accepted = 0;
    for (int i = 0; i < ROUNDS; i++) {
        int which = i % 3;
        blob m = mutate(rng, which == 0 ? &bg : which == 1 ? &bw : &bp);
        if (which == 2) {
            int same = m.n == bp.n && !memcmp(m.p, bp.p, m.n);
            gf_status st = gf_graph_verify(g, m.p, m.n, &err);
            if (st == GF_OK && !same) accepted++;
            CHECK(st == GF_OK || err.msg[0]);
        } else {
            FILE *f = fmemopen(m.p, m.n ? m.n : 1, "rb");
            if (m.n == 0) { fclose(f); f = fopen("/dev/null", "rb"); }
            if (which == 0) {
                gf_graph *x = NULL;
                gf_status st = gf_graph_read(&x, f, "fuzz.graph", &err);
                CHECK(st == GF_OK || err.msg[0]);
                gf_graph_free(x);
            } else {
                gf_graph_witness *x = NULL;
                gf_status st = gf_graph_witness_read(&x, f, "fuzz.gwit", &err);
                CHECK(st == GF_OK || err.msg[0]);
                gf_graph_witness_free(x);
            }
            fclose(f);
        }
        free(m.p);
    }
    CHECK_EQ_U64(accepted, 0);
    gf_buf_free(&proof);
    free(bg.p); free(bw.p);
    gf_graph_witness_free(w);
    gf_graph_free(g);
    gf_context_free(ctx);
    gf_kernel_free(k2);
    gf_kernel_free(k16);
}

static void test_circuit_proofs(gf_rng *rng) {
    gf_error err;
    gf_kernel *k = NULL;
    REQUIRE(gf_example_kernel_mul_line(4, 4, &k, &err) == GF_OK);
    const gf_circuit *c = k->circuit;
    uint64_t n = 5, m = gf_circuit_input_len(c);
    gf_m31 *inp = calloc(n * m, sizeof *inp);
    for (uint64_t i = 0; i < n * m; i++) inp[i] = gf_m31_random(rng);
    gf_buf proof;
    gf_buf_init(&proof);
    REQUIRE(gf_circuit_prove_m31(c, inp, n, 1, NULL, &proof, NULL, &err) == GF_OK);
    blob bp = {proof.data, proof.len};
    size_t accepted = 0;
    for (int i = 0; i < ROUNDS; i++) {
        blob mm = mutate(rng, &bp);
        int same = mm.n == bp.n && !memcmp(mm.p, bp.p, mm.n);
        gf_status st = gf_circuit_verify_m31(c, mm.p, mm.n, NULL, NULL, &err);
        if (st == GF_OK && !same) accepted++;
        CHECK(st == GF_OK || err.msg[0]);
        free(mm.p);
    }
    CHECK_EQ_U64(accepted, 0);
    gf_buf_free(&proof);
    free(inp);
    gf_kernel_free(k);
}

int main(void) {
    TEST_BEGIN();
    RUN(test_circuit_and_witness_readers);
    RUN(test_graph_files_and_proofs);
    RUN(test_circuit_proofs);
    return TEST_END();
}
