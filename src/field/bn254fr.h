#ifndef GF_FIELD_BN254FR_H
#define GF_FIELD_BN254FR_H
/* PLACEHOLDER (type only) until the BN254 Fr implementation lands. */
#include <stdint.h>
typedef struct gf_bn254fr { uint64_t l[4]; } gf_bn254fr;
#endif
