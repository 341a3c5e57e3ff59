#ifndef GKRFLOW_H
#define GKRFLOW_H
/* gkrflow: GKR proving for data-parallel C kernels. Umbrella header of the installed library
 * (compile with `pkg-config --cflags gkrflow`, link with `pkg-config --libs gkrflow`).
 * Every module header states its invariants at the top; start with:
 *   frontend/kernel.h      define kernels (inputs, outputs, arithmetic, asserts, hints)
 *   circuit/circuit.h      layered circuits, evaluation, circuit files
 *   prover/circuit_proof.h prove / verify one data-parallel circuit
 *   gkr/gkr.h              the GKR protocol itself
 *   transcript/transcript.h, field/*.h
 * All functions return a gf_status and fill a gf_error with a precise message. */
#include "common/error.h"
#include "common/pool.h"
#include "common/buf.h"
#include "field/field.h"
#include "field/m31.h"
#include "field/m31ext3.h"
#include "field/bn254fr.h"
#include "transcript/transcript.h"
#include "circuit/circuit.h"
#include "circuit/witness.h"
#include "gkr/gkr.h"
#include "pcs/pcs.h"
#include "prover/circuit_proof.h"
#include "frontend/kernel.h"
#include "graph/graph.h"

#define GKRFLOW_VERSION_STRING "0.1.0"

#endif
