#!/bin/sh
# The whole test suite: configure (warnings are errors) if needed, build,
# run `make check`, and end with one summary line. The live test needs
# root and kernel audit; everything else runs anywhere.
set -u
cd "$(dirname "$0")/.." || exit 2
if [ ! -x configure ]; then autoreconf -fi || exit 2; fi
if [ ! -f Makefile ]; then ./configure --enable-werror || exit 2; fi
make -j2 || exit 2
rm -f test-suite.log
make -j1 check
rc=$?
log=test-suite.log
if [ ! -f "$log" ]; then
	echo "tests: 0 passed, 1 failed (make check did not run the suite)"
	exit 1
fi
for f in tests/*.log; do
	[ -f "$f" ] || continue
	# Show each test's own output: cmocka's and the scripts' lines.
	echo "=== $f"; cat "$f"
done
{
	pass=$(sed -n 's/^# PASS: *//p' "$log")
	fail=$(sed -n 's/^# FAIL: *//p' "$log")
	skip=$(sed -n 's/^# SKIP: *//p' "$log")
	err=$(sed -n 's/^# ERROR: *//p' "$log")
	echo "tests: ${pass:-0} passed, $(( ${fail:-0} + ${err:-0} )) failed, ${skip:-0} skipped"
}
exit $rc
