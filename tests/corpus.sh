#!/bin/bash
# Robustness over real audit logs from public projects (../shared/corpus,
# see its PROVENANCE.md): every file is processed without a crash, and,
# where valgrind is installed, without a memory error or leak. The oracle
# must agree with the plugin on every file, and each file with CRLF line
# endings must give the same execs. Skips when the corpus is absent
# (users clone the project alone).
. "$(dirname "$0")/lib.sh"
[ -d "$CORPUS" ] || skip "no corpus at $CORPUS (it lives beside the project in ../shared)"
need jq python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

vg=()
# Under --enable-sanitizers ASan already watches every run; valgrind and
# ASan cannot share a process.
if [ "${KS_SANITIZED:-}" != yes ] && command -v valgrind >/dev/null 2>&1; then
	vg=(valgrind -q --suppressions="$KS_SRCDIR/tests/valgrind.supp" --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect)
fi

while IFS= read -r -d '' f; do
	rel=${f#"$CORPUS"/}
	"${vg[@]}" "$KS_BIN" --config "$KS_CONF" --input "$f" --format json --host-name testhost > "$tmp/out" 2> "$tmp/err"
	rc=$?
	if [ $rc -ne 0 ]; then
		fail "$rel: exit $rc"; head -20 "$tmp/err"; continue
	fi
	sequences < "$tmp/out" > "$tmp/seq"
	python3 "$KS_SRCDIR/tests/oracle.py" "$f" > "$tmp/oracle"
	if cmp -s "$tmp/seq" "$tmp/oracle"; then
		ok "$rel (${vg[0]:-no valgrind}; $(wc -l < "$tmp/seq") alerts, oracle agrees)"
	else
		fail "$rel: oracle disagrees"; diff "$tmp/oracle" "$tmp/seq" | head
	fi
	# The same log copied through Windows tools: CRLF endings give the
	# same events, byte for byte (every exec, through a rule matching all).
	LC_ALL=C sed 's/$/\r/' "$f" > "$tmp/crlf"
	"$KS_BIN" --config "$KS_CONF" --rule "$DATA/rules/all-execs.toml" --input "$f" > "$tmp/lf.all" 2>/dev/null
	"$KS_BIN" --config "$KS_CONF" --rule "$DATA/rules/all-execs.toml" --input "$tmp/crlf" > "$tmp/crlf.all" 2>/dev/null
	if cmp -s "$tmp/lf.all" "$tmp/crlf.all"; then
		ok "$rel with CRLF endings: the same $(wc -l < "$tmp/lf.all") execs"
	else
		fail "$rel with CRLF endings: execs differ"; diff "$tmp/lf.all" "$tmp/crlf.all" | head -4
	fi
done < <(find "$CORPUS" -type f ! -name '*.md' -print0 | sort -z)

# All files as one stream, in chunks of every size the pipe gives.
find "$CORPUS" -type f ! -name '*.md' -print0 | sort -z | xargs -0 cat | ks --input - > /dev/null
rc=$?
if [ $rc -eq 0 ]; then ok "whole corpus through stdin"; else fail "whole corpus through stdin: exit $rc"; fi

finish
