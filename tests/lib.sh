# Shared helpers for the shell tests (sourced). Automake's protocol:
# exit 0 pass, 77 skip, anything else fail.
set -u
KS_SRCDIR=${KS_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
KS_BIN=${KS_BIN:-$KS_SRCDIR/plugin/audisp-kernel-seeking}
DATA=$KS_SRCDIR/tests/data
CORPUS=${KS_CORPUS:-$KS_SRCDIR/../shared/corpus}
fails=0
passes=0

ok() { passes=$((passes + 1)); echo "ok - $*"; }
fail() { fails=$((fails + 1)); echo "FAIL - $*"; }
skip() { echo "SKIP: $*"; exit 77; }
finish() {
	echo "$passes passed, $fails failed"
	[ "$fails" -eq 0 ]
}

# Tests must not depend on what is installed on the machine: every run
# reads the shipped rules from the source tree and no local rules or
# exceptions. KS_RULES_CONF holds those lines for configs a test writes.
# No state file either (state_file's default is the system's): a test that
# wants one writes its own config.
KS_RULES_CONF="rules_dir = $KS_SRCDIR/conf/rules
local_rules_dir = $KS_SRCDIR/tests/data/no-local-rules
state_file ="
KS_CONF=$(dirname "$KS_BIN")/../tests/.ks-test.conf
mkdir -p "$(dirname "$KS_CONF")"
printf '%s\n' "$KS_RULES_CONF" > "$KS_CONF"

# Run the plugin in review mode with those rules; KS_VALGRIND=1 runs it
# under memcheck, failing on any error or leak (CI does this for the
# data-driven tests).
if [ "${KS_VALGRIND:-}" = 1 ]; then
	ks() {
		valgrind -q --error-exitcode=99 --leak-check=full \
			--errors-for-leak-kinds=definite,indirect \
			--suppressions="$KS_SRCDIR/tests/valgrind.supp" \
			"$KS_BIN" --config "$KS_CONF" "$@"
	}
else
	ks() { "$KS_BIN" --config "$KS_CONF" "$@"; }
fi

# The auditd.sequence of every JSON alert on stdin, sorted, one line per
# alert: duplicates are kept, so comparing two lists (or one with
# tests/oracle.py, which prints one line per matching event) sees an alert
# given twice as well as one missing.
sequences() { jq -r '.auditd.sequence' | sort -n; }

need() {
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || {
			echo "FAIL - $t is required (apt-get install $t)"; exit 1; }
	done
}
