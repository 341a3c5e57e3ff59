#!/usr/bin/env bash
# `gkrflow run` and MPI job failure (run by ctest; GKRFLOW_CLI = the gkrflow binary,
# GKRFLOW_TEST_MPICOMM = the test_mpicomm program, default: next to gkrflow).
#  - --dry-run prints the exact mpiexec command for several ZKML_NUM_CPUS /
#    ZKML_FORCE_OVERSUBSCRIBE / --np / --max-parallel settings, with the root variables
#    when running as root and shell quoting of odd arguments;
#  - invalid variables and options exit 2 naming the variable or option; a missing mpiexec
#    exits 1 with a clear message;
#  - real runs: `run --np 2 -- selfcheck` (two ranks, without OMPI_ALLOW_* preset, so the
#    launcher's own root handling is what makes it work), 4 ranks on fewer cores through
#    ZKML_NUM_CPUS, a failing command on the ranks;
#  - a rank calling gf_comm_abort (or killed by SIGKILL) while its peer waits in a barrier:
#    the job exits non-zero well before a 30 s timeout, naming the rank.
# Prints "N passed, M failed"; exits 1 if anything failed.
set -u
G=${GKRFLOW_CLI:?set GKRFLOW_CLI to the gkrflow binary}
M=${GKRFLOW_TEST_MPICOMM:-$(dirname "$G")/test_mpicomm}
W=$(mktemp -d "${TMPDIR:-/tmp}/gkrflow-mpi.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT
pass=0
fail=0
unset ZKML_NUM_CPUS ZKML_FORCE_OVERSUBSCRIBE

. "$(dirname "${BASH_SOURCE[0]}")/testlib.sh"   # expect, check, out_has, u8/u32/u64, byte_at, flip, size

pre=""
[ "$(id -u)" -eq 0 ] && pre="OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 "
# physical cores as the launcher sees them (from its --verbose line)
cores=$("$G" run --dry-run --verbose -- selfcheck 2>&1 >/dev/null | sed -n 's/.*; \([0-9]*\) physical cores;.*/\1/p')
check "physical core count reported ($cores)" test -n "$cores"
cores=${cores:-1}
over() { [ "$1" -gt "$cores" ] && echo " --oversubscribe"; }   # automatic flag for R ranks

# dryrun NAME EXPECTED-TAIL ENV... -- RUN-ARGS...: stdout must be exactly "${pre}mpiexec EXPECTED-TAIL"
dryrun() {
    local name=$1 tail=$2
    shift 2
    local envs=()
    while [ "$1" != "--" ]; do envs+=("$1"); shift; done
    shift
    env "${envs[@]}" "$G" run --dry-run "$@" >"$W/out" 2>"$W/err"
    local rc=$? want="${pre}mpiexec $tail"
    if [ "$rc" -eq 0 ] && [ "$(cat "$W/out")" = "$want" ]; then
        pass=$((pass + 1)); echo "ok   dry-run $name"
    else
        fail=$((fail + 1)); echo "FAIL dry-run $name: exit $rc"
        echo "     want: $want"; echo "     got:  $(cat "$W/out")"; sed 's/^/     err: /' "$W/err" | head -3
    fi
}

# --- help and dry runs ---
expect "run --help" 0 out "ZKML_NUM_CPUS" -- "$G" run --help
expect "run listed in gkrflow --help" 0 out "^  run " -- "$G" --help
dryrun "defaults" "-n 1 $G selfcheck" -- -- selfcheck
dryrun "ZKML_NUM_CPUS=1" "-n 1 $G selfcheck" ZKML_NUM_CPUS=1 -- --max-parallel 64 -- selfcheck
dryrun "ZKML_NUM_CPUS=1 forced" "-n 1 --oversubscribe $G selfcheck" ZKML_NUM_CPUS=1 ZKML_FORCE_OVERSUBSCRIBE=1 -- \
    --max-parallel 64 -- selfcheck
for f in 0 false no NO ""; do
    dryrun "ZKML_FORCE_OVERSUBSCRIBE='$f'" "-n 1 $G selfcheck" ZKML_FORCE_OVERSUBSCRIBE=$f -- -- selfcheck
done
for f in 1 true yes TRUE; do
    dryrun "ZKML_FORCE_OVERSUBSCRIBE='$f'" "-n 1 --oversubscribe $G selfcheck" ZKML_FORCE_OVERSUBSCRIBE=$f -- -- selfcheck
done
dryrun "ZKML_NUM_CPUS=32, 64 parallel" "-n 32$(over 32) $G selfcheck" ZKML_NUM_CPUS=32 -- --max-parallel 64 -- selfcheck
dryrun "ZKML_NUM_CPUS=32 forced" "-n 32 --oversubscribe $G selfcheck" ZKML_NUM_CPUS=32 ZKML_FORCE_OVERSUBSCRIBE=yes -- \
    --max-parallel 64 -- selfcheck
dryrun "ZKML_NUM_CPUS=4096" "-n 4096 --oversubscribe $G selfcheck" ZKML_NUM_CPUS=4096 -- --max-parallel 5000 -- selfcheck
dryrun "ZKML_NUM_CPUS=5, 3 parallel" "-n 4$(over 4) $G selfcheck" ZKML_NUM_CPUS=5 -- --max-parallel 3 -- selfcheck
dryrun "ZKML_NUM_CPUS=6, 100 parallel" "-n 4$(over 4) $G selfcheck" ZKML_NUM_CPUS=6 -- --max-parallel 100 -- selfcheck
dryrun "--np 4 over ZKML_NUM_CPUS=1" "-n 4$(over 4) $G selfcheck" ZKML_NUM_CPUS=1 -- --np 4 -- selfcheck
dryrun "--np 1" "-n 1 $G selfcheck" -- --np 1 -- selfcheck
dryrun "--mpiexec" "-n 1 $G selfcheck" -- --mpiexec mpiexec -- selfcheck
dryrun "quoting" "-n 1 $G prove --graph 'my graph.gfg' --out 'it'\\''s'" -- -- prove --graph "my graph.gfg" --out "it's"
p=$(( cores >= 2 ? 2 : 1 ))
dryrun "physical cores" "-n $p $G selfcheck" -- --max-parallel 2 -- selfcheck
expect "--verbose names the inputs" 0 err "R = 4 = min\(next_pow2\(max parallel 3\), prev_pow2\(5 cpus from ZKML_NUM_CPUS\)\)" -- \
    env ZKML_NUM_CPUS=5 "$G" run --verbose --dry-run --max-parallel 3 -- selfcheck
expect "--verbose prints the command" 0 err "gkrflow run: ${pre}mpiexec -n 1 " -- "$G" run --verbose --dry-run -- selfcheck
expect "--verbose: forced" 0 err "forced by ZKML_FORCE_OVERSUBSCRIBE" -- \
    env ZKML_FORCE_OVERSUBSCRIBE=1 "$G" run --verbose --dry-run -- selfcheck

# --- invalid environment and options ---
for v in 0 -1 abc "" 1.5 " 2" 0x4 99999999999; do
    expect "ZKML_NUM_CPUS='$v' rejected" 2 err "ZKML_NUM_CPUS" -- env ZKML_NUM_CPUS="$v" "$G" run --dry-run -- selfcheck
done
expect "ZKML_NUM_CPUS=abc names the value" 2 err "ZKML_NUM_CPUS='abc'" -- env ZKML_NUM_CPUS=abc "$G" run -- selfcheck
for v in maybe 2 on " 1"; do
    expect "ZKML_FORCE_OVERSUBSCRIBE='$v' rejected" 2 err "ZKML_FORCE_OVERSUBSCRIBE='$v'" -- \
        env ZKML_FORCE_OVERSUBSCRIBE="$v" "$G" run --dry-run -- selfcheck
done
expect "--np 3" 2 err "--np 3 is not a power of two" -- "$G" run --dry-run --np 3 -- selfcheck
expect "--np 0" 2 err "--np" -- "$G" run --dry-run --np 0 -- selfcheck
expect "--np abc" 2 err "--np" -- "$G" run --dry-run --np abc -- selfcheck
expect "--np without value" 2 err "needs a value" -- "$G" run --np
expect "--max-parallel -3" 2 err "--max-parallel" -- "$G" run --dry-run --max-parallel -3 -- selfcheck
expect "unknown option" 2 err "unknown option '--bogus'" -- "$G" run --bogus -- selfcheck
expect "missing --" 2 err "put '--' before the command" -- "$G" run selfcheck
expect "nothing after --" 2 err "no command" -- "$G" run --np 2 --
expect "no arguments" 2 err "no command" -- "$G" run
expect "run cannot run itself" 2 err "cannot start itself" -- "$G" run -- run -- selfcheck
expect "refused under mpiexec" 2 err "already running under mpiexec" -- env OMPI_COMM_WORLD_SIZE=2 "$G" run -- selfcheck
expect "mpiexec not on PATH" 1 err "mpiexec not found on PATH" -- env PATH=/nonexistent "$G" run --np 1 -- selfcheck
expect "--mpiexec missing program" 1 err "/nonexistent/mpiexec not found" -- \
    "$G" run --mpiexec /nonexistent/mpiexec -- selfcheck

# --- real runs ---
if ! command -v mpiexec >/dev/null; then
    echo "skip: mpiexec not found, no real MPI runs"
else
    noroot=(env -u OMPI_ALLOW_RUN_AS_ROOT -u OMPI_ALLOW_RUN_AS_ROOT_CONFIRM)
    expect "run --np 2 -- selfcheck" 0 out "ok" -- "${noroot[@]}" "$G" run --np 2 -- selfcheck
    check "two ranks ran selfcheck" test "$(grep -c 'transcript determinism and divergence *ok$' "$W/out")" -eq 2
    expect "4 ranks via ZKML_NUM_CPUS=4" 0 out "ok" -- "${noroot[@]}" ZKML_NUM_CPUS=4 "$G" run --max-parallel 4 -- selfcheck
    check "four ranks ran selfcheck" test "$(grep -c 'transcript determinism and divergence *ok$' "$W/out")" -eq 4
    expect "failing command on the ranks" 2 err "unknown command" -- "$G" run --np 2 -- no-such-command

    # a rank failure ends the job quickly
    if [ ! -x "$M" ]; then
        fail=$((fail + 1)); echo "FAIL abort test: $M not found (set GKRFLOW_TEST_MPICOMM)"
    else
        export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
        for k in 1 0; do
            t0=$(date +%s%N)
            timeout 30 mpiexec -n 2 --oversubscribe "$M" --abort-rank $k >"$W/out" 2>"$W/err"
            rc=$?
            ms=$((($(date +%s%N) - t0) / 1000000))
            check "abort on rank $k: exit non-zero (got $rc, not the timeout)" test "$rc" -ne 0 -a "$rc" -ne 124
            check "abort on rank $k: message names rank $k" grep -q "^gkrflow: rank $k: deliberate failure" "$W/err"
            check "abort on rank $k: no rank left the barrier" bash -c "! grep -q 'barrier returned' '$W/err'"
            check "abort on rank $k: finished in ${ms} ms (< 20 s)" test "$ms" -lt 20000
        done
        # a rank killed by a signal (no message of its own): mpiexec names it and ends the job
        t0=$(date +%s%N)
        timeout 30 mpiexec -n 2 --oversubscribe "$M" --kill-rank 1 >"$W/out" 2>"$W/err"
        rc=$?
        ms=$((($(date +%s%N) - t0) / 1000000))
        check "killed rank 1: exit non-zero (got $rc, not the timeout)" test "$rc" -ne 0 -a "$rc" -ne 124
        check "killed rank 1: mpiexec names rank 1" grep -q "rank 1 .*signal 9" "$W/err"
        check "killed rank 1: finished in ${ms} ms (< 20 s)" test "$ms" -lt 20000
    fi
fi

# proving a graph on several ranks gives the single-process proof, byte for byte
B=$(dirname "$G")
if command -v mpiexec >/dev/null 2>&1 && [ -x "$B/gkrflow-example-matmul" ] && [ -x "$B/gkrflow-example-add" ]; then
    "$B/gkrflow-example-matmul" --n 32 --k 16 --m 16 --seed 3 --graph "$W/mm.graph" --witness "$W/mm.wit" >/dev/null
    "$B/gkrflow-example-add" --graph "$W/add.graph" --witness "$W/add.wit" >/dev/null
    for prog in mm add; do
        "$G" prove --graph "$W/$prog.graph" --witness "$W/$prog.wit" --out "$W/$prog.p1" --quiet
        for np in 2 4; do
            ZKML_FORCE_OVERSUBSCRIBE=1 timeout 120 "$G" run --np $np -- prove --graph "$W/$prog.graph" --witness "$W/$prog.wit" \
                --out "$W/$prog.p$np" --quiet >"$W/out" 2>"$W/err"
            check "$prog: prove on $np ranks exits 0" test $? -eq 0
            check "$prog: $np-rank proof is byte-identical to the 1-process proof" cmp -s "$W/$prog.p1" "$W/$prog.p$np"
            check "$prog: $np-rank proof verifies" "$G" verify --graph "$W/$prog.graph" --proof "$W/$prog.p$np"
        done
    done
    # prove --np R | auto launches itself through gkrflow run
    timeout 120 "$G" prove --graph "$W/mm.graph" --witness "$W/mm.wit" --out "$W/mm.pauto" --np auto --quiet >"$W/out" 2>"$W/err"
    check "prove --np auto exits 0" test $? -eq 0
    check "prove --np auto: byte-identical proof" cmp -s "$W/mm.p1" "$W/mm.pauto"
    timeout 120 "$G" prove --graph "$W/mm.graph" --witness "$W/mm.wit" --out "$W/mm.pnp2" --np 2 --quiet --timings >"$W/out" 2>"$W/err"
    check "prove --np 2: byte-identical proof" cmp -s "$W/mm.p1" "$W/mm.pnp2"
    check "prove --np 2 --timings: rank 0's steps" grep -Eq "^rank 0: commit [0-9.]+ set-up [0-9.]+ inputs [0-9.]+ evaluation [0-9.]+ sumchecks [0-9.]+ claims [0-9.]+ opening [0-9.]+ ms$" "$W/err"
    check "prove --np 2 --timings: rank 1's steps" grep -Eq "^rank 1: commit 0.00 set-up [0-9.]+ inputs" "$W/err"
    check "prove --np 2 --quiet: nothing on stdout" test ! -s "$W/out"
    "$G" prove --graph "$W/mm.graph" --witness "$W/mm.wit" --out "$W/never3" --np 3 >"$W/out" 2>"$W/err"
    rc=$?
    check "prove --np 3: usage error (got $rc)" test "$rc" -eq 2
    check "prove --np 3: nothing written" test ! -e "$W/never3"
    # a failure on rank 0 (missing witness) ends every rank with an error, no hang
    ZKML_FORCE_OVERSUBSCRIBE=1 timeout 60 "$G" run --np 2 -- prove --graph "$W/mm.graph" --witness "$W/missing.wit" \
        --out "$W/never" >"$W/out" 2>"$W/err"
    rc=$?
    check "missing witness on 2 ranks: exit 1 (got $rc)" test "$rc" -eq 1
    check "missing witness on 2 ranks: message names the file" grep -q "missing.wit" "$W/err"
    check "missing witness on 2 ranks: no proof written" test ! -e "$W/never"
    # started directly by mpiexec on a rank count that is not a power of two: a clear error
    OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 timeout 60 mpiexec --oversubscribe -n 3 "$G" prove \
        --graph "$W/mm.graph" --witness "$W/mm.wit" --out "$W/never3b" >"$W/out" 2>"$W/err"
    rc=$?
    check "mpiexec -n 3: exit non-zero (got $rc)" test "$rc" -ne 0 -a "$rc" -ne 124
    check "mpiexec -n 3: message asks for a power of two" grep -q "power-of-two number of ranks" "$W/err"
    check "mpiexec -n 3: no proof written" test ! -e "$W/never3b"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
