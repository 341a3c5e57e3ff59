#!/usr/bin/env bash
# `make install` layout: install into a temporary prefix, then build and run a program
# against the installed header and library through pkg-config only.
set -u
build=$(dirname "$GKRFLOW_CLI")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
ok() { echo "ok   $1"; pass=$((pass+1)); }
bad() { echo "FAIL $1"; fail=$((fail+1)); }
if cmake --install "$build" --prefix "$tmp/prefix" >"$tmp/install.log" 2>&1; then ok "cmake --install"; else bad "cmake --install"; cat "$tmp/install.log"; fi
for f in bin/gkrflow include/gkrflow.h include/gkrflow/gkr/gkr.h; do
  [ -e "$tmp/prefix/$f" ] && ok "installed $f" || bad "installed $f"
done
pc=$(ls "$tmp"/prefix/lib*/pkgconfig/gkrflow.pc 2>/dev/null | head -1)
[ -n "$pc" ] && ok "installed gkrflow.pc" || bad "installed gkrflow.pc"
cat > "$tmp/use.c" <<'C'
#include <gkrflow.h>
#include <stdio.h>
int main(void) {
    gf_m31 a = 12345, b = gf_m31_inv(a);
    printf("%u\n", gf_m31_mul(a, b));
    return gf_m31_mul(a, b) == 1 ? 0 : 1;
}
C
if [ -n "$pc" ]; then
  export PKG_CONFIG_PATH=$(dirname "$pc")
  # a sanitized build installs a sanitized library: the program must be linked the same way
  san=""
  grep -q '^GKRFLOW_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null && san="-fsanitize=address,undefined"
  if cc $san $(pkg-config --cflags gkrflow) "$tmp/use.c" -o "$tmp/use" $(pkg-config --libs gkrflow) 2>"$tmp/cc.log" && "$tmp/use" >/dev/null; then
    ok "program built and run against the installed library"
  else bad "program against the installed library"; cat "$tmp/cc.log"; fi
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
