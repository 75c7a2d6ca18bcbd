#!/bin/bash
# Elastic's Linux rules straight from a detection-rules checkout
# (../shared/elastic-detection-rules, see its PROVENANCE.md; skipped with
# a message when it is absent, as users clone the project alone):
#  - --check-rules over the checkout: every rule listed, a summary by
#    reason, exit 0, the usual last line;
#  - coverage of the exec-class rules (tests/elastic_coverage.sh), at
#    least what loads today;
#  - every loaded rule against tests/eql_ref.py, an independent EQL
#    implementation, on events made from the rules' own literals (a
#    positive attempt per OR branch and near misses): the same rules must
#    match every event, and most rules must have an event they match;
#  - the same with the rules as loaded, each run on every exec (eql_diff
#    -p: no folded constants, no eql_set): the optimisations change no
#    answer;
#  - the plugin's alerts (JSON) with every rule on the exec-heavy bench
#    stream (tests/bench/gen.py) and on the recorded logs are byte for byte
#    those of the plain rules;
#  - a 128 KiB hostile argument in every field a regex rule reads stays
#    within 100 ms per exec;
#  - a building-block rule's alert says so.
. "$(dirname "$0")/lib.sh"
ELASTIC=${KS_ELASTIC_RULES:-$KS_SRCDIR/../shared/elastic-detection-rules}
[ -d "$ELASTIC" ] || skip "no detection-rules checkout at $ELASTIC (it lives beside the project in ../shared)"
need python3 jq
DIFF=${KS_EQL_DIFF:-$(dirname "$KS_BIN")/../tests/eql_diff}
[ -x "$DIFF" ] || { fail "no $DIFF (make builds it)"; finish; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$KS_BIN" --check-rules --rules-dir "$ELASTIC" > "$tmp/check" 2> "$tmp/err"; rc=$?
n_loaded=$(grep -c ': loaded: ' "$tmp/check")
n_not=$(grep -c ': not loaded: ' "$tmp/check")
last=$(tail -1 "$tmp/check")
if [ $rc -eq 0 ] && [ ! -s "$tmp/err" ] && [ "$last" = "$n_loaded rules enabled, 0 problems" ] &&
   grep -q "^summary: $n_loaded rules enabled (.* cannot fire on audit data), $n_loaded loaded, $n_not not loaded, [0-9]* skipped (tagged for another OS)$" "$tmp/check" &&
   [ $((n_loaded + n_not)) -eq "$(grep -rl '"OS: Linux"' "$ELASTIC" --include='*.toml' | wc -l)" ]; then
	ok "--check-rules on the checkout: $n_loaded loaded, $n_not not loaded, one line each, summary, exit 0"
else
	fail "--check-rules on the checkout: exit $rc, last line '$last'"; head "$tmp/err"
fi
grep -q '^ *[0-9]* loaded: cannot fire on audit data: needs process.env_vars (audit records do not carry the environment)$' "$tmp/check" &&
	ok "a rule that needs the environment loads, and is said to never fire" ||
	fail "no 'cannot fire' reason for process.env_vars"

KS_BIN=$KS_BIN "$KS_SRCDIR/tests/elastic_coverage.sh" "$ELASTIC" > "$tmp/cov"
read -r total loaded < <(sed -n 's/^exec-class Linux rules: \([0-9]*\), loaded: \([0-9]*\)$/\1 \2/p' "$tmp/cov")
# All 195 load with the ECS table of this tree (issue 13 asks for 180); a
# field the table gains can only raise it, a row lost lowers it.
if [ "${total:-0}" -eq 195 ] && [ "${loaded:-0}" -ge 195 ]; then
	ok "exec-class coverage: $loaded of $total load"
else
	fail "exec-class coverage: ${loaded:-?} of ${total:-?}"; cat "$tmp/cov"
fi

grep ': loaded: ' "$tmp/check" | sed 's/.*: loaded: \([^ ]*\) .*/\1/' | sort -u > "$tmp/ids"
if python3 "$KS_SRCDIR/tests/eql_ref.py" gen "$ELASTIC" "$tmp/ids" "$tmp/events" "$tmp/want"; then
	"$DIFF" "$ELASTIC" < "$tmp/events" > "$tmp/got"
	n_ev=$(wc -l < "$tmp/want")
	n_pos=$(awk '{ for (i = 2; i <= NF; i++) s[$i] = 1 } END { print length(s) }' "$tmp/want")
	if cmp -s "$tmp/want" "$tmp/got" && [ "$n_ev" -ge 2000 ] && [ "$n_pos" -ge 160 ]; then
		ok "differential: $(wc -l < "$tmp/ids") rules x $n_ev events agree with the reference ($n_pos rules have a matching event)"
	else
		fail "differential: $n_ev events, $n_pos rules matched; first differences:"
		diff "$tmp/want" "$tmp/got" | head -10
	fi
	"$DIFF" -p "$ELASTIC" < "$tmp/events" > "$tmp/got-plain"
	if cmp -s "$tmp/want" "$tmp/got-plain"; then
		ok "differential: the rules run plainly (no folding, no rule set) agree too"
	else
		fail "differential, plain rules: first differences:"
		diff "$tmp/want" "$tmp/got-plain" | head -10
	fi
else
	fail "the reference cannot read a rule the plugin loaded"
fi

# The whole plugin path (auparse, process table, ECS, rules, JSON alerts)
# with every rule, compiled into the rule set and plain.
python3 "$KS_SRCDIR/tests/bench/gen.py" exec-heavy 20000 > "$tmp/bench.log"
same=0 total=0 alerts=0 rules=
for log in "$tmp/bench.log" "$DATA"/*.log; do
	total=$((total + 1))
	"$DIFF" -r "$log" "$ELASTIC" > "$tmp/set.json" 2> "$tmp/set.err"
	"$DIFF" -p -r "$log" "$ELASTIC" > "$tmp/plain.json" 2> "$tmp/plain.err"
	if cmp -s "$tmp/set.json" "$tmp/plain.json"; then
		same=$((same + 1))
	else
		echo "# $log: the alerts differ:"; diff "$tmp/plain.json" "$tmp/set.json" | head -4
	fi
	alerts=$((alerts + $(wc -l < "$tmp/set.json")))
	rules="$rules $(jq -r '.rule.id' "$tmp/set.json" | sort -u | tr '\n' ' ')"
done
n_rules=$(tr ' ' '\n' <<< "$rules" | grep . | sort -u | wc -l)
bench_alerts=$("$DIFF" -r "$tmp/bench.log" "$ELASTIC" 2>/dev/null | wc -l)
# (recorded execs fire few of Elastic's rules: the differential above is
# where every rule is compared; here the whole path is)
if [ "$same" -eq "$total" ] && [ "$bench_alerts" -ge 2000 ] && [ "$n_rules" -ge 2 ]; then
	ok "the plugin's JSON alerts, every rule, set vs plain: identical on the bench stream ($bench_alerts alerts) and $((total - 1)) recorded logs ($alerts alerts in all, from $n_rules rules)"
else
	fail "set vs plain: $same of $total logs identical, $bench_alerts alerts on the bench, $n_rules rules fired"
fi

if python3 "$KS_SRCDIR/tests/eql_ref.py" hostile "$ELASTIC" "$tmp/ids" "$tmp/hostile" &&
   "$DIFF" -t 100 "$ELASTIC" < "$tmp/hostile" > /dev/null 2> "$tmp/herr"; then
	ok "128 KiB hostile arguments against every regex rule: $(tail -1 "$tmp/herr")"
else
	fail "a hostile exec took too long:"; cat "$tmp/herr"
fi

# The memory-seeking building block fires on the recorded P-scenarios
# without /boot/ (tests/rules.sh lists them); its alerts say what it is.
"$KS_BIN" --rules-dir "$ELASTIC" --rules 035a6f21-4092-471d-9cda-9e379f459b1e \
	--input "$DATA/raw-fork.log" --format json > "$tmp/bb" 2> "$tmp/err"; rc=$?
if [ $rc -eq 0 ] && [ "$(wc -l < "$tmp/bb")" -eq 19 ] &&
   [ "$(jq -r '.rule.building_block_type' "$tmp/bb" | sort -u)" = default ]; then
	ok "a building-block rule's alerts carry rule.building_block_type"
else
	fail "building block: exit $rc, $(wc -l < "$tmp/bb") alerts"; head -3 "$tmp/err"
fi
finish
