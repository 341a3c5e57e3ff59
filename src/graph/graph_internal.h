#ifndef GF_GRAPH_GRAPH_INTERNAL_H
#define GF_GRAPH_GRAPH_INTERNAL_H
/* Helpers shared by graph.c, graph_io.c and context.c (private to src/graph/). */
#include "graph/graph.h"

/* Deep copy of a circuit (every array owned by the copy). */
gf_status gf_graph_circuit_copy_(const gf_circuit *c, gf_circuit **out, gf_error *err);
/* 1 iff the two circuits are identical (field, coefficient table, layers, gates in order). */
int gf_graph_circuit_equal_(const gf_circuit *a, const gf_circuit *b);
/* Frees a graph whose kernel circuits are borrowed (not owned): clears them first. */
void gf_graph_free_borrowed_(gf_graph *g);
/* A witness of zero vectors of the given lengths (digest left zero). */
gf_status gf_graph_witness_alloc_(gf_graph_witness **out, uint32_t n, const uint64_t *len, gf_error *err);
/* Largest committed vector / parallel count a graph may declare. */
#define GF_GRAPH_MAX_LEN (1ull << 40)

#endif
