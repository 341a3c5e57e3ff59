#ifndef GF_TEST_M31_BACKEND_H
#define GF_TEST_M31_BACKEND_H
/* Shared by test_m31.c and its ISA-specific parts (test_m31_avx512.c, test_m31_avx2.c): each
 * part wraps one M31x16 backend (the suffixed functions) and, for M31Ext3x16, the default
 * backend of its own translation unit, behind one array-in/array-out entry point, so that
 * test_m31.c can compare every backend with the scalar reference using one set of checks. */
#include <stdint.h>

enum {
    /* M31x16: r[16] from in[0..] (16 lanes each); lanes must be canonical except LOAD_REDUCE */
    T16_ADD, T16_SUB, T16_NEG, T16_DBL, T16_MUL5, T16_MUL, T16_SQR, T16_MUL_SCALAR /* in[1][0] */,
    T16_BROADCAST /* in[0][0] */, T16_ZERO, T16_LOAD_REDUCE, T16_MUL_ADD, T16_DOT3 /* in[0..5] */,
    T16_HSUM /* r[0] */, T16_EQ /* r[0] */, T16_CHAIN /* a long mixed sequence, stays in registers */,
    T16_DOT16 /* sum_s x[s % 6] * in[(s + 3) % 6][16 + s] */,
    T16_WIDE /* sum over k < 10 of x_k x_k+1 + x_k+2 x_k+3 + x_k+4 x_k+5 + x_k x_k+3 (indices mod 6), wide */,
    /* M31Ext3x16: limb-major r[48] from in[k][48]; a scalar ext3 operand is in[1][0], [16], [32] */
    TX_ADD, TX_SUB, TX_NEG, TX_MUL, TX_SQR, TX_MUL_ADD, TX_SCALE, TX_MUL_BASE /* in[1][0..15] */,
    TX_EXT_TIMES_BASE /* scalar in[0][0,16,32] x packed in[1][0..15] */, TX_ADD_BASE /* in[1][0..15] */,
    TX_BROADCAST /* in[0][0,16,32] */, TX_FROM_BASE, TX_HSUM /* r[0..2] */, TX_EQ /* r[0] */,
    T_NOPS
};
typedef void (*gf_test_m31_apply_fn)(int op, uint32_t *r, const uint32_t *const *in);

/* Defined in the ISA parts; call only after __builtin_cpu_supports says the ISA is there.
 * *_backend() is the M31x16 backend the part's M31Ext3x16 ran on. */
void gf_test_m31_apply_avx512(int op, uint32_t *r, const uint32_t *const *in);
const char *gf_test_m31_backend_avx512(void);
void gf_test_m31_apply_avx2(int op, uint32_t *r, const uint32_t *const *in);
const char *gf_test_m31_backend_avx2(void);

/* Body of an apply function for the M31x16 backend with suffix SFX (_avx512, _avx2, _generic). */
#define GF_TEST_M31_APPLY_BODY(SFX)                                                                     \
    gf_m31x16 x[6];                                                                                     \
    if (op < TX_ADD && op != T16_LOAD_REDUCE)                                                           \
        for (int i = 0; i < 6; i++) x[i] = gf_m31x16_load##SFX(in[i]);                                  \
    gf_m31x16 o = gf_m31x16_broadcast##SFX(0);                                                          \
    switch (op) {                                                                                       \
    case T16_ADD: o = gf_m31x16_add##SFX(x[0], x[1]); break;                                           \
    case T16_SUB: o = gf_m31x16_sub##SFX(x[0], x[1]); break;                                           \
    case T16_NEG: o = gf_m31x16_neg##SFX(x[0]); break;                                                 \
    case T16_DBL: o = gf_m31x16_add##SFX(x[0], x[0]); break;                                           \
    case T16_MUL5: o = gf_m31x16_mul5##SFX(x[0]); break;                                               \
    case T16_MUL: o = gf_m31x16_mul##SFX(x[0], x[1]); break;                                           \
    case T16_SQR: o = gf_m31x16_mul##SFX(x[0], x[0]); break;                                           \
    case T16_MUL_SCALAR: o = gf_m31x16_mul_scalar##SFX(x[0], in[1][0]); break;                        \
    case T16_BROADCAST: o = gf_m31x16_broadcast##SFX(in[0][0]); break;                                \
    case T16_ZERO: o = gf_m31x16_broadcast##SFX(0); break;                                             \
    case T16_LOAD_REDUCE: o = gf_m31x16_load_reduce##SFX(in[0]); break;                               \
    case T16_MUL_ADD: o = gf_m31x16_mul_add##SFX(x[0], x[1], x[2]); break;                            \
    case T16_DOT3: o = gf_m31x16_dot3##SFX(x[0], x[1], x[2], x[3], x[4], x[5]); break;                \
    case T16_HSUM: o.v[0] = gf_m31x16_hsum##SFX(x[0]); break;                                         \
    case T16_WIDE: {                                                                                    \
        gf_m31x16w w = gf_m31x16w_zero##SFX();                                                          \
        for (int k = 0; k < 10; k++) {                                                                  \
            gf_m31x16w_add_dot3##SFX(&w, x[k % 6], x[(k + 1) % 6], x[(k + 2) % 6], x[(k + 3) % 6],        \
                                     x[(k + 4) % 6], x[(k + 5) % 6]);                                   \
            gf_m31x16w_add_mul##SFX(&w, x[k % 6], x[(k + 3) % 6]);                                      \
        }                                                                                               \
        o = gf_m31x16w_reduce##SFX(w);                                                                  \
    } break;                                                                                            \
    case T16_DOT16: {                                                                                   \
        gf_m31x16 t16[16];                                                                              \
        uint32_t w16[16];                                                                               \
        for (int s = 0; s < 16; s++) { t16[s] = x[s % 6]; w16[s] = in[(s + 3) % 6][16 + s]; }          \
        o = gf_m31x16_dot16_scalar##SFX(t16, w16);                                                      \
    } break;                                                                                            \
    case T16_EQ: o.v[0] = (uint32_t)gf_m31x16_eq##SFX(x[0], x[1]); break;                             \
    case T16_CHAIN: {                                                                                   \
        gf_m31x16 acc = x[0];                                                                           \
        for (int k = 0; k < 64; k++) {                                                                  \
            acc = gf_m31x16_mul_add##SFX(acc, x[1], x[2]);                                              \
            acc = gf_m31x16_sub##SFX(gf_m31x16_mul##SFX(acc, acc), gf_m31x16_neg##SFX(x[3]));           \
            acc = gf_m31x16_dot3##SFX(acc, x[4], gf_m31x16_mul5##SFX(acc), x[5], x[1], acc);            \
        }                                                                                               \
        o = acc;                                                                                        \
    } break;                                                                                            \
    default: {                                                                                          \
        gf_m31ext3x16 e[2], oe = gf_m31ext3x16_zero();                                                  \
        for (int i = 0; i < 2; i++)                                                                     \
            for (int k = 0; k < 3; k++) e[i].c[k] = gf_m31x16_load(in[i] + 16 * k);                     \
        gf_m31ext3 s0 = {{in[0][0], in[0][16], in[0][32]}}, s1 = {{in[1][0], in[1][16], in[1][32]}};  \
        switch (op) {                                                                                   \
        case TX_ADD: oe = gf_m31ext3x16_add(e[0], e[1]); break;                                        \
        case TX_SUB: oe = gf_m31ext3x16_sub(e[0], e[1]); break;                                        \
        case TX_NEG: oe = gf_m31ext3x16_neg(e[0]); break;                                              \
        case TX_MUL: oe = gf_m31ext3x16_mul(e[0], e[1]); break;                                        \
        case TX_SQR: oe = gf_m31ext3x16_sqr(e[0]); break;                                              \
        case TX_MUL_ADD: oe = gf_m31ext3x16_mul_add(e[0], e[1], e[0]); break;                          \
        case TX_SCALE: oe = gf_m31ext3x16_scale(e[0], s1); break;                                      \
        case TX_MUL_BASE: oe = gf_m31ext3x16_mul_base(e[0], e[1].c[0]); break;                         \
        case TX_EXT_TIMES_BASE: oe = gf_m31ext3x16_ext_times_base(s0, e[1].c[0]); break;              \
        case TX_ADD_BASE: oe = gf_m31ext3x16_add_base(e[0], e[1].c[0]); break;                         \
        case TX_BROADCAST: oe = gf_m31ext3x16_broadcast(s0); break;                                    \
        case TX_FROM_BASE: oe = gf_m31ext3x16_from_base(e[0].c[0]); break;                             \
        case TX_HSUM: {                                                                                 \
            gf_m31ext3 h = gf_m31ext3x16_hsum(e[0]);                                                    \
            for (int k = 0; k < 3; k++) oe.c[0].v[k] = h.c[k];                                          \
        } break;                                                                                        \
        case TX_EQ: oe.c[0].v[0] = (uint32_t)gf_m31ext3x16_eq(e[0], e[1]); break;                      \
        default: break;                                                                                 \
        }                                                                                               \
        for (int k = 0; k < 3; k++) gf_m31x16_store(r + 16 * k, oe.c[k]);                               \
        return;                                                                                         \
    }                                                                                                   \
    }                                                                                                   \
    gf_m31x16_store##SFX(r, o);

#endif
