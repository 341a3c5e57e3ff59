/* The Expander-cpp Keccak benchmark circuit: import from the shared .xz files, check the
 * layer structure derived in docs/formats.md, and check that the circuit computes
 * Keccak-f[1600] on 8 states per instance with the documented wire layout, against a
 * bit-level Keccak-f written here from FIPS 202 (round constants from the LFSR, rho offsets
 * from the (x,y) walk), independent of the library's lane-based one. */
#define _GNU_SOURCE
#include "testutil.h"
#include "circuit/circuit.h"
#include "circuit/keccak_witness.h"
#include "circuit/witness.h"
#include "common/util.h"
#include <unistd.h>

#define P 0x7fffffffu
#define NPERM 8
#define STRIDE 1601

/* ---- reference Keccak-f[1600], one bit per byte, s[x][y][z] ---- */
typedef uint8_t kstate[5][5][64];

static int rc_bit(int t) {   /* FIPS 202 Algorithm 5 */
    if (t % 255 == 0) return 1;
    uint8_t r[9] = { 1, 0, 0, 0, 0, 0, 0, 0, 0 };   /* r[0..7], R = 10000000 */
    for (int i = 1; i <= t % 255; i++) {
        for (int k = 8; k > 0; k--) r[k] = r[k - 1];
        r[0] = 0;
        r[0] ^= r[8]; r[4] ^= r[8]; r[5] ^= r[8]; r[6] ^= r[8];
    }
    return r[0];
}

static uint64_t round_constant(int ir) {
    uint64_t rc = 0;
    for (int j = 0; j <= 6; j++)
        if (rc_bit(j + 7 * ir)) rc |= 1ull << ((1u << j) - 1);
    return rc;
}

static void ref_round(kstate a, int ir, const int rho[5][5]) {
    kstate b;
    uint8_t c[5][64], d[5][64];
    for (int x = 0; x < 5; x++)
        for (int z = 0; z < 64; z++) c[x][z] = a[x][0][z] ^ a[x][1][z] ^ a[x][2][z] ^ a[x][3][z] ^ a[x][4][z];
    for (int x = 0; x < 5; x++)
        for (int z = 0; z < 64; z++) d[x][z] = c[(x + 4) % 5][z] ^ c[(x + 1) % 5][(z + 63) % 64];
    for (int x = 0; x < 5; x++)
        for (int y = 0; y < 5; y++)
            for (int z = 0; z < 64; z++) a[x][y][z] ^= d[x][z];
    /* rho then pi: A'[y][2x+3y][z] = A[x][y][z - rho] */
    for (int x = 0; x < 5; x++)
        for (int y = 0; y < 5; y++)
            for (int z = 0; z < 64; z++) b[y][(2 * x + 3 * y) % 5][z] = a[x][y][(z - rho[x][y] + 64 * 64) % 64];
    for (int x = 0; x < 5; x++)
        for (int y = 0; y < 5; y++)
            for (int z = 0; z < 64; z++) a[x][y][z] = b[x][y][z] ^ ((b[(x + 1) % 5][y][z] ^ 1) & b[(x + 2) % 5][y][z]);
    uint64_t rc = round_constant(ir);
    for (int z = 0; z < 64; z++) a[0][0][z] ^= (uint8_t)((rc >> z) & 1);
}

static void rho_offsets(int rho[5][5]) {
    memset(rho, 0, 25 * sizeof(int));
    int x = 1, y = 0;
    for (int t = 0; t < 24; t++) {
        rho[x][y] = ((t + 1) * (t + 2) / 2) % 64;
        int nx = y, ny = (2 * x + 3 * y) % 5;
        x = nx; y = ny;
    }
}

static gf_circuit *circ;       /* imported once, shared by the tests below */
static gf_witness *wit;

static int file_exists(const char *p) { return access(p, R_OK) == 0; }

static void test_import(gf_rng *r) {
    (void)r;
    const char *shared = getenv("GKRFLOW_SHARED");
    if (!shared) SKIP("GKRFLOW_SHARED not set (run through ctest to find the Keccak workload)");
    char mp[1024], ap[1024];
    snprintf(mp, sizeof mp, "%s/workloads/expander-cpp-keccak/ExtractedCircuitMul.txt.xz", shared);
    snprintf(ap, sizeof ap, "%s/workloads/expander-cpp-keccak/ExtractedCircuitAdd.txt.xz", shared);
    if (!file_exists(mp) || !file_exists(ap)) SKIP("Keccak workload not found under %s", shared);
    gf_error err;
    double t0 = gf_now_seconds();
    gf_status st = gf_circuit_import_extracted(&circ, mp, ap, &err);
    CHECK_MSG(st == GF_OK, "%s", err.msg);
    if (st) return;
    fprintf(stderr, "imported in %.2f s: %" PRIu32 " layers, %" PRIu64 " gates, %" PRIu32 " coefficients\n",
            gf_now_seconds() - t0, circ->n_layers, gf_circuit_n_gates(circ), circ->n_coefs);
    CHECK(gf_keccak_extracted_check(circ, &err) == GF_OK);
}

static void test_structure(gf_rng *r) {
    (void)r;
    if (!circ) SKIP("circuit not imported");
    REQUIRE(circ->n_layers == 168);
    CHECK_EQ_U64(circ->layers[0].in_log, 14);
    static const uint32_t in_log[7] = { 14, 15, 14, 14, 14, 14, 15 }, out_log[7] = { 15, 14, 14, 14, 14, 15, 14 };
    static const uint64_t n_mul[7] = { 5120, 2560, 2560, 2560, 12800, 12800, 12800 };
    static const uint64_t n_add[7] = { 23049, 17929, 17929, 17929, 25609, 25609, 25609 };
    uint64_t tm = 0, ta = 0, tc = 0;
    int bad = 0;
    for (uint32_t i = 0; i < 168; i++) {
        const gf_layer *l = &circ->layers[i];
        int j = (int)(i % 7), rd = (int)(i / 7);
        int pc = __builtin_popcountll(round_constant(rd));
        uint64_t want_add = n_add[j] + (j == 6 ? 8u * (uint64_t)pc : 0);
        if (l->in_log != in_log[j] || l->out_log != out_log[j] || l->n_mul != n_mul[j] || l->n_add != want_add || l->n_const) {
            bad++;
            fprintf(stderr, "layer %u: in %u out %u mul %" PRIu64 " add %" PRIu64 " const %" PRIu64 "\n", i, l->in_log,
                    l->out_log, l->n_mul, l->n_add, l->n_const);
        }
        /* iota: the last layer of round rd has one coefficient-2 gate per set bit of RC[rd] per permutation */
        uint64_t two = 0;
        for (uint64_t g = 0; g < l->n_mul; g++) two += circ->coef_m31[l->mul[g].coef] == 2;
        if (two != (j == 6 ? 8u * (uint64_t)pc : 0)) { bad++; fprintf(stderr, "layer %u: %" PRIu64 " mul gates with coefficient 2\n", i, two); }
        tm += l->n_mul; ta += l->n_add; tc += l->n_const;
        if (i < 7)
            fprintf(stderr, "  layer %3u (round %d step %d): 2^%u -> 2^%u, %6" PRIu64 " mul, %6" PRIu64 " add\n", i, rd, j,
                    l->in_log, l->out_log, l->n_mul, l->n_add);
    }
    CHECK_EQ_U64(bad, 0);
    fprintf(stderr, "  totals: %" PRIu64 " mul, %" PRIu64 " add, %" PRIu64 " const gates\n", tm, ta, tc);
    CHECK_EQ_U64(tm, 24 * 51200);
    CHECK_EQ_U64(gf_circuit_n_random(circ), 0);
    /* coefficient values: xor uses -2, chi uses -1, iota 2 and -1, wiring 1, padding 0 */
    for (uint32_t k = 0; k < circ->n_coefs; k++) {
        gf_m31 v = circ->coef_m31[k];
        CHECK_MSG(v == 0 || v == 1 || v == 2 || v == P - 1 || v == P - 2, "unexpected coefficient %u", v);
    }
    CHECK_EQ_U64(circ->n_coefs, 5);
}

/* Output of one instance per the documented layout, from the reference permutation. */
static void expected_output(const gf_m31 *in, gf_m31 *out, int rounds, const int rho[5][5]) {
    memset(out, 0, (1u << 14) * sizeof *out);
    for (int p = 0; p < NPERM; p++) {
        kstate a;
        for (int x = 0; x < 5; x++)
            for (int y = 0; y < 5; y++)
                for (int z = 0; z < 64; z++) a[x][y][z] = (uint8_t)in[p * STRIDE + 1 + 64 * (x + 5 * y) + z];
        for (int ir = 0; ir < rounds; ir++) ref_round(a, ir, rho);
        out[p * STRIDE] = 1;
        for (int x = 0; x < 5; x++)
            for (int y = 0; y < 5; y++)
                for (int z = 0; z < 64; z++) out[p * STRIDE + 1 + 64 * (5 * x + y) + z] = a[x][y][z];
    }
}

/* Evaluates 16 instances; returns the number of instances whose output differs from the
 * reference (and the differing instance mask). */
static int eval_and_compare(const gf_witness *w, const int rho[5][5], uint32_t *bad_mask, int check_rounds) {
    gf_error err;
    gf_m31x16 *packed = gf_alloc_aligned(1u << 14, sizeof *packed);
    gf_m31x16 **vals = NULL;
    if (gf_witness_pack_m31x16(w, 0, 1, packed, &err) || gf_circuit_eval_m31x16(circ, circ->coef_m31, packed, 1, &vals, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        gf_free_aligned(packed);
        return -1;
    }
    gf_m31 *want = malloc((1u << 14) * sizeof *want), *lib = malloc((1u << 14) * sizeof *lib);
    *bad_mask = 0;
    int nbad = 0;
    for (int k = 0; k < 16; k++) {
        const gf_m31 *in = w->m31 + (uint64_t)k * w->n_inputs;
        expected_output(in, want, 24, rho);
        uint64_t nz = 0;
        for (uint32_t x = 0; x < (1u << 14); x++) nz += vals[168][x].v[k] != want[x];   /* residual out - expected */
        if (nz) { *bad_mask |= 1u << k; nbad++; }
        /* the library's native expected output agrees with the circuit whenever the input is well formed */
        if (gf_keccak_extracted_output(w, (uint64_t)k, lib, 1u << 14, NULL) == GF_OK) {
            uint64_t d = 0;
            for (uint32_t x = 0; x < (1u << 14); x++) d += vals[168][x].v[k] != lib[x];
            CHECK_MSG(d == 0, "instance %d: circuit and gf_keccak_extracted_output differ in %" PRIu64 " wires", k, d);
        }
    }
    if (check_rounds) {
        /* after layer 7r+6 the wires hold the state after r+1 rounds (transposed lanes) */
        int bad_rounds = 0;
        for (int rd = 1; rd <= 24; rd++) {
            expected_output(w->m31, want, rd, rho);
            for (uint32_t x = 0; x < NPERM * STRIDE; x++)
                if (vals[7 * rd][x].v[0] != want[x]) { bad_rounds++; break; }
        }
        CHECK_EQ_U64(bad_rounds, 0);
        /* the scalar reference evaluator agrees on instance 0 */
        CHECK(gf_circuit_eval_m31(circ, circ->coef_m31, w->m31, lib, &err) == GF_OK);
        uint64_t d = 0;
        for (uint32_t x = 0; x < (1u << 14); x++) d += lib[x] != vals[168][x].v[0];
        CHECK_EQ_U64(d, 0);
    }
    free(want); free(lib);
    gf_circuit_vals_free(circ, vals);
    gf_free_aligned(packed);
    return nbad;
}

static void test_witness_eval(gf_rng *r) {
    if (!circ) SKIP("circuit not imported");
    int rho[5][5];
    rho_offsets(rho);
    CHECK(rho[0][1] == 36 && rho[4][4] == 14 && round_constant(1) == 0x8082 && round_constant(23) == 0x8000000080008008ull);
    gf_error err;
    REQUIRE(gf_keccak_extracted_witness(circ, 16, gf_rng_u64(r), &wit, &err) == GF_OK);
    REQUIRE(gf_witness_check(wit, circ, &err) == GF_OK);
    /* well formed: constants 1, state bits 0/1, every other input 0 */
    uint64_t bad = 0, ones = 0;
    for (uint64_t k = 0; k < 16; k++)
        for (uint32_t x = 0; x < (1u << 14); x++) {
            gf_m31 v = wit->m31[k * (1u << 14) + x];
            if (x < NPERM * STRIDE && x % STRIDE == 0) bad += v != 1;
            else if (x < NPERM * STRIDE) { bad += v > 1; ones += v; }
            else bad += v != 0;
        }
    CHECK_EQ_U64(bad, 0);
    CHECK(ones > 16 * 12800 * 45 / 100 && ones < 16 * 12800 * 55 / 100);
    double t0 = gf_now_seconds();
    uint32_t mask;
    CHECK_EQ_U64(eval_and_compare(wit, rho, &mask, 1), 0);
    fprintf(stderr, "evaluate + compare 16 instances: %.2f s\n", gf_now_seconds() - t0);

    /* one flipped state bit: exactly that instance's output goes wrong */
    gf_witness *w2 = NULL;
    REQUIRE(gf_witness_new(&w2, GF_FIELD_M31, 16, wit->n_inputs, &err) == GF_OK);
    memcpy(w2->m31, wit->m31, 16 * wit->n_inputs * sizeof *w2->m31);
    uint64_t k = 3, x = 1 + gf_rng_below(r, 1600) + STRIDE * gf_rng_below(r, NPERM);
    w2->m31[k * w2->n_inputs + x] ^= 1;
    /* and a constant-one wire set to 0 in another instance */
    w2->m31[9 * w2->n_inputs + 5 * STRIDE] = 0;
    gf_m31 *tmp = malloc((1u << 14) * sizeof *tmp);
    CHECK(gf_keccak_extracted_output(w2, 9, tmp, 100, &err) == GF_ERR_INVALID);
    CHECK(gf_keccak_extracted_output(w2, 9, tmp, 1u << 14, &err) == GF_ERR_WITNESS && strstr(err.msg, "constant wire"));
    free(tmp);
    /* compare against the reference of the ORIGINAL inputs: the residual must show up */
    gf_witness *orig = wit;
    gf_m31 *save = w2->m31;
    gf_m31x16 *packed = gf_alloc_aligned(1u << 14, sizeof *packed);
    gf_m31x16 **vals = NULL;
    REQUIRE(gf_witness_pack_m31x16(w2, 0, 1, packed, &err) == GF_OK);
    REQUIRE(gf_circuit_eval_m31x16(circ, circ->coef_m31, packed, 1, &vals, &err) == GF_OK);
    gf_m31 *want = malloc((1u << 14) * sizeof *want);
    uint32_t diff_mask = 0;
    for (int i = 0; i < 16; i++) {
        expected_output(orig->m31 + (uint64_t)i * orig->n_inputs, want, 24, rho);
        for (uint32_t y = 0; y < (1u << 14); y++)
            if (vals[168][y].v[i] != want[y]) { diff_mask |= 1u << i; break; }
    }
    CHECK_MSG(diff_mask == ((1u << 3) | (1u << 9)), "instances with non-zero residual: mask 0x%x", diff_mask);
    /* the flipped instance still computes Keccak-f of its own (flipped) state */
    expected_output(save + 3 * w2->n_inputs, want, 24, rho);
    uint64_t d = 0;
    for (uint32_t y = 0; y < (1u << 14); y++) d += vals[168][y].v[3] != want[y];
    CHECK_EQ_U64(d, 0);
    free(want);
    gf_circuit_vals_free(circ, vals);
    gf_free_aligned(packed);
    gf_witness_free(w2);
}

static void test_roundtrip(gf_rng *r) {
    (void)r;
    if (!circ) SKIP("circuit not imported");
    char path[] = "/tmp/gkrflow_keccak_XXXXXX";
    int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    close(fd);
    gf_error err;
    REQUIRE(gf_circuit_save(circ, path, &err) == GF_OK);
    gf_circuit *d = NULL;
    CHECK_MSG(gf_circuit_load(&d, path, &err) == GF_OK, "%s", err.msg);
    uint8_t d1[32], d2[32];
    REQUIRE(d && gf_circuit_digest(circ, d1, &err) == GF_OK && gf_circuit_digest(d, d2, &err) == GF_OK);
    CHECK(memcmp(d1, d2, 32) == 0);
    fprintf(stderr, "circuit file %" PRIu64 " bytes, digest ", gf_circuit_encoded_size(circ));
    for (int i = 0; i < 32; i++) fprintf(stderr, "%02x", d1[i]);
    fputc('\n', stderr);
    /* witness file round trip */
    REQUIRE(wit);
    REQUIRE(gf_witness_save(wit, path, &err) == GF_OK);
    gf_witness *w = NULL;
    REQUIRE(gf_witness_load(&w, path, &err) == GF_OK);
    CHECK(w->n_instances == 16 && memcmp(w->m31, wit->m31, 16 * wit->n_inputs * 4) == 0);
    gf_witness_free(w);
    gf_circuit_free(d);
    remove(path);
}

int main(void) {
    TEST_BEGIN();
    RUN(test_import);
    RUN(test_structure);
    RUN(test_witness_eval);
    RUN(test_roundtrip);
    gf_witness_free(wit);
    gf_circuit_free(circ);
    return TEST_END();
}
