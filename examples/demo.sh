#!/usr/bin/env bash
# `make demo` (bash examples/demo.sh BUILD_DIR): the end-to-end example, through files.
#   1. zkCUDA's add example (add_2 x 16, then add_16) writes its graph and witness;
#      setup, prove, verify; a brief look at the proof.
#   2. the same graph reused with new data (inputs 1000..1031): a new witness, prove, verify.
#   3. a 64x32x64 matrix product with the mul_line kernel: prove, verify.
#   4. the same product proved by 2 MPI ranks through `gkrflow run` (byte-identical proof).
#   5. a summary (what was proved, proof sizes, times).
# Everything happens in a temporary directory that is removed at the end.
set -euo pipefail
D=
cleanup() {
    local rc=$?
    [ -n "$D" ] && rm -rf "$D"
    [ "$rc" -eq 0 ] || echo "demo: FAILED (exit $rc; the message above says why)" >&2
}
trap cleanup EXIT
BUILD=$(cd "${1:-build}" && pwd)
G=$BUILD/gkrflow
ADD=$BUILD/gkrflow-example-add
MM=$BUILD/gkrflow-example-matmul
for b in "$G" "$ADD" "$MM"; do
    [ -x "$b" ] || { echo "demo: $b not found; build first (make build)" >&2; exit 1; }
done
D=$(mktemp -d "${TMPDIR:-/tmp}/gkrflow-demo.XXXXXX")
cd "$D"

step() { printf '\n== %s\n' "$*"; }
run() {   # echo the command (program name only), then run it
    printf '$ %s' "$(basename "$1")"
    printf ' %s' "${@:2}"
    printf '\n'
    "$@"
}
# field from a "... key X s ..." line: field LINE KEY
field() { sed -nE "s/.*$2 ([0-9.]+) s.*/\1/p" <<<"$1" | tail -1; }

# expect_sum OUTPUT SUM: the example printed the expected sum
expect_sum() {
    echo "$1"
    grep -q "sum = $2\$" <<<"$1" || { echo "demo: expected sum $2" >&2; exit 1; }
}

declare -a rows=()
# prove_verify NAME GRAPH WITNESS PROOF [SETUP]: prove, verify, remember a summary row
prove_verify() {
    local name=$1 graph=$2 wit=$3 proof=$4 setup_opt=()
    [ $# -ge 5 ] && setup_opt=(--setup "$5")
    local p v
    p=$(run "$G" prove --graph "$graph" --witness "$wit" "${setup_opt[@]}" --out "$proof")
    echo "$p"
    v=$(run "$G" verify --graph "$graph" --proof "$proof" "${setup_opt[@]}")
    echo "$v"
    local templates
    templates=$(sed -nE 's/.*: ([0-9]+) templates?,.*/\1/p' <<<"$p" | tail -1)
    rows+=("$(printf '  %-30s %9s %12s %10s %10s' "$name" "$templates" "$(wc -c <"$proof" | tr -d ' ')" \
        "$(field "$p" total)" "$(field "$v" 'verified in')")")
}

step "self-check"
run "$G" selfcheck

step "1. zkCUDA's add example: inputs 1..32 -> add_2 x 16 -> add_16 -> sum"
expect_sum "$(run "$ADD" --graph add.graph --witness add.wit)" 528
run "$G" setup --graph add.graph --out add.setup
prove_verify "add (inputs 1..32, sum 528)" add.graph add.wit add.proof add.setup
run "$G" inspect add.proof | grep -Ev '^    commitment [0-9]+:'

step "2. the same graph with new data: inputs 1000..1031 (replay the calls, load the graph)"
expect_sum "$(run "$ADD" --graph add.graph --witness add-1000.wit --data 1000)" 32496
prove_verify "add reused (1000..1031, 32496)" add.graph add-1000.wit add-1000.proof add.setup


step "3. matrix product 64x32 * 32x64 with mul_line (64 instances, b broadcast)"
run "$MM" --n 64 --k 32 --m 64 --seed 1 --graph matmul.graph --witness matmul.wit
prove_verify "matmul 64x32x64" matmul.graph matmul.wit matmul.proof

step "4. the matrix product proved by 2 MPI ranks (gkrflow run launches mpiexec)"
# each rank proves its share of the 64 instances; rank 0 reads the files and writes the proof,
# which must be byte-identical to the single-process proof
p=$(run "$G" run --np 2 --verbose -- prove --graph matmul.graph --witness matmul.wit --out matmul.mpi.proof)
echo "$p"
cmp matmul.proof matmul.mpi.proof && echo "byte-identical to the single-process proof"
v=$(run "$G" verify --graph matmul.graph --proof matmul.mpi.proof)
echo "$v"
rows+=("$(printf '  %-30s %9s %12s %10s %10s' "matmul 64x32x64, 2 MPI ranks" 1 "$(wc -c <matmul.mpi.proof | tr -d ' ')" \
    "$(field "$p" total)" "$(field "$v" 'verified in')")")

step "summary"
printf '  %-30s %9s %12s %10s %10s\n' "proved" "templates" "proof bytes" "prove s" "verify s"
printf '%s\n' "${rows[@]}"
echo "all verified (raw PCS: the openings carry the committed vectors, so proofs grow with the witness)"
