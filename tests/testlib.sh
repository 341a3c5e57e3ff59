# Shared helpers of the CLI tests (sourced by tests/cli_*.sh; not a test itself).
# The sourcing script sets W (its scratch directory) and pass=0 fail=0 first.

# expect NAME RC STREAM PATTERN -- CMD...: CMD exits with RC and STREAM (out|err) matches the
# extended regex PATTERN (empty: anything). A sanitizer report on stderr is a failure even with
# the expected exit code (ASan exits 1 too, which a failure test would otherwise accept).
expect() {
    local name=$1 want=$2 stream=$3 pat=$4
    shift 5
    "$@" >"$W/out" 2>"$W/err"
    local rc=$?
    if [ "$rc" -eq "$want" ] && { [ -z "$pat" ] || grep -Eq -- "$pat" "$W/$stream"; } &&
        ! grep -Eq "Sanitizer|runtime error:" "$W/err"; then
        pass=$((pass + 1))
        echo "ok   $name"
    else
        fail=$((fail + 1))
        echo "FAIL $name: exit $rc (want $want), $stream should match '$pat'"
        sed 's/^/     out: /' "$W/out" | head -8
        sed 's/^/     err: /' "$W/err" | head -8
    fi
}
check() {   # check NAME CONDITION...: a plain shell test
    local name=$1
    shift
    if "$@"; then pass=$((pass + 1)); echo "ok   $name"; else fail=$((fail + 1)); echo "FAIL $name"; fi
}
# the last command's stdout (from expect) matches a pattern
out_has() { grep -Eq -- "$1" "$W/out"; }

# --- little-endian encoders and byte surgery (printf, od, dd) ---
u8() { local e; printf -v e '\\x%02x' "$1"; printf "$e"; }   # no subshells: witnesses are byte by byte
u32() { local e; printf -v e '\\x%02x\\x%02x\\x%02x\\x%02x' $(($1 & 255)) $((($1 >> 8) & 255)) $((($1 >> 16) & 255)) $((($1 >> 24) & 255)); printf "$e"; }
u64() { u32 $(($1 & 0xffffffff)); u32 $((($1 >> 32) & 0xffffffff)); }
byte_at() { od -An -tu1 -j "$2" -N1 "$1" | tr -d ' '; }
flip() {   # flip SRC OFFSET DST: copy with bit 0 of byte OFFSET flipped
    cp "$1" "$3"
    printf "\\$(printf %03o $(($(byte_at "$1" "$2") ^ 1)))" | dd of="$3" bs=1 seek="$2" conv=notrunc status=none
}
size() { wc -c <"$1" | tr -d ' '; }
