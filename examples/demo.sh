#!/usr/bin/env bash
# `make demo`: end-to-end example. Grows with the project (see README).
set -euo pipefail
BUILD=${1:-build}
"$BUILD/gkrflow" selfcheck
