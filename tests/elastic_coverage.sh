#!/bin/bash
# How many of the exec-class Linux rules of a detection-rules checkout
# load: single-event `process where` EQL rules that name event.type
# "start" (the class this engine is built for), as issue 13 counts them.
# Prints each one that does not load with the reason --check-rules gives,
# then the reasons by count (an unknown field there is a field the ECS
# table lacks: rerun after adding rows to plugin/ecs_event.c), and last
# the line "exec-class Linux rules: N, loaded: L".
#
#   tests/elastic_coverage.sh [CHECKOUT]   (default ../shared/elastic-detection-rules)
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
bin=${KS_BIN:-$src/plugin/audisp-kernel-seeking}
top=${1:-${KS_ELASTIC_RULES:-$src/../shared/elastic-detection-rules}}
[ -d "$top" ] || { echo "no checkout at $top" >&2; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python3 - "$top" > "$tmp/class" <<'PY'
import os, re, sys, tomllib
top = sys.argv[1]
for root, dirs, files in os.walk(top):
    dirs[:] = sorted(d for d in dirs if not d.startswith("."))
    for fn in sorted(files):
        if not fn.endswith(".toml"):
            continue
        p = os.path.join(root, fn)
        with open(p, "rb") as fh:
            r = tomllib.load(fh).get("rule", {})
        q = r.get("query", "").strip()
        if "OS: Linux" in r.get("tags", []) and r.get("language") == "eql" and \
           re.match(r"process\s+where", q, re.I) and \
           re.search(r'event\.type\s*(==|:|in)\s*\(?[^)]*"start"', q):
            print(p)
PY
"$bin" --check-rules --rules-dir "$top" > "$tmp/check" 2>&1
total=$(wc -l < "$tmp/class")
loaded=0
: > "$tmp/why"
while IFS= read -r p; do
	line=$(grep -F "$p: " "$tmp/check" | head -1)
	case $line in
	*": loaded: "*) loaded=$((loaded + 1)) ;;
	*) r=${line#*: not loaded: }
	   echo "not loaded: ${p#"$top"/}: $r"
	   echo "$r" >> "$tmp/why" ;;
	esac
done < "$tmp/class"
echo "by reason:"
sort "$tmp/why" | uniq -c | sort -rn
echo "exec-class Linux rules: $total, loaded: $loaded"
