#!/usr/bin/env python3
"""An independent reference for the EQL subset the plugin runs, and the
generator of the differential test's events (tests/elastic_rules.sh).

It shares no code with the engine: its own EQL parser, its own reading of
Lucene's regular expressions (to Python's re), its own evaluator, written
from Elasticsearch's semantics (README "Rules from Elastic's repository",
eql.h, eql_regex.h state the same rules in prose).

  eql_ref.py gen RULES_DIR IDS_FILE EVENTS_OUT EXPECT_OUT
    For every rule id in IDS_FILE (the rules the plugin loaded), events
    made from the rule's own literals: a positive attempt per OR branch and
    near misses (one value changed). Writes them in tests/eql_diff.c's
    format, and the rules each matches by this reference to EXPECT_OUT.
  eql_ref.py hostile RULES_DIR IDS_FILE EVENTS_OUT
    For every loaded rule with a regex, one event whose string fields
    hold a 128 KiB argument shaped against backtracking.
"""
import os
import re
import sys
import tomllib

# The fields as the plugin's ECS table has them: name -> type. Any other
# name reads as null (`?field`, and the fields audit data never fills).
FIELDS = {
    "host.name": "s", "host.os.type": "s", "event.type": "s",
    "event.action": "s", "process.pid": "n", "process.name": "s",
    "process.executable": "s", "process.args": "a",
    "process.args_count": "n", "process.command_line": "s",
    "process.working_directory": "s", "process.parent.pid": "n",
    "process.parent.name": "s", "process.parent.executable": "s",
    "process.parent.args": "a", "process.parent.args_truncated": "b",
    "process.parent.args_count": "n", "process.parent.command_line": "s",
    "process.parent.working_directory": "s", "process.args_truncated": "b",
    "user.id": "s", "user.audit.id": "s", "auditd.sequence": "n",
    "auditd.session": "s", "auditd.node": "s", "auditd.data.tty": "s",
    "auditd.data.key": "s",
}
CONSTANTS = {"host.os.type": b"linux", "event.type": b"start",
             "event.action": b"exec"}

# ---- EQL -----------------------------------------------------------------

TOKEN = re.compile(r'''
   (?P<ws>\s+|//[^\n]*|/\*.*?\*/)
 | (?P<raw>"""(?:.*?)"""(?!"))
 | (?P<str>"(?:\\.|[^"\\\n])*")
 | (?P<num>-?\d+)
 | (?P<op>==|!=|<=|>=|<|>|:|\(|\)|,)
 | (?P<id>\??[A-Za-z_@][A-Za-z0-9_.@]*~?)
''', re.S | re.X)


def unescape(body):
    out, i = bytearray(), 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out += c.encode()
            i += 1
            continue
        n = body[i + 1]
        if n == "u":
            j = body.index("}", i)
            out += chr(int(body[i + 3:j], 16)).encode()
            i = j + 1
            continue
        out += {"n": b"\n", "r": b"\r", "t": b"\t"}.get(n, n.encode())
        i += 2
    return bytes(out)


def tokens(text):
    pos, out = 0, []
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m:
            raise ValueError("cannot lex at %d" % pos)
        pos = m.end()
        kind = m.lastgroup
        v = m.group(kind)
        if kind == "ws":
            continue
        if kind == "raw":
            # quotes right after the closing """ belong to the content
            out.append(("str", v[3:-3].encode()))
        elif kind == "str":
            out.append(("str", unescape(v[1:-1])))
        elif kind == "num":
            out.append(("num", int(v)))
        elif kind == "id":
            out.append(("id", v))
        else:
            out.append(("op", v))
    out.append(("end", None))
    return out


class Parser:
    def __init__(self, text):
        self.t = tokens(text)
        self.i = 0

    def peek(self):
        return self.t[self.i]

    def take(self):
        self.i += 1
        return self.t[self.i - 1]

    def word(self, w):
        k, v = self.peek()
        return k == "id" and v.lower() == w

    def query(self):
        if not (self.word("process")):
            raise ValueError("not a process query")
        self.take()
        if not self.word("where"):
            raise ValueError("where")
        self.take()
        e = self.orx()
        if self.peek()[0] != "end":
            raise ValueError("trailing %r" % (self.peek(),))
        return e

    def orx(self):
        kids = [self.andx()]
        while self.word("or"):
            self.take()
            kids.append(self.andx())
        return kids[0] if len(kids) == 1 else ("or", kids)

    def andx(self):
        kids = [self.notx()]
        while self.word("and"):
            self.take()
            kids.append(self.notx())
        return kids[0] if len(kids) == 1 else ("and", kids)

    def notx(self):
        if self.word("not"):
            self.take()
            return ("not", self.notx())
        return self.prim()

    def literal(self):
        k, v = self.take()
        if k in ("str", "num"):
            return v
        if k == "id" and v.lower() in ("true", "false"):
            return v.lower() == "true"
        if k == "id" and v.lower() == "null":
            return None
        raise ValueError("literal expected, got %r" % (v,))

    def prim(self):
        k, v = self.peek()
        if k == "op" and v == "(":
            self.take()
            e = self.orx()
            assert self.take() == ("op", ")")
            return e
        if k != "id":
            raise ValueError("unexpected %r" % (v,))
        self.take()
        if self.peek() == ("op", "("):
            return self.func(v)
        field = v[1:] if v.startswith("?") else v
        k2, op = self.take()
        if k2 == "id" and op.lower() == "not":
            op = "not " + self.take()[1].lower()
        elif k2 == "id":
            op = op.lower()
        if self.peek() == ("op", "("):
            self.take()
            vals = [self.literal()]
            while self.peek() == ("op", ","):
                self.take()
                vals.append(self.literal())
            assert self.take() == ("op", ")")
        else:
            vals = [self.literal()]
        return ("cmp", field, op, vals)

    def func(self, name):
        ci = name.endswith("~")
        name = name.rstrip("~").lower()
        self.take()
        a = self.take()[1].lstrip("?")
        if name == "length":
            assert self.take() == ("op", ")")
            op = self.take()[1]
            return ("len", a, op, self.literal())
        assert self.take() == ("op", ",")
        k, v = self.take()
        arg = ("field", v.lstrip("?")) if k == "id" else ("lit", v)
        assert self.take() == ("op", ")")
        node = ("fn", name, ci, a, arg)
        if self.peek() in (("op", "=="), ("op", "!=")):
            ne = self.take()[1] == "!="
            want = self.literal()
            if want == ne:
                node = ("not", node)
        return node


# ---- Lucene regular expressions -> Python re (str) --------------------------

class Lucene:
    """Lucene's RegExp grammar with Elasticsearch's default flags; each
    node is also able to produce one sample string (for the generator)."""

    def __init__(self, pat, icase):
        self.s, self.i, self.ic = pat, 0, icase

    def more(self):
        return self.i < len(self.s)

    def peek(self, chars):
        return self.more() and self.s[self.i] in chars

    def eat(self, c):
        if self.more() and self.s[self.i] == c:
            self.i += 1
            return True
        return False

    def nxt(self):
        if not self.more():
            raise ValueError("end of pattern")
        self.i += 1
        return self.s[self.i - 1]

    def parse(self):
        if not self.s:
            return ("str", "")
        e = self.union()
        if self.more():
            raise ValueError("trailing")
        return e

    def union(self):
        alts = [self.inter()]
        while self.eat("|"):
            alts.append(self.inter())
        return alts[0] if len(alts) == 1 else ("alt", alts)

    def inter(self):
        e = self.concat()
        if self.peek("&"):
            raise ValueError("intersection")
        return e

    def concat(self):
        seq = [self.repeat()]
        while self.more() and not self.peek(")|&"):
            seq.append(self.repeat())
        return seq[0] if len(seq) == 1 else ("seq", seq)

    def repeat(self):
        e = self.compl()
        while self.peek("?*+{"):
            c = self.nxt()
            if c == "?":
                e = ("rep", e, 0, 1)
            elif c == "*":
                e = ("rep", e, 0, None)
            elif c == "+":
                e = ("rep", e, 1, None)
            else:
                m = re.match(r"(\d+)(,(\d*))?}", self.s[self.i:])
                if not m:
                    raise ValueError("bad repeat")
                self.i += m.end()
                lo = int(m.group(1))
                hi = lo if not m.group(2) else (int(m.group(3)) if m.group(3) else None)
                e = ("rep", e, lo, hi)
        return e

    def compl(self):
        if self.peek("~"):
            raise ValueError("complement")
        if self.eat("["):
            neg = self.eat("^")
            items = [self.cls_item()]
            while self.more() and not self.peek("]"):
                items.append(self.cls_item())
            if not self.eat("]"):
                raise ValueError("]")
            return ("cls", neg, items)
        return self.simple()

    PRE = {"d": (False, [("0", "9")]), "D": (True, [("0", "9")]),
           "s": (False, [(c, c) for c in " \t\n\r"]),
           "S": (True, [(c, c) for c in " \t\n\r"]),
           "w": (False, [("a", "z"), ("A", "Z"), ("_", "_"), ("0", "9")]),
           "W": (True, [("a", "z"), ("A", "Z"), ("_", "_"), ("0", "9")])}

    def pre(self):
        """After a backslash: a predefined class, or None (then the next
        character is literal)."""
        if self.peek("dDsSwW"):
            return self.nxt()
        if self.more() and self.s[self.i].isascii() and self.s[self.i].isalpha():
            raise ValueError("bad class")
        return None

    def cls_item(self):
        if self.eat("\\"):
            p = self.pre()
            if p:
                return ("pre", p)
            c = self.nxt()
        else:
            c = self.nxt()
        if self.eat("-"):
            self.eat("\\")
            hi = self.nxt()
            if ord(c) > ord(hi):
                raise ValueError("range")
            return ("rng", c, hi)
        return ("ch", c)

    def simple(self):
        if self.eat("."):
            return ("any",)
        if self.eat("#"):
            return ("none",)
        if self.eat("@"):
            return ("rep", ("any",), 0, None)
        if self.eat('"'):
            j = self.s.index('"', self.i)
            lit = self.s[self.i:j]
            self.i = j + 1
            return ("str", lit)
        if self.eat("("):
            if self.eat(")"):
                return ("str", "")
            e = self.union()
            if not self.eat(")"):
                raise ValueError(")")
            return e
        if self.peek("<"):
            raise ValueError("interval")
        if self.eat("\\"):
            p = self.pre()
            if p:
                return ("cls", self.PRE[p][0], [("pre", p.lower())])
            return ("str", self.nxt())
        return ("str", self.nxt())

    # -- to Python re --
    def ch(self, c):
        if self.ic and c.isascii() and c.isalpha():
            return "[" + re.escape(c.lower()) + re.escape(c.upper()) + "]"
        return re.escape(c)

    def cls_members(self, items):
        out, negs = [], []
        for it in items:
            if it[0] == "ch":
                c = it[1]
                out.append(re.escape(c))
                if self.ic and c.isascii() and c.isalpha():
                    out.append(re.escape(c.swapcase()))
            elif it[0] == "rng":
                out.append(re.escape(it[1]) + "-" + re.escape(it[2]))
            else:
                neg, rngs = self.PRE[it[1]]
                body = "".join(re.escape(a) + ("-" + re.escape(b) if a != b else "") for a, b in rngs)
                (negs if neg else out).append(body)
        return "".join(out), negs

    def py(self, e):
        k = e[0]
        if k == "str":
            return "".join(self.ch(c) for c in e[1]) or "(?:)"
        if k == "any":
            return "."
        if k == "none":
            return "(?!)"
        if k == "alt":
            return "(?:" + "|".join(self.py(x) for x in e[1]) + ")"
        if k == "seq":
            return "".join(self.py(x) for x in e[1])
        if k == "rep":
            lo, hi = e[2], e[3]
            if hi is not None and hi < lo:
                return "(?!)"
            q = "{%d,%s}" % (lo, "" if hi is None else hi)
            return "(?:" + self.py(e[1]) + ")" + q
        if k == "cls":
            pos, negs = self.cls_members(e[2])
            if e[1]:
                if negs:
                    raise ValueError("negated class with \\D\\S\\W")
                return "[^" + pos + "]"
            parts = (["[" + pos + "]"] if pos else []) + ["[^" + n + "]" for n in negs]
            return "(?:" + "|".join(parts) + ")"
        raise ValueError(k)

    # -- one string the pattern matches (variant picks alternatives) --
    def sample(self, e, variant=0):
        k = e[0]
        if k == "str":
            return e[1]
        if k == "any":
            return "a"
        if k == "none":
            return ""
        if k == "alt":
            return self.sample(e[1][variant % len(e[1])], variant)
        if k == "seq":
            return "".join(self.sample(x, variant) for x in e[1])
        if k == "rep":
            n = max(e[2], 1 if (e[3] is None or e[3] >= 1) else 0)
            return self.sample(e[1], variant) * n
        if k == "cls":
            rx = re.compile(self.py(e), re.S)
            for c in "aZ0_/.- xq9\t":
                if rx.fullmatch(c):
                    return c
            return "a"
        return ""


def lucene_re(pat, icase):
    lu = Lucene(pat, icase)
    tree = lu.parse()
    return re.compile(lu.py(tree), re.S), lu, tree


# ---- values and evaluation ------------------------------------------------------

def repaired(b):
    """Bytes as text, each byte that starts no valid UTF-8 sequence read as
    U+FFFD."""
    out, i = [], 0
    while i < len(b):
        for k in (1, 2, 3, 4):
            try:
                out.append(b[i:i + k].decode("utf-8"))
                i += k
                break
            except UnicodeDecodeError:
                continue
        else:
            out.append("\ufffd")
            i += 1
    return "".join(out)


def wild(pat, icase):
    rx = b"".join(b".*" if c == 42 else b"." if c == 63 else re.escape(bytes([c]))
                  for c in pat)
    return re.compile(rx, re.S), icase


def lower(b):
    return b.lower() if isinstance(b, bytes) else b


class Rule:
    def __init__(self, rid, query):
        self.id = rid
        self.ast = Parser(query).query()
        self.cache = {}

    def regex(self, pat, icase):
        key = (pat, icase)
        if key not in self.cache:
            self.cache[key] = lucene_re(pat.decode(), icase)[0]
        return self.cache[key]

    def value(self, ev, f):
        if f in CONSTANTS:
            return CONSTANTS[f]
        if f not in FIELDS:
            return None
        return ev.get(f)

    def elems(self, v):
        if isinstance(v, bytes):
            return [v] if v else []
        if isinstance(v, list):
            return v
        return []

    def present(self, v):
        if v is None:
            return False
        if isinstance(v, bytes):
            return len(v) > 0
        if isinstance(v, list):
            return len(v) > 0
        return True

    def cmp(self, node, ev):
        _, f, op, vals = node
        v = self.value(ev, f)
        if vals == [None]:
            return (not self.present(v)) if op == "==" else self.present(v)
        neg = op in ("!=", "not in", "not in~")
        if isinstance(v, bool) or (FIELDS.get(f) == "b" and v is None):
            hit = isinstance(v, bool) and any(v == x for x in vals)
        elif FIELDS.get(f) == "n" and not isinstance(vals[0], bytes):
            if not isinstance(v, int) or isinstance(v, bool):
                hit = False
            else:
                fn = {"==": int.__eq__, "!=": int.__eq__, "in": int.__eq__,
                      "not in": int.__eq__, "<": int.__lt__, "<=": int.__le__,
                      ">": int.__gt__, ">=": int.__ge__}[op]
                hit = any(fn(v, x) for x in vals)
        else:
            hit = False
            for e in self.elems(v):
                for x in vals:
                    if not isinstance(x, bytes):
                        continue
                    if op in ("==", "!=", "in", "not in"):
                        ok = e == x
                    elif op in ("in~", "not in~"):
                        ok = e.lower() == x.lower()
                    elif op in ("like", ":", "like~"):
                        rx, ic = wild(x.lower() if op != "like" else x, op != "like")
                        ok = rx.fullmatch(e.lower() if ic else e) is not None
                    elif op in ("regex", "regex~"):
                        ok = self.regex(x, op == "regex~").fullmatch(repaired(e)) is not None
                    else:
                        ok = False
                    if ok:
                        hit = True
                        break
                if hit:
                    break
        return (not hit) if neg else hit

    def ev(self, n, ev):
        k = n[0]
        if k == "and":
            return all(self.ev(c, ev) for c in n[1])
        if k == "or":
            return any(self.ev(c, ev) for c in n[1])
        if k == "not":
            return not self.ev(n[1], ev)
        if k == "cmp":
            return self.cmp(n, ev)
        if k == "len":
            v = self.value(ev, n[1])
            if not isinstance(v, bytes) or not v:
                return False
            ln = sum(2 if ord(c) > 0xFFFF else 1 for c in repaired(v))
            return {"==": ln == n[3], "!=": ln != n[3], "<": ln < n[3],
                    "<=": ln <= n[3], ">": ln > n[3], ">=": ln >= n[3]}[n[2]]
        if k == "fn":
            _, name, ci, a, arg = n
            if arg[0] == "field":
                x = self.value(ev, arg[1])
                if not isinstance(x, bytes) or not x:
                    return False
            else:
                x = arg[1]
            for e in self.elems(self.value(ev, a)):
                ee, xx = (e.lower(), x.lower()) if ci else (e, x)
                if (name == "startswith" and ee.startswith(xx)) or \
                   (name == "endswith" and ee.endswith(xx)) or \
                   (name == "stringcontains" and xx in ee):
                    return True
            return False
        raise ValueError(k)

    def match(self, ev):
        return self.ev(self.ast, ev)


# ---- events from a rule's literals ------------------------------------------------

def from_literal(op, x, variant):
    """A value that makes `field op x` true."""
    if not isinstance(x, bytes):
        return x
    if op in ("like", "like~", ":"):
        s = x.replace(b"*", b"" if variant % 2 == 0 else b"Zz").replace(b"?", b"Q")
        return s.upper() if op != "like" and variant % 3 == 1 else s
    if op in ("in~",):
        return x.upper() if variant % 2 else x
    if op in ("regex", "regex~"):
        try:
            _, lu, tree = lucene_re(x.decode(), op == "regex~")
            s = lu.sample(tree, variant).encode()
            return s.upper() if op == "regex~" and variant % 2 else s
        except (ValueError, UnicodeDecodeError):
            return x
    return x


def assign(ev, f, v):
    t = FIELDS.get(f)
    if t is None or f in CONSTANTS or v is None:
        return
    if t == "a":
        if isinstance(v, bytes):
            ev.setdefault(f, []).append(v)
    elif t == "s":
        if isinstance(v, bytes) and f not in ev and v:
            ev[f] = v
    elif t == "n":
        if isinstance(v, int) and not isinstance(v, bool) and f not in ev:
            ev[f] = v
    elif t == "b":
        if isinstance(v, bool) and f not in ev:
            ev[f] = v


def sat(n, ev, want, variant, depth=0):
    k = n[0]
    if k == "and":
        if want:
            for c in n[1]:
                sat(c, ev, True, variant, depth + 1)
        else:
            sat(n[1][variant % len(n[1])], ev, False, variant, depth + 1)
    elif k == "or":
        if want:
            sat(n[1][(variant + depth) % len(n[1])], ev, True, variant, depth + 1)
        else:
            for c in n[1]:
                sat(c, ev, False, variant, depth + 1)
    elif k == "not":
        sat(n[1], ev, not want, variant, depth + 1)
    elif k == "cmp":
        _, f, op, vals = n
        if vals == [None]:
            if (op == "!=") == want:
                assign(ev, f, b"present" if FIELDS.get(f) in ("s", "a") else 1)
            return
        positive = op not in ("!=", "not in", "not in~")
        if positive != want:
            if FIELDS.get(f) == "n" and op in ("<", "<=", ">", ">="):
                x = vals[0]
                assign(ev, f, x + 10 if op in ("<", "<=") else x - 10)
            return
        x = vals[variant % len(vals)]
        if op in ("<", "<=", ">", ">="):
            assign(ev, f, x + (1 if op == ">" else -1 if op == "<" else 0))
        else:
            assign(ev, f, from_literal(op, x, variant))
    elif k == "len":
        if want:
            _, f, op, x = n
            ln = x + 1 if op in (">", "!=") else x - 1 if op == "<" else x
            assign(ev, f, b"a" * max(ln, 1))
    elif k == "fn":
        if want:
            _, name, ci, a, arg = n
            x = arg[1] if arg[0] == "lit" else b"ab"
            if arg[0] == "field":
                assign(ev, arg[1], x)
            v = x + b"tail" if name == "startswith" else b"head" + x if name == "endswith" else b"a" + x + b"b"
            assign(ev, a, v.upper() if ci and variant % 2 else v)


def base_event(ev):
    """Fields every exec has, where the rule's literals did not say."""
    ev.setdefault("process.name", b"x")
    ev.setdefault("process.executable", b"/usr/bin/" + ev["process.name"])
    ev.setdefault("process.args", [ev["process.name"]])
    ev.setdefault("process.pid", 1234)
    ev.setdefault("process.working_directory", b"/root")
    ev.setdefault("user.id", b"0")
    return ev


def near_misses(ev):
    """One value changed at a time: a character dropped, case flipped, a
    byte appended."""
    out = []
    for f in sorted(ev):
        v = ev[f]
        if isinstance(v, bytes) and v:
            for w in (v[1:], v.swapcase(), v + b"x"):
                e = dict(ev)
                e[f] = w
                out.append(e)
        elif isinstance(v, list) and v:
            e = dict(ev)
            e[f] = [x + b"x" for x in v]
            out.append(e)
        elif isinstance(v, int) and not isinstance(v, bool):
            e = dict(ev)
            e[f] = v + 1
            out.append(e)
    return out


def write_event(out, ev):
    for f in sorted(ev):
        v = ev[f]
        t = FIELDS[f]
        if t == "a":
            for x in v:
                out.write("a %s %s\n" % (f, x.hex() or "-"))
        elif t == "s":
            out.write("s %s %s\n" % (f, v.hex() or "-"))
        elif t == "n":
            out.write("n %s %d\n" % (f, v))
        else:
            out.write("b %s %d\n" % (f, 1 if v else 0))
    out.write("\n")


def load_rules(top, ids):
    rules = {}
    for root, dirs, files in os.walk(top):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for fn in sorted(files):
            if not fn.endswith(".toml"):
                continue
            with open(os.path.join(root, fn), "rb") as fh:
                r = tomllib.load(fh).get("rule", {})
            if r.get("rule_id") in ids:
                rules[r["rule_id"]] = Rule(r["rule_id"], r["query"])
    return rules


def main():
    mode, top, idfile = sys.argv[1], sys.argv[2], sys.argv[3]
    ids = set(open(idfile).read().split())
    rules = load_rules(top, ids)
    missing = ids - set(rules)
    if missing:
        sys.exit("eql_ref: cannot read %s" % " ".join(sorted(missing)))
    events = []
    if mode == "gen":
        for rid in sorted(rules):
            seen = set()
            for variant in range(4):
                ev = {}
                sat(rules[rid].ast, ev, True, variant)
                ev = base_event(ev)
                key = repr(sorted(ev.items()))
                if key in seen:
                    continue
                seen.add(key)
                events.append(ev)
                events.extend(near_misses(ev)[:6])
    else:
        arg = (b"a" * 131071) + b"!"
        digits = (b"1." * 65536)
        for rid in sorted(rules):
            if "regex" not in repr(rules[rid].ast):
                continue
            targets = set(re.findall(r"\('cmp', '([^']+)', 'regex~?'", repr(rules[rid].ast)))
            for variant in range(2):
                ev = {}
                sat(rules[rid].ast, ev, True, variant)
                ev = base_event(ev)
                # what selects the rule stays; what its regexes read, and
                # every field left free, becomes hostile
                for f, t in FIELDS.items():
                    if f in CONSTANTS:
                        continue
                    if t == "s" and (f in targets or f not in ev):
                        ev[f] = arg if variant == 0 else digits
                    elif t == "a":
                        ev[f] = list(ev.get(f, [])) + [arg, digits]
                events.append(ev)
    with open(sys.argv[4], "w") as out:
        for ev in events:
            write_event(out, ev)
    if mode == "gen":
        with open(sys.argv[5], "w") as out:
            for i, ev in enumerate(events):
                hit = sorted(r.id for r in rules.values() if r.match(ev))
                out.write(" ".join([str(i)] + hit) + "\n")


if __name__ == "__main__":
    main()
