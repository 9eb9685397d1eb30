"""One line of figures from a wrk --latency run with wrk-auth.lua.

Usage: parse_wrk.py NAME WRK_OUTPUT  ->  "NAME rps p50_ms p99_ms ok non2xx errors"
"""
import re
import sys

name, path = sys.argv[1], sys.argv[2]
text = open(path).read()


def ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
p50 = re.search(r"^\s+50%\s+(\S+)", text, re.M)
p99 = re.search(r"^\s+99%\s+(\S+)", text, re.M)
if not (rps and p50 and p99):
    sys.exit(f"parse_wrk: no figures in {path}:\n{text}")
statuses = {int(c): int(n) for c, n in re.findall(r"^STATUS (\d+) (\d+)$", text, re.M)}
ok = sum(n for c, n in statuses.items() if 200 <= c < 300)
bad = sum(n for c, n in statuses.items() if not 200 <= c < 300)
errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", text))
print(f"{name} {float(rps.group(1)):.0f} {ms(p50.group(1)):.3f} {ms(p99.group(1)):.3f} {ok} {bad} {errors}")
