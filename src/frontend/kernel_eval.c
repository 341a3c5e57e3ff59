/* Call-time evaluation, circuit-input assembly, layout and shape helpers, statistics. */
#include "frontend/kernel_internal.h"
#include "common/util.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

size_t gf_kernel_scratch_len(const gf_kernel *k) {
    return k && k->prog ? (size_t)(k->prog->n_slots + k->prog->max_in + k->prog->max_out) : 0;
}

static gf_status eval_run(const gf_kernel *k, const gf_m31 *inputs, gf_m31 *s, gf_error *err) {
    const struct gf_kernel_prog *p = k->prog;
    gf_m31 *hin = s + p->n_slots, *hout = hin + p->max_in;
    for (uint64_t i = 0; i < p->n_ins; i++) {
        const kprog_ins *in = &p->ins[i];
        switch (in->op) {
        case EV_CONST: s[in->dst] = in->c; break;
        case EV_INPUT:
            if (inputs[in->a] >= GF_M31_P)
                return gf_error_set(err, GF_ERR_INVALID, "kernel input value %" PRIu32 " at flat index %" PRIu32
                                    " is not a canonical m31 element", inputs[in->a], in->a);
            s[in->dst] = inputs[in->a];
            break;
        case EV_ADD: s[in->dst] = gf_m31_add(s[in->a], s[in->b]); break;
        case EV_SUB: s[in->dst] = gf_m31_sub(s[in->a], s[in->b]); break;
        case EV_NEG: s[in->dst] = gf_m31_neg(s[in->a]); break;
        case EV_MULC: s[in->dst] = gf_m31_mul(s[in->a], in->c); break;
        case EV_ADDC: s[in->dst] = gf_m31_add(s[in->a], in->c); break;
        case EV_MUL: s[in->dst] = gf_m31_mul(s[in->a], s[in->b]); break;
        case EV_DIV:
            if (s[in->b] == 0)
                return gf_error_set(err, GF_ERR_WITNESS, "kernel evaluation: division by zero (quotient variable %"
                                    PRIu32 ", hint value #%" PRIu32 ")", in->dst, in->c);
            s[in->dst] = gf_m31_mul(s[in->a], gf_m31_inv(s[in->b]));
            break;
        case EV_HINT: {
            const kprog_hint *h = &p->calls[in->a];
            for (uint32_t j = 0; j < h->n_in; j++) hin[j] = s[p->in_slots[h->in_off + j]];
            memset(hout, 0, h->n_out * sizeof *hout);
            gf_status st = h->fn(hin, h->n_in, hout, h->n_out, h->user);
            if (st != GF_OK)
                return gf_error_set(err, st, "hint '%s' (call #%" PRIu32 ") failed: %s", h->name, h->call,
                                    gf_status_name(st));
            for (uint32_t j = 0; j < h->n_out; j++) {
                if (hout[j] >= GF_M31_P)
                    return gf_error_set(err, GF_ERR_INVALID, "hint '%s' (call #%" PRIu32 ") returned the non-canonical "
                                        "value %" PRIu32 " at output %" PRIu32, h->name, h->call, hout[j], j);
                s[h->first_out + j] = hout[j];
            }
            break;
        }
        default:
            return gf_error_set(err, GF_ERR_INTERNAL, "kernel evaluation: bad instruction %" PRIu32, in->op);
        }
    }
    return GF_OK;
}

gf_status gf_kernel_eval(const gf_kernel *k, const gf_m31 *inputs, gf_m31 *outputs, gf_m31 *hints,
                         gf_m31 *scratch, gf_error *err) {
    if (!k || !k->prog) return gf_error_set(err, GF_ERR_INVALID, "gf_kernel_eval: kernel is NULL");
    if (k->n_in_vals && !inputs) return gf_error_set(err, GF_ERR_INVALID, "gf_kernel_eval: inputs is NULL");
    gf_m31 *s = scratch;
    if (!s && !(s = malloc(gf_kernel_scratch_len(k) * sizeof *s)))
        return gf_error_set(err, GF_ERR_NOMEM, "gf_kernel_eval: out of memory for %zu scratch values", gf_kernel_scratch_len(k));
    gf_status st = eval_run(k, inputs, s, err);
    if (st == GF_OK) {
        const struct gf_kernel_prog *p = k->prog;
        if (outputs)
            for (uint64_t i = 0; i < k->n_out_vals; i++) outputs[i] = s[p->out_slot[i]];
        if (hints)
            for (uint64_t i = 0; i < k->n_hints; i++) hints[i] = s[p->hint_slot[i]];
    }
    if (!scratch) free(s);
    return st;
}

gf_status gf_kernel_assemble_input(const gf_kernel *k, const gf_m31 *inputs, const gf_m31 *outputs,
                                   const gf_m31 *hints, gf_m31 *circuit_input, gf_error *err) {
    if (!k || !k->circuit || !circuit_input)
        return gf_error_set(err, GF_ERR_INVALID, "gf_kernel_assemble_input: NULL kernel or output");
    if ((k->n_in_vals && !inputs) || (k->n_out_vals && !outputs) || (k->n_hints && !hints))
        return gf_error_set(err, GF_ERR_INVALID, "gf_kernel_assemble_input: inputs, outputs or hints is NULL");
    memset(circuit_input, 0, gf_circuit_input_len(k->circuit) * sizeof *circuit_input);
    for (uint32_t i = 0; i < k->n_components; i++) {
        const gf_kernel_component *cp = &k->comp[i];
        gf_m31 *dst = circuit_input + cp->offset;
        if (cp->kind == GF_KCOMP_HINT) {
            gf_shape_pad_replicate_m31(1, &k->n_hints, hints, dst);
            continue;
        }
        const gf_kernel_io *io = &k->io[cp->io];
        const gf_m31 *src = cp->kind == GF_KCOMP_INPUT ? inputs + io->in_offset : outputs + io->out_offset;
        gf_shape_pad_replicate_m31(io->ndims, io->dims, src, dst);
    }
    return GF_OK;
}

void gf_kernel_src_name_(const gf_kernel *k, uint64_t src, char *buf, size_t n) {
    if (!buf || !n) return;
    if (src & KRES_OUT) {
        uint32_t io = (uint32_t)((src & ~KRES_OUT) >> 32);
        uint64_t el = src & 0xffffffffull;
        snprintf(buf, n, "output '%s'[%" PRIu64 "] (computed == committed)", io < k->n_io ? k->io[io].name : "?", el);
    } else {
        snprintf(buf, n, "assert #%" PRIu64, src);
    }
}

void gf_kernel_residual_name(const gf_kernel *k, uint64_t i, char *buf, size_t n) {
    if (!buf || !n) return;
    if (!k || !k->resid_src || i >= k->n_residuals) { snprintf(buf, n, "residual #%" PRIu64 " (padding)", i); return; }
    gf_kernel_src_name_(k, k->resid_src[i], buf, n);
}

void gf_kernel_print_stats(FILE *f, const gf_kernel *k) {
    if (!f || !k || !k->circuit) return;
    const gf_circuit *c = k->circuit;
    uint32_t n_rand = gf_circuit_n_random(c);
    fprintf(f, "kernel: %" PRIu32 " io, %" PRIu64 " input values, %" PRIu64 " output values, %" PRIu64 " hint values\n",
            k->n_io, k->n_in_vals, k->n_out_vals, k->n_hints);
    fprintf(f, "circuit: %" PRIu32 " layers, %" PRIu64 " gates (%" PRIu64 " relays), %" PRIu32 " coefficients (%"
            PRIu32 " random), %" PRIu64 " residuals\n",
            c->n_layers, gf_circuit_n_gates(c), k->n_relays, c->n_coefs, n_rand, k->n_residuals);
    for (uint32_t i = 0; i < c->n_layers; i++) {
        const gf_layer *l = &c->layers[i];
        fprintf(f, "  layer %3" PRIu32 ": 2^%-2" PRIu32 " -> 2^%-2" PRIu32 "  mul %10" PRIu64 "  add %10" PRIu64
                "  const %8" PRIu64 "\n", i, l->in_log, l->out_log, l->n_mul, l->n_add, l->n_const);
    }
    fprintf(f, "input layout (%" PRIu64 " of %" PRIu64 " values):\n", k->layout_len, gf_circuit_input_len(c));
    for (uint32_t i = 0; i < k->n_components; i++) {
        const gf_kernel_component *cp = &k->comp[i];
        const char *kind = cp->kind == GF_KCOMP_INPUT ? "input" : cp->kind == GF_KCOMP_OUTPUT ? "output" : "hints";
        fprintf(f, "  component %" PRIu32 ": %-6s %-20s offset %10" PRIu64 "  len %10" PRIu64 "\n", i, kind,
                cp->io >= 0 ? k->io[cp->io].name : "-", cp->offset, cp->len);
    }
}

/* ---- layout and shapes -------------------------------------------------------------------- */

gf_status gf_kernel_layout(uint32_t n, const uint64_t *len, uint64_t *offset, uint64_t *total, gf_error *err) {
    if (n && (!len || !offset)) return gf_error_set(err, GF_ERR_INVALID, "gf_kernel_layout: NULL arrays");
    for (uint32_t i = 0; i < n; i++)
        if (!gf_is_pow2(len[i]) || len[i] > (1ull << 40))
            return gf_error_set(err, GF_ERR_INVALID, "gf_kernel_layout: component %" PRIu32 " has length %" PRIu64
                                ", not a power of two <= 2^40", i, len[i]);
    uint32_t *ord = malloc((n ? n : 1) * sizeof *ord);
    if (!ord) return gf_error_set(err, GF_ERR_NOMEM, "gf_kernel_layout: out of memory");
    /* insertion sort on (len, index) descending; n is small (a few components) */
    for (uint32_t i = 0; i < n; i++) {
        uint32_t j = i;
        while (j > 0 && (len[ord[j - 1]] < len[i] || (len[ord[j - 1]] == len[i] && ord[j - 1] < i))) {
            ord[j] = ord[j - 1];
            j--;
        }
        ord[j] = i;
    }
    uint64_t pos = 0;
    for (uint32_t i = 0; i < n; i++) {
        offset[ord[i]] = pos;
        pos += len[ord[i]];
    }
    free(ord);
    if (total) *total = pos;
    return GF_OK;
}

uint64_t gf_shape_padded_len(uint32_t ndims, const uint64_t *dims) {
    uint64_t p = 1;
    for (uint32_t j = 0; j < ndims; j++) p *= gf_next_pow2(dims[j]);
    return p;
}

uint64_t gf_shape_padded_index(uint32_t ndims, const uint64_t *dims, uint64_t i) {
    uint64_t r = 0, stride = 1;
    for (uint32_t j = ndims; j-- > 0;) {
        r += (i % dims[j]) * stride;
        i /= dims[j];
        stride *= gf_next_pow2(dims[j]);
    }
    return r;
}

static void pad_rec(uint32_t j, uint32_t ndims, const uint64_t *dims, const uint64_t *ss, const uint64_t *sd,
                    const gf_m31 *src, gf_m31 *dst) {
    if (j == ndims) { *dst = *src; return; }
    uint64_t d = dims[j], p = gf_next_pow2(d);
    if (j + 1 == ndims) {
        memcpy(dst, src, d * sizeof *dst);
    } else {
        for (uint64_t i = 0; i < d; i++) pad_rec(j + 1, ndims, dims, ss, sd, src + i * ss[j], dst + i * sd[j]);
    }
    for (uint64_t i = d; i < p; i++) memcpy(dst + i * sd[j], dst + (d - 1) * sd[j], sd[j] * sizeof *dst);
}

void gf_shape_pad_replicate_m31(uint32_t ndims, const uint64_t *dims, const gf_m31 *src, gf_m31 *dst) {
    uint64_t ss[GF_KERNEL_MAX_DIMS + 1], sd[GF_KERNEL_MAX_DIMS + 1];
    if (ndims > GF_KERNEL_MAX_DIMS) return;
    ss[ndims] = sd[ndims] = 1;
    for (uint32_t j = ndims; j-- > 0;) {
        ss[j] = j + 1 < ndims ? ss[j + 1] * dims[j + 1] : 1;
        sd[j] = j + 1 < ndims ? sd[j + 1] * gf_next_pow2(dims[j + 1]) : 1;
    }
    pad_rec(0, ndims, dims, ss, sd, src, dst);
}
