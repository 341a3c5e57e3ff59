#!/usr/bin/env bash
# End-to-end tests of the graph commands of the gkrflow CLI (setup, prove, verify, inspect)
# and of the example programs (run by ctest; GKRFLOW_CLI = the gkrflow binary, the
# gkrflow-example-* programs are next to it):
#  - every new command's --help and usage errors;
#  - the add pipeline through files (graph, witness, setup, proof) and reuse of its graph with
#    new data; a matrix product (64x32x64 and a non-power-of-two one);
#  - rejection: tampered proofs, a proof checked against another graph, a witness or setup of
#    another graph, missing, unknown and truncated files, a witness violating a constraint
#    (exit 1, no output file and an existing one left untouched);
#  - inspect on every file type (graph, graph witness, setup, graph proof, circuit, circuit
#    witness, circuit proof).
# Prints "N passed, M failed"; exits 1 if anything failed.
set -u
G=${GKRFLOW_CLI:?set GKRFLOW_CLI to the gkrflow binary}
BIN=$(dirname "$G")
ADD=$BIN/gkrflow-example-add
MM=$BIN/gkrflow-example-matmul
W=$(mktemp -d "${TMPDIR:-/tmp}/gkrflow-cli-graph.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT
pass=0
fail=0

. "$(dirname "${BASH_SOURCE[0]}")/testlib.sh"   # expect, check, out_has, u8/u32/u64, byte_at, flip, size

hex_range() { od -An -tx1 -j "$2" -N "$3" "$1" | tr -d ' \n'; }
no_output() { [ -z "$(ls "$1"* 2>/dev/null)" ]; }   # neither the file nor a temporary next to it

# --- help and usage errors ---
for c in setup prove verify inspect; do
    expect "$c --help" 0 out "^usage: gkrflow $c " -- "$G" "$c" --help
    check "$c --help describes the command and its options" grep -q -- "--graph" "$W/out"
    expect "$c is listed by gkrflow --help" 0 out "^  $c  " -- "$G" --help
done
for c in setup prove verify; do
    expect "$c: no options" 2 err "required" -- "$G" "$c"
    expect "$c: unknown option" 2 err "unknown argument '--bogus'" -- "$G" "$c" --bogus x
done
expect "prove: option without a value" 2 err "--out needs a value" -- "$G" prove --graph g --witness w --out
expect "prove: --threads 0" 2 err "--threads: '0' is not an integer" -- "$G" prove --graph g --witness w --out p --threads 0
expect "prove: --threads x" 2 err "--threads" -- "$G" prove --graph g --witness w --out p --threads x
for v in 0 65 abc " 2" -1; do
    expect "prove: GKRFLOW_THREADS='$v' is refused" 2 err "GKRFLOW_THREADS='$v' is not a thread count in 1..64" -- \
        env GKRFLOW_THREADS="$v" "$G" prove --graph g --witness w --out p
done
expect "prove-circuit: GKRFLOW_THREADS=1000 is refused" 2 err "GKRFLOW_THREADS='1000'" -- \
    env GKRFLOW_THREADS=1000 "$G" prove-circuit --circuit c --witness w --out p
expect "verify: positional argument" 2 err "unknown argument 'extra'" -- "$G" verify --graph g --proof p extra
expect "inspect: no file" 2 err "FILE is required" -- "$G" inspect
expect "inspect: two files" 2 err "only one FILE" -- "$G" inspect a b
expect "inspect: unknown option" 2 err "unknown argument '--bogus'" -- "$G" inspect --bogus
for e in "$ADD" "$MM"; do
    n=$(basename "$e")
    expect "$n --help" 0 out "^usage: $n " -- "$e" --help
    expect "$n: no options" 2 err "required" -- "$e"
    expect "$n: unknown option" 2 err "unknown argument '--bogus'" -- "$e" --bogus 1
done
expect "add example: --data -1" 2 err "--data" -- "$ADD" --graph g --witness w --data -1
expect "add example: --data too large" 2 err "--data" -- "$ADD" --graph g --witness w --data 2147483616
for o in "--n 0" "--k 1025" "--m x" "--seed -3"; do
    expect "matmul example: $o" 2 err "${o%% *}" -- "$MM" --graph g --witness w $o
done

# --- the add pipeline ---
A=$W/add
expect "add example" 0 out "sum = 528" -- "$ADD" --graph "$A.graph" --witness "$A.wit"
check "add example wrote graph and witness" eval '[ -s "$A.graph" ] && [ -s "$A.wit" ]'
expect "setup" 0 out "^wrote .*add.setup: setup for graph .*2 templates, 3 commitments.* s$" -- "$G" setup --graph "$A.graph" --out "$A.setup"
check "setup file is 48 bytes" [ "$(size "$A.setup")" = 48 ]
expect "prove" 0 out "^proved .*: 2 templates, 3 commitments, proof [0-9]+ bytes .*commit [0-9.]+ s, GKR [0-9.]+ s, open [0-9.]+ s.*peak RSS [0-9.]+ MiB" -- \
    "$G" prove --graph "$A.graph" --witness "$A.wit" --setup "$A.setup" --out "$A.proof" --threads 2
psize=$(size "$A.proof")
check "prove prints the proof size" out_has "proof $psize bytes"
expect "verify" 0 out "^ok: .*add.proof verifies against graph .*add.graph" -- "$G" verify --graph "$A.graph" --proof "$A.proof"
expect "verify with the setup" 0 out "^ok: " -- "$G" verify --graph "$A.graph" --proof "$A.proof" --setup "$A.setup"
expect "prove without setup, 1 thread, --quiet" 0 out "" -- \
    "$G" prove --graph "$A.graph" --witness "$A.wit" --out "$A.proof1" --threads 1 --quiet
check "--quiet prints nothing" [ ! -s "$W/out" ]
check "proof bytes do not depend on threads or setup" cmp -s "$A.proof" "$A.proof1"

# --- reuse of the graph with new data ---
cp "$A.graph" "$A.graph.orig"
expect "add example --data 1000 (reuse)" 0 out "sum = 32496" -- "$ADD" --graph "$A.graph" --witness "$A.1000.wit" --data 1000
check "reuse leaves the graph untouched" cmp -s "$A.graph" "$A.graph.orig"
check "new data, new witness" eval '! cmp -s "$A.wit" "$A.1000.wit"'
expect "prove the new data" 0 out "^proved " -- "$G" prove --graph "$A.graph" --witness "$A.1000.wit" --out "$A.1000.proof"
expect "verify the new data" 0 out "^ok: " -- "$G" verify --graph "$A.graph" --proof "$A.1000.proof"
check "same graph, new data, different proof" eval '! cmp -s "$A.proof" "$A.1000.proof"'

# --- matrix products ---
M=$W/mm
expect "matmul example 64x32x64" 0 out "64x32 \* 32x64, seed 1: c matches the naive product, checksum .* = [0-9]+" -- \
    "$MM" --n 64 --k 32 --m 64 --graph "$M.graph" --witness "$M.wit"
expect "matmul: setup" 0 out "^wrote " -- "$G" setup --graph "$M.graph" --out "$M.setup"
expect "matmul: prove" 0 out "^proved .*: 1 template, 3 commitments" -- \
    "$G" prove --graph "$M.graph" --witness "$M.wit" --setup "$M.setup" --out "$M.proof"
expect "matmul: verify" 0 out "^ok: " -- "$G" verify --graph "$M.graph" --proof "$M.proof" --setup "$M.setup"
"$MM" --graph "$W/mm2.graph" --witness "$W/mm2.wit" >/dev/null 2>&1
check "matmul example is deterministic (default 64x32x64, seed 1)" cmp -s "$M.wit" "$W/mm2.wit"
"$MM" --graph "$W/mm2.graph" --witness "$W/mm2.wit" --seed 0x2a >/dev/null 2>&1
check "another seed, another witness, the same graph" eval '! cmp -s "$M.wit" "$W/mm2.wit" && cmp -s "$M.graph" "$W/mm2.graph"'
N=$W/mm5
expect "matmul example 5x3x7 (padded)" 0 out "5x3 \* 3x7" -- "$MM" --n 5 --k 3 --m 7 --seed 9 --graph "$N.graph" --witness "$N.wit"
expect "matmul 5x3x7: prove" 0 out "^proved " -- "$G" prove --graph "$N.graph" --witness "$N.wit" --out "$N.proof"
expect "matmul 5x3x7: verify" 0 out "^ok: " -- "$G" verify --graph "$N.graph" --proof "$N.proof"

# --- rejection ---
for off in 0 8 12 20 60 130 200 400 600 800 900 $((psize - 2)) $((psize - 40)); do
    flip "$A.proof" $off "$W/x.proof"
    expect "tampered proof byte $off" 1 err "gkrflow verify: .*x.proof" -- "$G" verify --graph "$A.graph" --proof "$W/x.proof"
done
bad=0
for ((off = 0; off < psize; off += 7)); do
    flip "$A.proof" $off "$W/x.proof"
    "$G" verify --graph "$A.graph" --proof "$W/x.proof" >/dev/null 2>&1 && { echo "     accepted flip at $off"; bad=1; }
done
check "every 7th proof byte flipped: all rejected" [ $bad = 0 ]
head -c $((psize - 1)) "$A.proof" >"$W/x.proof"
expect "truncated proof" 1 err "truncated" -- "$G" verify --graph "$A.graph" --proof "$W/x.proof"
{ cat "$A.proof"; u8 0; } >"$W/x.proof"
expect "proof with a trailing byte" 1 err "unexpected bytes" -- "$G" verify --graph "$A.graph" --proof "$W/x.proof"
expect "proof against another graph" 1 err "different graph \(digest mismatch\)" -- "$G" verify --graph "$M.graph" --proof "$A.proof"
expect "graph file given as the proof" 1 err "bad magic" -- "$G" verify --graph "$A.graph" --proof "$A.graph"
expect "witness of another graph" 1 err "witness .*mm.wit does not fit graph .*add.graph" -- \
    "$G" prove --graph "$A.graph" --witness "$M.wit" --out "$W/p1.proof"
check "no proof written (other graph's witness)" no_output "$W/p1.proof"
flip "$A.wit" 20 "$W/x.wit"   # same shapes, another graph digest
expect "witness with another graph digest" 1 err "belongs to another graph" -- \
    "$G" prove --graph "$A.graph" --witness "$W/x.wit" --out "$W/p2.proof"
check "no proof written (digest)" no_output "$W/p2.proof"
expect "setup of another graph (prove)" 1 err "setup .*mm.setup.*different graph" -- \
    "$G" prove --graph "$A.graph" --witness "$A.wit" --setup "$M.setup" --out "$W/p3.proof"
check "no proof written (setup)" no_output "$W/p3.proof"
expect "setup of another graph (verify)" 1 err "setup .*mm.setup.*different graph" -- \
    "$G" verify --graph "$A.graph" --proof "$A.proof" --setup "$M.setup"
expect "a graph given as the setup" 1 err "not a gkrflow setup file" -- \
    "$G" verify --graph "$A.graph" --proof "$A.proof" --setup "$A.graph"
{ cat "$A.setup"; u8 0; } >"$W/x.setup"
expect "setup with a trailing byte" 1 err "trailing" -- "$G" verify --graph "$A.graph" --proof "$A.proof" --setup "$W/x.setup"
expect "reuse with another program's graph" 1 err "is not this program's graph" -- \
    "$ADD" --graph "$M.graph" --witness "$W/r.wit" --data 1000
check "no witness written (reuse mismatch)" no_output "$W/r.wit"
expect "reuse with a missing graph" 1 err "nope.graph" -- "$ADD" --graph "$W/nope.graph" --witness "$W/r.wit" --data 7
# the add_16 result is 528 at byte 264 of the witness (header 48, vectors 8+128, 8+64, 8): make it 529
check "witness byte 264 holds the sum" [ "$(byte_at "$A.wit" 264)" = $((528 & 255)) ]
flip "$A.wit" 264 "$W/bad.wit"
expect "witness violating add_16" 1 err "template 1 \(kernel 'add_16'" -- \
    "$G" prove --graph "$A.graph" --witness "$W/bad.wit" --out "$W/p4.proof"
check "a failed prove leaves no output file" no_output "$W/p4.proof"
echo keep >"$W/p5.proof"
expect "failed prove over an existing file" 1 err "template 1" -- \
    "$G" prove --graph "$A.graph" --witness "$W/bad.wit" --out "$W/p5.proof"
check "the existing file is untouched" [ "$(cat "$W/p5.proof")" = keep ]
check "no temporary file left" [ -z "$(ls "$W"/p5.proof.* 2>/dev/null)" ]
expect "prove into a missing directory" 1 err "nodir/p.proof" -- \
    "$G" prove --graph "$A.graph" --witness "$A.wit" --out "$W/nodir/p.proof"
expect "setup into a missing directory" 1 err "nodir/s" -- "$G" setup --graph "$A.graph" --out "$W/nodir/s"

# missing and unknown files
expect "missing graph (prove)" 1 err "nope.graph: cannot open" -- "$G" prove --graph "$W/nope.graph" --witness "$A.wit" --out "$W/p6.proof"
check "no proof written (missing graph)" no_output "$W/p6.proof"
expect "missing witness" 1 err "nope.wit: cannot open" -- "$G" prove --graph "$A.graph" --witness "$W/nope.wit" --out "$W/p6.proof"
expect "missing setup" 1 err "nope.setup: cannot open" -- \
    "$G" prove --graph "$A.graph" --witness "$A.wit" --setup "$W/nope.setup" --out "$W/p6.proof"
expect "missing proof" 1 err "nope.proof: cannot open" -- "$G" verify --graph "$A.graph" --proof "$W/nope.proof"
expect "missing graph (verify)" 1 err "nope.graph: cannot open" -- "$G" verify --graph "$W/nope.graph" --proof "$A.proof"
expect "missing graph (setup)" 1 err "nope.graph: cannot open" -- "$G" setup --graph "$W/nope.graph" --out "$W/s"
expect "inspect: missing file" 1 err "nope: cannot open" -- "$G" inspect "$W/nope"
printf 'HELLO\001WORLD' >"$W/junk"
expect "inspect: unknown magic" 1 err "junk: unknown magic \"HELLO.WO\" \(bytes 48 45 4c 4c 4f 01 57 4f\)" -- "$G" inspect "$W/junk"
check "inspect: nothing on stdout for an unknown file" [ ! -s "$W/out" ]
printf 'GKR' >"$W/short"
expect "inspect: 3-byte file" 1 err "short: truncated: 3 bytes" -- "$G" inspect "$W/short"
: >"$W/empty"
expect "inspect: empty file" 1 err "empty: truncated: empty file \(0 bytes\)" -- "$G" inspect "$W/empty"
expect "unknown file as the graph" 1 err "junk: .*bad magic" -- "$G" verify --graph "$W/junk" --proof "$A.proof"
expect "witness given as the graph" 1 err "bad magic" -- "$G" prove --graph "$A.wit" --witness "$A.wit" --out "$W/p7.proof"

# truncated graph and witness files (the reader names the offset and what is missing)
gsize=$(size "$A.graph")
for cut in 0 7 10 18 40 100 300 $((gsize - 1)); do
    head -c $cut "$A.graph" >"$W/tr.graph"
    expect "inspect: graph truncated to $cut bytes" 1 err "tr.graph: .*(truncated|only [0-9]+ (bytes )?remain)" -- "$G" inspect "$W/tr.graph"
    check "inspect: nothing on stdout (graph cut at $cut)" [ ! -s "$W/out" ]
    expect "verify: graph truncated to $cut bytes" 1 err "tr.graph: .*(truncated|only [0-9]+ (bytes )?remain)" -- \
        "$G" verify --graph "$W/tr.graph" --proof "$A.proof"
done
head -c 200 "$A.wit" >"$W/tr.wit"
expect "prove: truncated witness" 1 err "tr.wit: .*(truncated|remain)" -- "$G" prove --graph "$A.graph" --witness "$W/tr.wit" --out "$W/p8.proof"
check "no proof written (truncated witness)" no_output "$W/p8.proof"
for cut in 30 100 500 $((psize - 1)); do
    head -c $cut "$A.proof" >"$W/tr.proof"
    expect "inspect: proof truncated to $cut bytes" 1 err "tr.proof: .*truncated" -- "$G" inspect "$W/tr.proof"
    check "inspect: nothing on stdout (proof cut at $cut)" [ ! -s "$W/out" ]
done
head -c 40 "$A.setup" >"$W/tr.setup"
expect "inspect: truncated setup" 1 err "tr.setup: truncated" -- "$G" inspect "$W/tr.setup"

# --- inspect on every file type ---
digest=$(hex_range "$A.setup" 16 32)
expect "inspect graph" 0 out "^.*add.graph: gkrflow graph \(GKRFGRPH version 1\)" -- "$G" inspect "$A.graph"
check "inspect graph: digest (= the setup's)" out_has "^  digest: $digest$"
check "inspect graph: kernels" out_has "^  kernels: 2$"
check "inspect graph: kernel add_2 and its input layout" out_has "kernel 0 'add_2': 1 layer, 3 gates, .*input 2\^2, components: 0:\[0,\+2\) 1:\[2,\+1\)"
check "inspect graph: kernel add_16" out_has "kernel 1 'add_16': 1 layer, 17 gates"
check "inspect graph: commitment lengths" eval 'out_has "commitment 0: length 32" && out_has "commitment 1: length 16" && out_has "commitment 2: length 1$"'
check "inspect graph: template 0" out_has "template 0: kernel 0 'add_2', parallel count 16 \(16 instances\), commitments \[0, 1\], broadcast \[0, 0\]"
check "inspect graph: template 1" out_has "template 1: kernel 1 'add_16', parallel count 1 \(1 instance\), commitments \[1, 2\], broadcast \[0, 0\]"
expect "inspect matmul graph" 0 out "template 0: kernel 0 'mul_line', parallel count 64 \(64 instances\), commitments \[0, 1, 2\], broadcast \[0, 1, 0\]" -- \
    "$G" inspect "$M.graph"
expect "inspect padded matmul graph" 0 out "parallel count 8 \(5 instances\)" -- "$G" inspect "$N.graph"
expect "inspect graph witness" 0 out "gkrflow graph witness \(GKRFGWIT version 1\)" -- "$G" inspect "$A.wit"
check "inspect graph witness: graph digest" out_has "^  graph digest: $digest$"
check "inspect graph witness: vectors" out_has "^  vectors: 3 \(49 values\)$"
check "inspect graph witness: first values" out_has "vector 0: length 32: 1 2 3 4 5 6 7 8 \.\.\.$"
check "inspect graph witness: the sum" out_has "vector 2: length 1: 528$"
expect "inspect reused witness" 0 out "vector 2: length 1: 32496$" -- "$G" inspect "$A.1000.wit"
expect "inspect setup" 0 out "gkrflow setup \(GKRFSETP version 1\), 48 bytes" -- "$G" inspect "$A.setup"
check "inspect setup: pcs and digest" eval 'out_has "^  pcs: raw \(1\)" && out_has "^  graph digest: $digest$"'
expect "inspect graph proof" 0 out "gkrflow graph proof \(GKRFGPRF version 2\), $psize bytes" -- "$G" inspect "$A.proof"
check "inspect graph proof: header" eval 'out_has "^  field: m31$" && out_has "^  graph digest: $digest$" && out_has "^  pcs: raw \(1\)$"'
check "inspect graph proof: commitments" eval 'out_has "^  commitments: 3 " && out_has "commitment 0: $(hex_range "$A.proof" 56 32)$"'
check "inspect graph proof: templates and claims" eval 'out_has "^  templates: 2" && out_has "template 0 \(offset 156\): GKR [0-9]+ bytes, 1 claim x 2 components \(24 bytes\)$" && out_has "template 1 \(offset [0-9]+\): GKR [0-9]+ bytes, 1 claim x 2 components"'
check "inspect graph proof: openings" out_has "openings: 3 raw vectors, 220 bytes .*lengths: 32 16 1$"
expect "inspect graph proof --graph" 0 out "template 1 \(offset [0-9]+, kernel 'add_16'\)" -- "$G" inspect "$A.proof" --graph "$A.graph"
expect "inspect matmul proof" 0 out "template 0 \(offset 156\): GKR [0-9]+ bytes, 2 claims x 3 components \(72 bytes\)" -- "$G" inspect "$M.proof"
check "inspect matmul proof: openings" out_has "lengths: 2048 2048 4096$"
expect "inspect proof --graph of another graph" 1 err "another graph" -- "$G" inspect "$A.proof" --graph "$M.graph"
expect "inspect --graph on a non-proof" 2 err "--graph applies to graph proofs only" -- "$G" inspect "$A.graph" --graph "$A.graph"

# a tiny single circuit (out = in0*in1 - in2), its witness and a circuit proof
C=$W/c
{ printf GKRFCIRC; u32 1; u32 1; u32 1; u32 2; u8 0; u32 1; u8 0; u32 2147483646
  u32 2; u32 0; u64 1; u64 1; u64 0; u32 0; u32 0; u32 1; u32 0; u32 0; u32 2; u32 1; } >"$C.circ"
{ printf GKRFWITN; u32 1; u32 1; u64 3; u64 4
  for k in 0 1 2; do u32 $((k + 2)); u32 $((k + 3)); u32 $(((k + 2) * (k + 3))); u32 0; done; } >"$C.wit"
expect "inspect circuit" 0 out "c.circ: gkrflow circuit \(GKRFCIRC version 1\)" -- "$G" inspect "$C.circ"
check "inspect circuit: fields" eval 'out_has "^  field: m31$" && out_has "^  layers: 1$" && out_has "^  gates: 2$" && out_has "^  input: 2\^2 wires$" && out_has "^  digest: [0-9a-f]{64}$"'
check "inspect circuit: layer 0" out_has "layer 0: 2\^2 -> 2\^0, mul 1, add 1, const 0$"
expect "inspect circuit witness" 0 out "gkrflow circuit witness \(GKRFWITN version 1\)" -- "$G" inspect "$C.wit"
check "inspect circuit witness: counts and values" eval 'out_has "^  instances: 3$" && out_has "^  inputs per instance: 4$" && out_has "instance 1: 3 4 12 0$"'
expect "prove-circuit (for inspect)" 0 out "" -- "$G" prove-circuit --circuit "$C.circ" --witness "$C.wit" --out "$C.proof" --quiet
expect "inspect circuit proof" 0 out "gkrflow circuit proof \(GKRFPROF version 2\), $(size "$C.proof") bytes" -- "$G" inspect "$C.proof"
check "inspect circuit proof: header" eval 'out_has "^  field: m31$" && out_has "^  flags: 0x0 \(all outputs 0\)$" && out_has "^  instances: 3$" && out_has "^  blocks: 1$" && out_has "^  pcs: raw \(1\)$"'
check "inspect circuit proof: sections" eval 'out_has "^  GKR messages: [0-9]+ bytes$" && out_has "^  opening: 256 bytes$"'
head -c 50 "$C.circ" >"$W/tr.circ"
expect "inspect: truncated circuit" 1 err "tr.circ: .*(truncated|remain)" -- "$G" inspect "$W/tr.circ"
head -c 90 "$C.proof" >"$W/tr.cproof"
expect "inspect: truncated circuit proof" 1 err "tr.cproof: truncated" -- "$G" inspect "$W/tr.cproof"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
