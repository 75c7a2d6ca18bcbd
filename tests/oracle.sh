#!/bin/bash
# The oracle (tests/oracle.py) checks itself against every test vector of
# rule-semantics.md §6 before anything relies on it.
. "$(dirname "$0")/lib.sh"
need python3
python3 "$KS_SRCDIR/tests/oracle_selftest.py"
