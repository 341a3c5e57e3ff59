#ifndef GF_FIELD_BN254FR_X86_H
#define GF_FIELD_BN254FR_X86_H
/* x86-64 inline asm for gf_bn254fr (included by bn254fr_impl.h on x86-64 only).
 * Same algorithms and bounds as the portable C in bn254fr_impl.h. Why asm:
 *  - mul: MULX with two independent carry chains (ADCX on CF, ADOX on OF), which C cannot
 *    express; about 2x the __int128 code. sqr: 10 MULX for the product instead of 16.
 *  - add/sub/neg and the final conditional subtraction: GCC 12 turns the select into a data-
 *    dependent branch (mispredicted half the time in add) and packs the four limb stores
 *    into a ymm store; both showed up as ~15% on mul-add chains.
 * Results are written by the asm itself ("=m" outputs) after every input has been read, so
 * out may alias a or b. Operands reached through one base register (not one "m" each) keep
 * the register demand low enough for -O0 builds. */
#include <stdint.h>

/* r0..r3, then -r^{-1} mod 2^64 (sub/imul have no 64-bit immediate forms) */
static const uint64_t gf_bn254fr_k_[5] = {
    GF_BN254FR_R0, GF_BN254FR_R1, GF_BN254FR_R2, GF_BN254FR_R3, GF_BN254FR_INV
};

#define GF_BN254FR_X86_OUT_(out) \
    [o0] "=m"((out)->l[0]), [o1] "=m"((out)->l[1]), [o2] "=m"((out)->l[2]), [o3] "=m"((out)->l[3])
#define GF_BN254FR_X86_K_ \
    [k0] "m"(gf_bn254fr_k_[0]), [k1] "m"(gf_bn254fr_k_[1]), [k2] "m"(gf_bn254fr_k_[2]), [k3] "m"(gf_bn254fr_k_[3])

/* out = t if t < r else t - r, for t < 2r. */
static inline void gf_bn254fr_csub_x86_(gf_bn254fr *out, uint64_t t0, uint64_t t1, uint64_t t2, uint64_t t3) {
    uint64_t d0 = t0, d1 = t1, d2 = t2, d3 = t3;
    __asm__("subq %[k0], %[d0]\n\t"
            "sbbq %[k1], %[d1]\n\t"
            "sbbq %[k2], %[d2]\n\t"
            "sbbq %[k3], %[d3]\n\t"
            /* borrow: t < r, keep t */
            "cmovcq %[t0], %[d0]\n\t"
            "cmovcq %[t1], %[d1]\n\t"
            "cmovcq %[t2], %[d2]\n\t"
            "cmovcq %[t3], %[d3]\n\t"
            "movq %[d0], %[o0]\n\t"
            "movq %[d1], %[o1]\n\t"
            "movq %[d2], %[o2]\n\t"
            "movq %[d3], %[o3]"
            : [d0] "+&r"(d0), [d1] "+&r"(d1), [d2] "+&r"(d2), [d3] "+&r"(d3), GF_BN254FR_X86_OUT_(out)
            : [t0] "r"(t0), [t1] "r"(t1), [t2] "r"(t2), [t3] "r"(t3), GF_BN254FR_X86_K_
            : "cc");
}

static inline void gf_bn254fr_add_x86(gf_bn254fr *out, const gf_bn254fr *a, const gf_bn254fr *b) {
    /* a + b < 2r < 2^255: no carry out of the top limb */
    uint64_t s0 = a->l[0], s1 = a->l[1], s2 = a->l[2], s3 = a->l[3];
    __asm__("addq 0(%[b]), %[s0]\n\t"
            "adcq 8(%[b]), %[s1]\n\t"
            "adcq 16(%[b]), %[s2]\n\t"
            "adcq 24(%[b]), %[s3]"
            : [s0] "+r"(s0), [s1] "+r"(s1), [s2] "+r"(s2), [s3] "+r"(s3)
            : [b] "r"(b->l), "m"(*(const uint64_t(*)[4])b->l)
            : "cc");
    gf_bn254fr_csub_x86_(out, s0, s1, s2, s3);
}

static inline void gf_bn254fr_sub_x86(gf_bn254fr *out, const gf_bn254fr *a, const gf_bn254fr *b) {
    uint64_t d0 = a->l[0], d1 = a->l[1], d2 = a->l[2], d3 = a->l[3], m, u0, u1, u2;
    __asm__("subq 0(%[b]), %[d0]\n\t"
            "sbbq 8(%[b]), %[d1]\n\t"
            "sbbq 16(%[b]), %[d2]\n\t"
            "sbbq 24(%[b]), %[d3]\n\t"
            /* m = all ones on borrow; then add r & m (its carry out cancels the borrow) */
            "sbbq %[m], %[m]\n\t"
            "movq %[k0], %[u0]\n\t"
            "andq %[m], %[u0]\n\t"
            "movq %[k1], %[u1]\n\t"
            "andq %[m], %[u1]\n\t"
            "movq %[k2], %[u2]\n\t"
            "andq %[m], %[u2]\n\t"
            "andq %[k3], %[m]\n\t"
            "addq %[u0], %[d0]\n\t"
            "adcq %[u1], %[d1]\n\t"
            "adcq %[u2], %[d2]\n\t"
            "adcq %[m], %[d3]\n\t"
            "movq %[d0], %[o0]\n\t"
            "movq %[d1], %[o1]\n\t"
            "movq %[d2], %[o2]\n\t"
            "movq %[d3], %[o3]"
            : [d0] "+&r"(d0), [d1] "+&r"(d1), [d2] "+&r"(d2), [d3] "+&r"(d3),
              [m] "=&r"(m), [u0] "=&r"(u0), [u1] "=&r"(u1), [u2] "=&r"(u2), GF_BN254FR_X86_OUT_(out)
            : [b] "r"(b->l), "m"(*(const uint64_t(*)[4])b->l), GF_BN254FR_X86_K_
            : "cc");
}

static inline void gf_bn254fr_neg_x86(gf_bn254fr *out, const gf_bn254fr *a) {
    uint64_t a0 = a->l[0], a1 = a->l[1], a2 = a->l[2], a3 = a->l[3], d0, d1, d2, d3, z, nz;
    __asm__("xorl %k[z], %k[z]\n\t"
            "movq %[k0], %[d0]\n\t"
            "subq %[a0], %[d0]\n\t"
            "movq %[k1], %[d1]\n\t"
            "sbbq %[a1], %[d1]\n\t"
            "movq %[k2], %[d2]\n\t"
            "sbbq %[a2], %[d2]\n\t"
            "movq %[k3], %[d3]\n\t"
            "sbbq %[a3], %[d3]\n\t"
            /* -0 = 0, not r */
            "movq %[a0], %[nz]\n\t"
            "orq %[a1], %[nz]\n\t"
            "orq %[a2], %[nz]\n\t"
            "orq %[a3], %[nz]\n\t"
            "cmovzq %[z], %[d0]\n\t"
            "cmovzq %[z], %[d1]\n\t"
            "cmovzq %[z], %[d2]\n\t"
            "cmovzq %[z], %[d3]\n\t"
            "movq %[d0], %[o0]\n\t"
            "movq %[d1], %[o1]\n\t"
            "movq %[d2], %[o2]\n\t"
            "movq %[d3], %[o3]"
            : [d0] "=&r"(d0), [d1] "=&r"(d1), [d2] "=&r"(d2), [d3] "=&r"(d3), [z] "=&r"(z), [nz] "=&r"(nz),
              GF_BN254FR_X86_OUT_(out)
            : [a0] "r"(a0), [a1] "r"(a1), [a2] "r"(a2), [a3] "r"(a3), GF_BN254FR_X86_K_
            : "cc");
}

#ifdef GF_BN254FR_HAVE_ADX
/* t += a * b[i] into (t0..t3, A): lo halves on the OF chain, hi halves on the CF chain. */
#define GF_BN254FR_ADX_MULADD_(i)                                 \
    "movq " #i "*8(%[b]), %%rdx\n\t"                              \
    "xorl %k[z], %k[z]\n\t"                                       \
    "mulxq 0(%[a]), %[lo], %[hi]\n\t"                             \
    "adoxq %[lo], %[t0]\n\t"                                      \
    "adcxq %[hi], %[t1]\n\t"                                      \
    "mulxq 8(%[a]), %[lo], %[hi]\n\t"                             \
    "adoxq %[lo], %[t1]\n\t"                                      \
    "adcxq %[hi], %[t2]\n\t"                                      \
    "mulxq 16(%[a]), %[lo], %[hi]\n\t"                            \
    "adoxq %[lo], %[t2]\n\t"                                      \
    "adcxq %[hi], %[t3]\n\t"                                      \
    "mulxq 24(%[a]), %[lo], %[A]\n\t"                             \
    "adoxq %[lo], %[t3]\n\t"                                      \
    "adcxq %[z], %[A]\n\t"                                        \
    "adoxq %[z], %[A]\n\t"

/* t = (t + m*r) / 2^64 + A*2^192 with m = t0 * INV (clears the low word). */
#define GF_BN254FR_ADX_REDUCE_                                    \
    "movq %[t0], %%rdx\n\t"                                       \
    "imulq %[inv], %%rdx\n\t"                                     \
    "xorl %k[z], %k[z]\n\t"                                       \
    "mulxq %[k0], %[lo], %[hi]\n\t"                               \
    "adcxq %[t0], %[lo]\n\t"                                      \
    "movq %[hi], %[t0]\n\t"                                       \
    "adcxq %[t1], %[t0]\n\t"                                      \
    "mulxq %[k1], %[lo], %[t1]\n\t"                               \
    "adoxq %[lo], %[t0]\n\t"                                      \
    "adcxq %[t2], %[t1]\n\t"                                      \
    "mulxq %[k2], %[lo], %[t2]\n\t"                               \
    "adoxq %[lo], %[t1]\n\t"                                      \
    "adcxq %[t3], %[t2]\n\t"                                      \
    "mulxq %[k3], %[lo], %[t3]\n\t"                               \
    "adoxq %[lo], %[t2]\n\t"                                      \
    "adcxq %[A], %[t3]\n\t"                                       \
    "adoxq %[z], %[t3]\n\t"

static inline void gf_bn254fr_mul_adx(gf_bn254fr *out, const gf_bn254fr *a, const gf_bn254fr *b) {
    uint64_t t0, t1, t2, t3, A, lo, hi, z;
    __asm__(
        /* round 0: t = a * b[0] directly */
        "movq 0(%[b]), %%rdx\n\t"
        "mulxq 0(%[a]), %[t0], %[t1]\n\t"
        "mulxq 8(%[a]), %[lo], %[t2]\n\t"
        "addq %[lo], %[t1]\n\t"
        "mulxq 16(%[a]), %[lo], %[t3]\n\t"
        "adcq %[lo], %[t2]\n\t"
        "mulxq 24(%[a]), %[lo], %[A]\n\t"
        "adcq %[lo], %[t3]\n\t"
        "adcq $0, %[A]\n\t"
        GF_BN254FR_ADX_REDUCE_
        GF_BN254FR_ADX_MULADD_(1)
        GF_BN254FR_ADX_REDUCE_
        GF_BN254FR_ADX_MULADD_(2)
        GF_BN254FR_ADX_REDUCE_
        GF_BN254FR_ADX_MULADD_(3)
        GF_BN254FR_ADX_REDUCE_
        : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3),
          [A] "=&r"(A), [lo] "=&r"(lo), [hi] "=&r"(hi), [z] "=&r"(z)
        : [a] "r"(a->l), [b] "r"(b->l), "m"(*(const uint64_t(*)[4])a->l), "m"(*(const uint64_t(*)[4])b->l),
          GF_BN254FR_X86_K_, [inv] "m"(gf_bn254fr_k_[4])
        : "rdx", "cc");
    (void)lo; (void)hi; (void)z; (void)A;
    gf_bn254fr_csub_x86_(out, t0, t1, t2, t3);
}

/* Reduction round i of an 8-limb p: p += m*r*2^(64i) with m = p_i * INV (p_i becomes 0).
 * Carries out of p_{i+4} (CF and OF, up to 2) are parked in the freed p_i as c_i and added
 * to p_{i+5} at the end of the next round; cprev is c_{i-1} (z in round 0). */
#define GF_BN254FR_SOS_ROUND_(pi, p1, p2, p3, p4, cprev, park)    \
    "movq %[" pi "], %%rdx\n\t"                                   \
    "imulq %[inv], %%rdx\n\t"                                     \
    "xorl %k[z], %k[z]\n\t"                                       \
    "mulxq %[k0], %[lo], %[hi]\n\t"                               \
    "adcxq %[lo], %[" pi "]\n\t"                                  \
    "adoxq %[hi], %[" p1 "]\n\t"                                  \
    "mulxq %[k1], %[lo], %[hi]\n\t"                               \
    "adcxq %[lo], %[" p1 "]\n\t"                                  \
    "adoxq %[hi], %[" p2 "]\n\t"                                  \
    "mulxq %[k2], %[lo], %[hi]\n\t"                               \
    "adcxq %[lo], %[" p2 "]\n\t"                                  \
    "adoxq %[hi], %[" p3 "]\n\t"                                  \
    "mulxq %[k3], %[lo], %[hi]\n\t"                               \
    "adcxq %[lo], %[" p3 "]\n\t"                                  \
    "adoxq %[hi], %[" p4 "]\n\t"                                  \
    "adcxq %[" cprev "], %[" p4 "]\n\t"                           \
    park

/* c_i = CF + OF into the (now zero) p_i */
#define GF_BN254FR_SOS_PARK_(pi) "adcxq %[" pi "], %[" pi "]\n\tadoxq %[z], %[" pi "]\n\t"

/* Squaring: the 4x4 product from 6 cross products (doubled) and 4 squares, 10 MULX instead
 * of 16, then a separate Montgomery reduction of the 8 limbs (SOS). Bounds: a^2 < r^2 and
 * m < 2^256, so (a^2 + m*r) / 2^256 < 2r, the same conditional subtraction as mul. */
static inline void gf_bn254fr_sqr_adx(gf_bn254fr *out, const gf_bn254fr *a) {
    uint64_t p0, p1, p2, p3, p4, p5, p6, p7, lo, hi;
    const uint64_t *ap = a->l;
    __asm__(
        /* cross products a_i a_j (i < j) into p1..p6 */
        "movq 0(%[z]), %%rdx\n\t"
        "mulxq 8(%[z]), %[p1], %[p2]\n\t"
        "mulxq 16(%[z]), %[lo], %[p3]\n\t"
        "addq %[lo], %[p2]\n\t"
        "mulxq 24(%[z]), %[lo], %[p4]\n\t"
        "adcq %[lo], %[p3]\n\t"
        "adcq $0, %[p4]\n\t"
        "movq 8(%[z]), %%rdx\n\t"
        "mulxq 16(%[z]), %[lo], %[hi]\n\t"
        "mulxq 24(%[z]), %[p6], %[p5]\n\t"
        "addq %[lo], %[p3]\n\t"
        "adcq %[hi], %[p4]\n\t"
        "adcq $0, %[p5]\n\t"
        "addq %[p6], %[p4]\n\t"
        "adcq $0, %[p5]\n\t"
        "movq 16(%[z]), %%rdx\n\t"
        "mulxq 24(%[z]), %[lo], %[p6]\n\t"
        "addq %[lo], %[p5]\n\t"
        "adcq $0, %[p6]\n\t"
        /* double them */
        "xorl %k[p7], %k[p7]\n\t"
        "addq %[p1], %[p1]\n\t"
        "adcq %[p2], %[p2]\n\t"
        "adcq %[p3], %[p3]\n\t"
        "adcq %[p4], %[p4]\n\t"
        "adcq %[p5], %[p5]\n\t"
        "adcq %[p6], %[p6]\n\t"
        "adcq %[p7], %[p7]\n\t"
        /* plus the squares a_i^2 at limb 2i (mov and mulx leave the flags alone) */
        "movq 0(%[z]), %%rdx\n\t"
        "mulxq %%rdx, %[p0], %[hi]\n\t"
        "addq %[hi], %[p1]\n\t"
        "movq 8(%[z]), %%rdx\n\t"
        "mulxq %%rdx, %[lo], %[hi]\n\t"
        "adcq %[lo], %[p2]\n\t"
        "adcq %[hi], %[p3]\n\t"
        "movq 16(%[z]), %%rdx\n\t"
        "mulxq %%rdx, %[lo], %[hi]\n\t"
        "adcq %[lo], %[p4]\n\t"
        "adcq %[hi], %[p5]\n\t"
        "movq 24(%[z]), %%rdx\n\t"
        "mulxq %%rdx, %[lo], %[hi]\n\t"
        "adcq %[lo], %[p6]\n\t"
        "adcq %[hi], %[p7]\n\t"
        /* the pointer register becomes the zero register z from here on */
        GF_BN254FR_SOS_ROUND_("p0", "p1", "p2", "p3", "p4", "z", GF_BN254FR_SOS_PARK_("p0"))
        GF_BN254FR_SOS_ROUND_("p1", "p2", "p3", "p4", "p5", "p0", GF_BN254FR_SOS_PARK_("p1"))
        GF_BN254FR_SOS_ROUND_("p2", "p3", "p4", "p5", "p6", "p1", GF_BN254FR_SOS_PARK_("p2"))
        /* last round: the result is < 2r < 2^256, so nothing carries out of p7 */
        GF_BN254FR_SOS_ROUND_("p3", "p4", "p5", "p6", "p7", "p2", "")
        : [p0] "=&r"(p0), [p1] "=&r"(p1), [p2] "=&r"(p2), [p3] "=&r"(p3), [p4] "=&r"(p4),
          [p5] "=&r"(p5), [p6] "=&r"(p6), [p7] "=&r"(p7), [lo] "=&r"(lo), [hi] "=&r"(hi), [z] "+&r"(ap)
        : "m"(*(const uint64_t(*)[4])a->l), GF_BN254FR_X86_K_, [inv] "m"(gf_bn254fr_k_[4])
        : "rdx", "cc");
    (void)p0; (void)p1; (void)p2; (void)p3; (void)lo; (void)hi; (void)ap;
    gf_bn254fr_csub_x86_(out, p4, p5, p6, p7);
}
#endif

#endif
