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

# Run the plugin in review mode; a signal death (status > 128) or a
# sanitizer report is always a failure, whatever the caller expects.
ks() { "$KS_BIN" "$@"; }

# Sorted unique auditd.sequence values of JSON alerts on stdin.
sequences() { jq -r '.auditd.sequence' | sort -n | uniq; }

need() {
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || {
			echo "FAIL - $t is required (apt-get install $t)"; exit 1; }
	done
}
