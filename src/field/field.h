#ifndef GF_FIELD_FIELD_H
#define GF_FIELD_FIELD_H
/* Field identifiers shared by circuits, witnesses and proofs (stored in files: never renumber). */
typedef enum gf_field_id {
    GF_FIELD_M31 = 1,     /* circuit field M31, 16 instances per M31x16, challenges in M31Ext3 */
    GF_FIELD_BN254 = 2    /* circuit field BN254 Fr, one instance per lane, challenges in Fr */
} gf_field_id;

static inline const char *gf_field_name(int f) {
    return f == GF_FIELD_M31 ? "m31" : f == GF_FIELD_BN254 ? "bn254" : "unknown";
}
/* Bytes of one canonical circuit-field element in files and proofs. */
static inline unsigned gf_field_elem_bytes(int f) { return f == GF_FIELD_M31 ? 4u : f == GF_FIELD_BN254 ? 32u : 0u; }
#endif
