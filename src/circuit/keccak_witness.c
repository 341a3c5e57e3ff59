#include "circuit/keccak_witness.h"
#include "common/rng.h"
#include <inttypes.h>
#include <string.h>

/* Keccak-f[1600] round constants and rho offsets (FIPS 202). */
static const uint64_t gf_keccak_rc_[24] = {
    0x0000000000000001ull, 0x0000000000008082ull, 0x800000000000808aull, 0x8000000080008000ull,
    0x000000000000808bull, 0x0000000080000001ull, 0x8000000080008081ull, 0x8000000000008009ull,
    0x000000000000008aull, 0x0000000000000088ull, 0x0000000080008009ull, 0x000000008000000aull,
    0x000000008000808bull, 0x800000000000008bull, 0x8000000000008089ull, 0x8000000000008003ull,
    0x8000000000008002ull, 0x8000000000000080ull, 0x000000000000800aull, 0x800000008000000aull,
    0x8000000080008081ull, 0x8000000000008080ull, 0x0000000080000001ull, 0x8000000080008008ull,
};
static const unsigned gf_keccak_rho_[25] = {   /* index x + 5y */
    0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14,
};

static inline uint64_t gf_keccak_rol_(uint64_t v, unsigned n) { return n ? (v << n) | (v >> (64 - n)) : v; }

static void gf_keccak_f1600_(uint64_t a[25]) {
    for (int r = 0; r < 24; r++) {
        uint64_t c[5], b[25];
        for (int x = 0; x < 5; x++) c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
        for (int x = 0; x < 5; x++) {
            uint64_t d = c[(x + 4) % 5] ^ gf_keccak_rol_(c[(x + 1) % 5], 1);
            for (int y = 0; y < 5; y++) a[x + 5 * y] ^= d;
        }
        /* rho + pi: B[y][2x+3y] = rot(A[x][y]) */
        for (int x = 0; x < 5; x++)
            for (int y = 0; y < 5; y++)
                b[y + 5 * ((2 * x + 3 * y) % 5)] = gf_keccak_rol_(a[x + 5 * y], gf_keccak_rho_[x + 5 * y]);
        for (int x = 0; x < 5; x++)
            for (int y = 0; y < 5; y++)
                a[x + 5 * y] = b[x + 5 * y] ^ (~b[(x + 1) % 5 + 5 * y] & b[(x + 2) % 5 + 5 * y]);
        a[0] ^= gf_keccak_rc_[r];
    }
}

gf_status gf_keccak_extracted_check(const gf_circuit *c, gf_error *err) {
    if (!c) return gf_error_set(err, GF_ERR_INVALID, "keccak circuit is NULL");
    if (c->field != GF_FIELD_M31 || c->n_layers != GF_KECCAK_EXTRACTED_LAYERS ||
        gf_circuit_input_len(c) != (1u << 14) || gf_circuit_output_len(c) != (1u << 14))
        return gf_error_set(err, GF_ERR_INVALID, "not the Expander-cpp Keccak circuit: field %s, %" PRIu32 " layers, %" PRIu64
                            " inputs, %" PRIu64 " outputs (expected m31, %u, 16384, 16384)", gf_field_name(c->field),
                            c->n_layers, gf_circuit_input_len(c), gf_circuit_output_len(c), GF_KECCAK_EXTRACTED_LAYERS);
    return GF_OK;
}

gf_status gf_keccak_extracted_set_state(gf_witness *w, uint64_t instance, unsigned perm,
                                        const uint64_t lanes[25], gf_error *err) {
    if (!w || w->field != GF_FIELD_M31 || !w->m31 || instance >= w->n_instances || perm >= GF_KECCAK_EXTRACTED_PERMS ||
        w->n_inputs < GF_KECCAK_EXTRACTED_PERMS * GF_KECCAK_EXTRACTED_STRIDE)
        return gf_error_set(err, GF_ERR_INVALID, "keccak set_state: bad witness, instance %" PRIu64 " or permutation %u", instance, perm);
    gf_m31 *v = w->m31 + instance * w->n_inputs + (uint64_t)perm * GF_KECCAK_EXTRACTED_STRIDE;
    v[0] = 1;
    for (unsigned i = 0; i < 1600; i++) v[1 + i] = (gf_m31)((lanes[i / 64] >> (i % 64)) & 1);
    return GF_OK;
}

gf_status gf_keccak_extracted_witness(const gf_circuit *c, uint64_t n_instances, uint64_t seed,
                                      gf_witness **out, gf_error *err) {
    *out = NULL;
    gf_status st = gf_keccak_extracted_check(c, err);
    if (st) return st;
    gf_witness *w = NULL;
    if ((st = gf_witness_new(&w, GF_FIELD_M31, n_instances, gf_circuit_input_len(c), err))) return st;
    gf_rng rng;
    gf_rng_seed(&rng, seed);
    for (uint64_t k = 0; k < n_instances; k++)
        for (unsigned p = 0; p < GF_KECCAK_EXTRACTED_PERMS; p++) {
            uint64_t lanes[25];
            for (int i = 0; i < 25; i++) lanes[i] = gf_rng_u64(&rng);
            gf_keccak_extracted_set_state(w, k, p, lanes, NULL);
        }
    *out = w;
    return GF_OK;
}

gf_status gf_keccak_extracted_output(const gf_witness *w, uint64_t instance, gf_m31 *out, uint64_t out_len,
                                     gf_error *err) {
    const uint64_t need = (uint64_t)GF_KECCAK_EXTRACTED_PERMS * GF_KECCAK_EXTRACTED_STRIDE;
    if (!w || w->field != GF_FIELD_M31 || !w->m31 || instance >= w->n_instances || w->n_inputs < need || out_len < need)
        return gf_error_set(err, GF_ERR_INVALID, "keccak output: bad witness, instance %" PRIu64 " or output length %" PRIu64
                            " (need >= %" PRIu64 ")", instance, out_len, need);
    memset(out, 0, out_len * sizeof *out);
    const gf_m31 *in = w->m31 + instance * w->n_inputs;
    for (unsigned p = 0; p < GF_KECCAK_EXTRACTED_PERMS; p++) {
        const gf_m31 *v = in + (uint64_t)p * GF_KECCAK_EXTRACTED_STRIDE;
        if (v[0] != 1)
            return gf_error_set(err, GF_ERR_WITNESS, "keccak output: instance %" PRIu64 " permutation %u: constant wire %u is %" PRIu32 ", not 1",
                                instance, p, p * GF_KECCAK_EXTRACTED_STRIDE, v[0]);
        uint64_t a[25] = { 0 };
        for (unsigned i = 0; i < 1600; i++) {
            if (v[1 + i] > 1)
                return gf_error_set(err, GF_ERR_WITNESS, "keccak output: instance %" PRIu64 " input %u: value %" PRIu32 " is not a bit",
                                    instance, p * GF_KECCAK_EXTRACTED_STRIDE + 1 + i, v[1 + i]);
            a[i / 64] |= (uint64_t)v[1 + i] << (i % 64);
        }
        gf_keccak_f1600_(a);
        gf_m31 *o = out + (uint64_t)p * GF_KECCAK_EXTRACTED_STRIDE;
        o[0] = 1;
        for (unsigned x = 0; x < 5; x++)
            for (unsigned y = 0; y < 5; y++)
                for (unsigned z = 0; z < 64; z++)
                    o[1 + 64 * (5 * x + y) + z] = (gf_m31)((a[x + 5 * y] >> z) & 1);
    }
    return GF_OK;
}
