#!/usr/bin/env bash
# End-to-end tests of the gkrflow CLI (run by ctest; GKRFLOW_CLI = the gkrflow binary,
# GKRFLOW_SHARED = the shared directory with workloads/).
#  - every command's --help; unknown commands and options; option value errors;
#  - tiny hand-written M31 and BN254 circuits and witnesses (printf, no C): prove and verify
#    in both modes, proof sizes as docs/proofs.md computes them, a flipped byte in each
#    section, truncations, trailing bytes, the wrong circuit or field, missing files, a
#    witness violating a constraint (exit 1, no file left behind);
#  - the Expander-cpp Keccak circuit (skipped if the workload is absent): import, a
#    16-instance witness, prove --public-outputs, verify, tampering, and proving it without
#    --public-outputs (its outputs are not 0).
# Prints "N passed, M failed"; exits 1 if anything failed.
set -u
G=${GKRFLOW_CLI:?set GKRFLOW_CLI to the gkrflow binary}
SHARED=${GKRFLOW_SHARED:-}
W=$(mktemp -d "${TMPDIR:-/tmp}/gkrflow-cli.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT
pass=0
fail=0

. "$(dirname "${BASH_SOURCE[0]}")/testlib.sh"   # expect, check, out_has, u8/u32/u64, byte_at, flip, size

# --- BN254 encoders and 64-bit reads (the rest: testlib.sh) ---
fr() { u64 "$1"; printf '\x00%.0s' {1..24}; }   # small BN254 element, 32 bytes LE (files use LE)
FR_MINUS_1='\x00\x00\x00\xf0\x93\xf5\xe1\x43\x91\x70\xb9\x79\x48\xe8\x33\x28\x5d\x58\x81\x81\xb6\x45\x50\xb8\x29\xa0\x31\xe1\x72\x4e\x64\x30'
u64_at() { od -An -tu8 -j "$2" -N8 "$1" | tr -d ' '; }
differ() { ! cmp -s "$1" "$2"; }

# --- help, usage errors ---
expect "gkrflow --help" 0 out "^usage:" -- "$G" --help
expect "gkrflow without a command" 2 err "usage:" -- "$G"
expect "gkrflow --version" 0 out "^gkrflow [0-9]" -- "$G" --version
expect "unknown command" 2 err "unknown command 'frobnicate'" -- "$G" frobnicate
cmds=$("$G" --help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }')
for c in bench import-extracted keccak-witness prove-circuit verify-circuit selfcheck; do
    check "command $c is listed" grep -qx -- "$c" <<<"$cmds"
done
for c in $cmds; do
    expect "$c --help" 0 out "usage:" -- "$G" "$c" --help
done
for c in import-extracted keccak-witness prove-circuit verify-circuit; do
    expect "$c: unknown option" 2 err "unknown argument '--bogus'" -- "$G" "$c" --bogus x
    expect "$c: no options" 2 err "required" -- "$G" "$c"
done
expect "bench: unknown benchmark" 2 err "unknown benchmark '--bogus'" -- "$G" bench --bogus
expect "option without a value" 2 err "--circuit needs a value" -- "$G" prove-circuit --witness w --out p --circuit
expect "positional argument" 2 err "unknown argument 'extra'" -- "$G" verify-circuit --circuit c --proof p extra
expect "--threads 0" 2 err "--threads" -- "$G" prove-circuit --circuit c --witness w --out p --threads 0
for n in 0 3 8192 12x; do
    expect "keccak-witness --instances $n" 2 err "--instances" -- "$G" keccak-witness --circuit c --instances "$n" --out w
done
for s in abc -1 18446744073709551616 ""; do
    expect "keccak-witness --seed '$s'" 2 err "--seed: '$s' is not an unsigned 64-bit integer" -- \
        "$G" keccak-witness --circuit c --instances 16 --seed "$s" --out w
done

# --- tiny circuits: out = in0*in1 - in2 (in3 unused), 1 layer, in_log 2, out_log 0 ---
# mk_circuit FIELD ADD_INPUT: the add gate reads ADD_INPUT (2 = the product constraint).
mk_circuit() {
    printf GKRFCIRC; u32 1; u32 "$1"; u32 1; u32 2
    if [ "$1" = 1 ]; then u8 0; u32 1; u8 0; u32 2147483646; else u8 0; fr 1; u8 0; printf "$FR_MINUS_1"; fi
    u32 2; u32 0; u64 1; u64 1; u64 0
    u32 0; u32 0; u32 1; u32 0   # mul: out 0 += c0 * in0 * in1
    u32 0; u32 "$2"; u32 1       # add: out 0 += c1 * in[ADD_INPUT]
}
# mk_witness FIELD N BAD: instance k = (k+2, k+3, (k+2)(k+3), 0); instance BAD gets c + 1.
mk_witness() {
    printf GKRFWITN; u32 1; u32 "$1"; u64 "$2"; u64 4
    local k
    for ((k = 0; k < $2; k++)); do
        local a=$((k + 2)) b=$((k + 3))
        local p=$((a * b + (k == $3 ? 1 : 0)))
        if [ "$1" = 1 ]; then u32 $a; u32 $b; u32 $p; u32 0; else fr $a; fr $b; fr $p; fr 0; fi
    done
}
T=$W/t
for f in 1 2; do
    mk_circuit $f 2 >"$T$f.circ"; mk_circuit $f 3 >"$T$f.other.circ"
    mk_witness $f 20 -1 >"$T$f.wit"; mk_witness $f 20 7 >"$T$f.bad.wit"
done
check "tiny circuit file size (24 + coefs + 32 + 16 + 12)" [ "$(size "${T}1.circ")" = 94 ]
check "tiny bn254 circuit file size" [ "$(size "${T}2.circ")" = $((24 + 2 * 33 + 60)) ]

# Expected proof sizes (docs/proofs.md): 20 instances -> N = 32; GKR: one layer, in_log 2,
# with mul gates: 3*2 + 4*v + 1 + 3*2 + 1 elements, v = 4 + log2(K) (M31, K = 2) or log2 N (BN254).
m31_gkr=$((12 * (6 + 4 * 5 + 1 + 7))); bn_gkr=$((32 * (6 + 4 * 5 + 1 + 7)))
m31_zero=$((104 + 8 + m31_gkr + 8 + 4 * 32 * 4)); m31_pub=$((m31_zero + 8 + 4 * 32))
bn_zero=$((104 + 8 + bn_gkr + 8 + 32 * 32 * 4)); bn_pub=$((bn_zero + 8 + 32 * 32))
for f in 1 2; do
    # E: bytes per field element in the file; GE: per GKR element; LB: offset of a low-order byte in a GKR element
    F=m31; zs=$m31_zero; ps=$m31_pub; E=4; GE=12; LB=0
    [ $f = 2 ] && { F=bn254; zs=$bn_zero; ps=$bn_pub; E=32; GE=32; LB=31; }
    C=$T$f.circ
    expect "$F: prove (zero outputs)" 0 out "proved 20 instances: $zs bytes" -- \
        "$G" prove-circuit --circuit "$C" --witness "$T$f.wit" --out "$T$f.proof" --threads 2
    check "$F: proof size $zs" [ "$(size "$T$f.proof")" = "$zs" ]
    expect "$F: verify" 0 out "^ok: 20 instances verified .*all outputs are 0" -- "$G" verify-circuit --circuit "$C" --proof "$T$f.proof"
    expect "$F: prove --public-outputs --quiet" 0 out "" -- \
        "$G" prove-circuit --circuit "$C" --witness "$T$f.bad.wit" --out "$T$f.pub" --public-outputs --quiet --threads 1
    check "$F: --quiet prints nothing" [ ! -s "$W/out" ]
    check "$F: public proof size $ps" [ "$(size "$T$f.pub")" = "$ps" ]
    expect "$F: verify public" 0 out "^ok: .*public outputs" -- "$G" verify-circuit --circuit "$C" --proof "$T$f.pub"
    # the field and flags in the header
    check "$F: header field id" [ "$(byte_at "$T$f.proof" 12)" = $f ]
    check "$F: header flags" [ "$(byte_at "$T$f.pub" 16)$(byte_at "$T$f.proof" 16)" = 10 ]
    check "$F: header counts" [ "$(u64_at "$T$f.proof" 20) $(u64_at "$T$f.proof" 28)" = "20 $([ $f = 1 ] && echo 2 || echo 32)" ]
    check "$F: header pcs id" [ "$(byte_at "$T$f.proof" 68)" = 1 ]
    check "$F: gkr length field" [ "$(u64_at "$T$f.proof" 104)" = "$([ $f = 1 ] && echo $m31_gkr || echo $bn_gkr)" ]

    expect "$F: constraint violated" 1 err "instance 7: output 0 is .*not 0" -- \
        "$G" prove-circuit --circuit "$C" --witness "$T$f.bad.wit" --out "$T$f.bad.proof"
    check "$F: nothing written for a violated constraint" [ -z "$(ls "$T$f".bad.proof* 2>/dev/null)" ]
    expect "$F: wrong circuit" 1 err "different circuit \(digest mismatch\)" -- \
        "$G" verify-circuit --circuit "$T$f.other.circ" --proof "$T$f.proof"
    expect "$F: wrong field" 1 err "proof is for field" -- \
        "$G" verify-circuit --circuit "$T$((3 - f)).circ" --proof "$T$f.proof"
    expect "$F: witness of the other field" 1 err "field" -- \
        "$G" prove-circuit --circuit "$C" --witness "$T$((3 - f)).wit" --out "$W/x.proof"

    # one flipped bit per section: magic, version, digest, commitment, GKR message, opening
    flip "$T$f.proof" 0 "$W/x"; expect "$F: flipped magic" 1 err "bad magic" -- "$G" verify-circuit --circuit "$C" --proof "$W/x"
    flip "$T$f.proof" 8 "$W/x"; expect "$F: flipped version" 1 err "version" -- "$G" verify-circuit --circuit "$C" --proof "$W/x"
    flip "$T$f.proof" 20 "$W/x"   # 21 instances: same padding, but the count is in the transcript
    expect "$F: flipped instance count" 1 err "layer 0" -- "$G" verify-circuit --circuit "$C" --proof "$W/x"
    flip "$T$f.proof" 28 "$W/x"; expect "$F: flipped block count" 1 err "inconsistent" -- "$G" verify-circuit --circuit "$C" --proof "$W/x"
    flip "$T$f.proof" 50 "$W/x"; expect "$F: flipped digest" 1 err "digest mismatch" -- "$G" verify-circuit --circuit "$C" --proof "$W/x"
    flip "$T$f.proof" 80 "$W/x"; expect "$F: flipped commitment" 1 err "layer|raw PCS" -- "$G" verify-circuit --circuit "$C" --proof "$W/x"
    flip "$T$f.proof" $((112 + 3 * GE + LB)) "$W/x"   # p(0) of round 1
    expect "$F: flipped GKR message" 1 err "layer 0, phase 1 \(x\), round 1: p\(0\)\+p\(1\) does not match" -- "$G" verify-circuit --circuit "$C" --proof "$W/x"
    flip "$T$f.proof" $((zs - 2 * E)) "$W/x"
    expect "$F: flipped opening" 1 err "raw PCS: opened values do not match the commitment" -- "$G" verify-circuit --circuit "$C" --proof "$W/x"
    flip "$T$f.pub" $((112 + E)) "$W/x"
    expect "$F: flipped public output" 1 err "layer 0, phase 1 \(x\), round 0:" -- "$G" verify-circuit --circuit "$C" --proof "$W/x"
    head -c 7 "$T$f.proof" >"$W/x"
    expect "$F: 7-byte proof" 1 err "truncated" -- "$G" verify-circuit --circuit "$C" --proof "$W/x"
    for cut in 60 104 $((112 + 5)) $((zs - 1)); do
        head -c $cut "$T$f.proof" >"$W/x"
        expect "$F: truncated to $cut bytes" 1 err "truncated" -- "$G" verify-circuit --circuit "$C" --proof "$W/x"
    done
    { cat "$T$f.proof"; u8 0; } >"$W/x"
    expect "$F: trailing byte" 1 err "1 unexpected bytes after the end" -- "$G" verify-circuit --circuit "$C" --proof "$W/x"
done
expect "missing proof file" 1 err "$W/nope.proof" -- "$G" verify-circuit --circuit "${T}1.circ" --proof "$W/nope.proof"
expect "missing circuit file" 1 err "$W/nope.circ" -- "$G" verify-circuit --circuit "$W/nope.circ" --proof "${T}1.proof"
expect "missing witness file" 1 err "$W/nope.wit" -- "$G" prove-circuit --circuit "${T}1.circ" --witness "$W/nope.wit" --out "$W/x.proof"
expect "keccak-witness on a non-Keccak circuit" 1 err "gkrflow keccak-witness: " -- \
    "$G" keccak-witness --circuit "${T}1.circ" --instances 16 --out "$W/x.wit"
check "no output for a non-Keccak circuit" [ ! -e "$W/x.wit" ]

# --- the Expander-cpp Keccak circuit ---
KD=$SHARED/workloads/expander-cpp-keccak
if [ -n "$SHARED" ] && [ -f "$KD/ExtractedCircuitMul.txt.xz" ] && [ -f "$KD/ExtractedCircuitAdd.txt.xz" ]; then
    K=$W/keccak
    expect "keccak: import" 0 out "168 layers" -- \
        "$G" import-extracted --mul "$KD/ExtractedCircuitMul.txt.xz" --add "$KD/ExtractedCircuitAdd.txt.xz" --out "$K.circ"
    expect "keccak: witness" 0 out "16 instances x 16384 inputs \(128 Keccak-f permutations\), seed 7" -- \
        "$G" keccak-witness --circuit "$K.circ" --instances 16 --seed 7 --out "$K.wit"
    check "keccak: witness size" [ "$(size "$K.wit")" = $((32 + 16 * 16384 * 4)) ]
    "$G" keccak-witness --circuit "$K.circ" --instances 16 --seed 7 --out "$K.wit2" >/dev/null 2>&1
    check "keccak: witness is deterministic in the seed" cmp -s "$K.wit" "$K.wit2"
    "$G" keccak-witness --circuit "$K.circ" --instances 16 --seed 8 --out "$K.wit2" >/dev/null 2>&1
    check "keccak: another seed, another witness" differ "$K.wit" "$K.wit2"
    expect "keccak: prove --public-outputs" 0 out "proved 16 instances" -- \
        "$G" prove-circuit --circuit "$K.circ" --witness "$K.wit" --out "$K.proof" --public-outputs --threads 2
    expect "keccak: verify" 0 out "^ok: 16 instances verified" -- "$G" verify-circuit --circuit "$K.circ" --proof "$K.proof"
    n_out=$((16 * 16384)); gkr_at=$((104 + 8 + 4 * n_out))
    check "keccak: output count field" [ "$(u64_at "$K.proof" 104)" = $n_out ]
    gkr_len=$(u64_at "$K.proof" $gkr_at)
    check "keccak: opening length field" [ "$(u64_at "$K.proof" $((gkr_at + 8 + gkr_len)))" = $((4 * 16 * 16384)) ]
    check "keccak: proof size" [ "$(size "$K.proof")" = $((gkr_at + 8 + gkr_len + 8 + 4 * 16 * 16384)) ]
    flip "$K.proof" $((gkr_at + 8 + 12 * 4 + 1)) "$W/x"
    expect "keccak: flipped GKR byte" 1 err "layer 167, phase 1 \(x\), round [12]" -- "$G" verify-circuit --circuit "$K.circ" --proof "$W/x"
    flip "$K.proof" $((104 + 8 + 4 * 1601 + 1)) "$W/x"
    expect "keccak: flipped output byte" 1 err "layer 167, phase 1 \(x\), round 0" -- "$G" verify-circuit --circuit "$K.circ" --proof "$W/x"
    head -c $((gkr_at + 8 + gkr_len / 2)) "$K.proof" >"$W/x"
    expect "keccak: truncated proof" 1 err "truncated at byte [0-9]+: layer" -- "$G" verify-circuit --circuit "$K.circ" --proof "$W/x"
    expect "keccak: proof against another circuit" 1 err "different circuit" -- "$G" verify-circuit --circuit "${T}1.circ" --proof "$K.proof"
    expect "keccak: tiny proof against the keccak circuit" 1 err "different circuit" -- "$G" verify-circuit --circuit "$K.circ" --proof "${T}1.proof"
    expect "keccak: prove without --public-outputs" 1 err "instance [0-9]+: output [0-9]+ is [0-9]+, not 0" -- \
        "$G" prove-circuit --circuit "$K.circ" --witness "$K.wit" --out "$K.zero.proof" --threads 2
    check "keccak: nothing written without --public-outputs" [ -z "$(ls "$K".zero.proof* 2>/dev/null)" ]
else
    echo "skip: Keccak workload not found under '${SHARED:-<GKRFLOW_SHARED unset>}/workloads/expander-cpp-keccak'"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
