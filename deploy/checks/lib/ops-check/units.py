#!/usr/bin/env python3
"""The systemd side of deploy/checks/ops-check: reads the unit and its environment file the way systemd
does (enough of it), checks them against `plugin-lifecycle serve --help`, and expands their Exec
lines so the check runs the same commands systemd would.

    units.py check  --unit U --env E --serve-help FILE --site NGINX_SITE --sysusers S
    units.py exec   --unit U --env E --key ExecStartPre|ExecStart|ExecReload
                    [--set VAR=VALUE]... [--specifier t=/run] [--mainpid PID]
                    [--replace OLD=NEW]...      (one JSON object per command on stdout)

Standard library only.
"""
import argparse
import json
import re
import shlex
import sys

# Keys this check knows per section; anything else is reported (a typo systemd would ignore
# with a warning, leaving the service less protected than it reads).
KNOWN_KEYS = {
    "Unit": {
        "Description", "Documentation", "After", "Before", "Wants", "Requires", "BindsTo",
        "PartOf", "Conflicts", "StartLimitIntervalSec", "StartLimitBurst", "ConditionPathExists",
        "AssertPathExists",
    },
    "Service": {
        "Type", "User", "Group", "SupplementaryGroups", "EnvironmentFile", "Environment",
        "StateDirectory", "StateDirectoryMode", "RuntimeDirectory", "RuntimeDirectoryMode",
        "RuntimeDirectoryPreserve", "LogsDirectory", "LogsDirectoryMode", "ReadWritePaths",
        "ReadOnlyPaths", "InaccessiblePaths", "ExecStartPre", "ExecStart", "ExecStartPost",
        "ExecReload", "ExecStop", "ExecStopPost", "KillMode", "KillSignal", "TimeoutStopSec",
        "TimeoutStartSec", "Restart", "RestartSec", "SyslogIdentifier", "StandardOutput",
        "StandardError", "UMask", "NoNewPrivileges", "CapabilityBoundingSet",
        "AmbientCapabilities", "ProtectSystem", "ProtectHome", "PrivateTmp", "PrivateDevices",
        "ProtectKernelTunables", "ProtectKernelModules", "ProtectKernelLogs",
        "ProtectControlGroups", "ProtectClock", "ProtectHostname", "ProtectProc", "ProcSubset",
        "PrivateMounts", "PrivateNetwork", "PrivateUsers", "RestrictAddressFamilies",
        "IPAddressDeny", "IPAddressAllow", "RestrictNamespaces", "RestrictRealtime",
        "RestrictSUIDSGID", "LockPersonality", "MemoryDenyWriteExecute", "RemoveIPC",
        "SystemCallArchitectures", "SystemCallFilter", "SystemCallErrorNumber", "LimitNOFILE",
        "TasksMax", "WorkingDirectory",
    },
    "Install": {"WantedBy", "RequiredBy", "Alias", "Also"},
}

# What the brief of issue 6 asks of the unit (key -> required value, None = any value).
REQUIRED = {
    "User": "plugin-lifecycle",
    "Group": "plugin-lifecycle",
    "EnvironmentFile": "/etc/plugin-lifecycle/plugin-lifecycle.env",
    "ExecReload": "/bin/kill -HUP $MAINPID",
    "KillSignal": "SIGTERM",
    "Restart": "on-failure",
    "StateDirectory": "plugin-lifecycle",
    "RuntimeDirectory": "plugin-lifecycle",
    "NoNewPrivileges": "yes",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "PrivateDevices": "yes",
    "ProtectKernelTunables": "yes",
    "ProtectKernelModules": "yes",
    "ProtectKernelLogs": "yes",
    "ProtectControlGroups": "yes",
    "RestrictAddressFamilies": "AF_UNIX AF_INET AF_INET6",
    "RestrictNamespaces": "yes",
    "LockPersonality": "yes",
    "MemoryDenyWriteExecute": "yes",
    "SystemCallFilter": "@system-service",
    "CapabilityBoundingSet": "",
    "UMask": None,
    "TimeoutStopSec": None,
    "ReadWritePaths": None,
}


def parse_unit(path):
    """{section: [(key, value)]}: comments, continuation lines and repeated keys as systemd."""
    sections, current, pending = {}, None, ""
    with open(path, encoding="utf-8") as handle:
        for raw in handle:
            line = raw.rstrip("\n")
            if pending:
                if line.lstrip().startswith(("#", ";")):
                    continue  # comment lines inside a continuation are skipped
                line = pending + " " + line.strip()
                pending = ""
            stripped = line.strip()
            if not stripped or stripped.startswith(("#", ";")):
                continue
            if stripped.endswith("\\"):
                pending = stripped[:-1].rstrip()
                continue
            if stripped.startswith("[") and stripped.endswith("]"):
                current = stripped[1:-1]
                sections.setdefault(current, [])
                continue
            if current is None or "=" not in stripped:
                raise SystemExit(f"{path}: cannot parse line: {raw.rstrip()}")
            key, value = stripped.split("=", 1)
            sections[current].append((key.strip(), value.strip()))
    return sections


def values(sections, section, key):
    return [v for k, v in sections.get(section, []) if k == key]


def parse_env(path):
    """EnvironmentFile= semantics for the simple forms: KEY=value, optional quotes, comments."""
    env, order = {}, []
    with open(path, encoding="utf-8") as handle:
        for number, raw in enumerate(handle, 1):
            line = raw.strip()
            if not line or line.startswith(("#", ";")):
                continue
            match = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)=(.*)", line)
            if not match:
                raise SystemExit(f"{path}:{number}: not KEY=value: {line}")
            key, value = match.groups()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            env[key] = value
            order.append(key)
    return env, order


def split_exec(value):
    """An Exec line's prefix characters and its words (systemd quoting is shell-like)."""
    prefix = re.match(r"[@\-:+!]*", value).group(0)
    return prefix, shlex.split(value[len(prefix):])


def variables_in(words):
    names = set()
    for word in words:
        names.update(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", word))
        match = re.fullmatch(r"\$([A-Za-z_][A-Za-z0-9_]*)", word)
        if match:
            names.add(match.group(1))
    return names


def expand(words, env, specifiers):
    """systemd's rules: a word that is exactly $VAR becomes the value split at whitespace (zero
    or more words); ${VAR} is replaced in place (an unset one by nothing); %x are specifiers."""
    out = []
    for word in words:
        word = re.sub(r"%(.)", lambda m: "%" if m.group(1) == "%" else specifiers[m.group(1)], word)
        whole = re.fullmatch(r"\$([A-Za-z_][A-Za-z0-9_]*)", word)
        if whole:
            out.extend(env.get(whole.group(1), "").split())
            continue
        out.append(re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", lambda m: env.get(m.group(1), ""), word))
    return out


def serve_options(help_path):
    with open(help_path, encoding="utf-8") as handle:
        text = handle.read()
    options = set()
    # A flag with an inversion is listed as "--name/--no-name": both spellings count.
    for first, second in re.findall(r"^\s+(?:-\w, )?(--[a-z0-9][a-z0-9-]*)(?:/(--[a-z0-9][a-z0-9-]*))?", text, flags=re.M):
        options.update(flag for flag in (first, second) if flag)
    options.discard("--help")
    if len(options) < 10:
        raise SystemExit(f"{help_path}: does not look like `serve --help` ({sorted(options)})")
    return options


def check(args):
    problems = []
    sections = parse_unit(args.unit)
    env, order = parse_env(args.env)
    serve = serve_options(args.serve_help)
    notes = []

    for section, pairs in sections.items():
        known = KNOWN_KEYS.get(section)
        if known is None:
            problems.append(f"unit: unknown section [{section}]")
            continue
        for key, _ in pairs:
            if key not in known:
                problems.append(f"unit: key {key}= in [{section}] is not one this check knows (typo?)")
    for key, want in REQUIRED.items():
        got = values(sections, "Service", key)
        if not got:
            problems.append(f"unit: {key}= is missing")
        elif want is not None and want not in got:
            problems.append(f"unit: {key}={got[-1]!r}, expected {want!r}")
    if not values(sections, "Install", "WantedBy"):
        problems.append("unit: no WantedBy= (systemctl enable would do nothing)")

    # Exec lines: every variable set in the environment file, every variable of the file used.
    used = set()
    serve_flags = []
    for key in ("ExecStartPre", "ExecStart", "ExecReload"):
        for value in values(sections, "Service", key):
            _, words = split_exec(value)
            used |= variables_in(words)
            if key == "ExecStart":
                if words[:1] != ["/usr/local/bin/plugin-lifecycle"] or words[1:2] != ["serve"]:
                    problems.append(f"unit: ExecStart is not /usr/local/bin/plugin-lifecycle serve: {words[:2]}")
                serve_flags = [w for w in words if w.startswith("--")]
    used.discard("MAINPID")
    for name in sorted(used):
        if name not in env:
            problems.append(f"env: {name} is used by the unit but not set in {args.env}")
        elif env[name] == "" and name != "PLUGIN_LIFECYCLE_EXTRA_ARGS":
            problems.append(f"env: {name} is empty (serve would get an empty argument)")
    for name in order:
        if name not in used:
            problems.append(f"env: {name} is set but no Exec line of the unit uses it")
    if len(order) != len(set(order)):
        problems.append("env: a variable is set twice")

    # serve's options: the unit's flags and every --option the env file names must exist, and
    # every option serve has must be named in the env file (a new option gets documented).
    for flag in serve_flags:
        if flag not in serve:
            problems.append(f"unit: ExecStart passes {flag}, which `serve --help` does not know")
    with open(args.env, encoding="utf-8") as handle:
        env_text = handle.read()
    named = set(re.findall(r"(?<![\w-])(--[a-z0-9][a-z0-9-]*)", env_text))
    named.discard("--help")  # "serve --help" in the comments
    for flag in sorted(named - serve):
        problems.append(f"env: names {flag}, which `serve --help` does not know")
    for flag in sorted(serve - named):
        problems.append(f"env: serve's option {flag} is not documented in {args.env}")
    extra = env.get("PLUGIN_LIFECYCLE_EXTRA_ARGS", "").split()
    for word in extra:
        if word.startswith("--") and word not in serve:
            problems.append(f"env: PLUGIN_LIFECYCLE_EXTRA_ARGS passes {word}, unknown to serve")
    if "--insecure-dev-secret" in extra:
        problems.append("env: PLUGIN_LIFECYCLE_EXTRA_ARGS enables --insecure-dev-secret")
    # Every `--flag ${VAR}` pair of ExecStart names a variable documented with that flag.
    for value in values(sections, "Service", "ExecStart"):
        _, words = split_exec(value)
        for flag, arg in zip(words, words[1:]):
            match = re.fullmatch(r"\$\{([A-Z_]+)\}", arg)
            if flag.startswith("--") and match:
                block = re.search(r"((?:^#.*\n)+)" + re.escape(match.group(1)) + "=", env_text, flags=re.M)
                if not block or flag + ":" not in block.group(1):
                    problems.append(f"env: the comment above {match.group(1)} does not start with {flag}:")

    # Values that must agree with each other.
    def number(name):
        try:
            return int(env.get(name, ""))
        except ValueError:
            problems.append(f"env: {name} is not a whole number: {env.get(name)!r}")
            return 0
    for name in ("PLUGIN_LIFECYCLE_WORKERS", "PLUGIN_LIFECYCLE_THREADS", "PLUGIN_LIFECYCLE_MAX_BODY_BYTES",
                 "PLUGIN_LIFECYCLE_MAX_REQUESTS", "PLUGIN_LIFECYCLE_REQUEST_TIMEOUT",
                 "PLUGIN_LIFECYCLE_DRAIN_TIMEOUT", "PLUGIN_LIFECYCLE_JWT_LEEWAY"):
        number(name)
    drain = number("PLUGIN_LIFECYCLE_DRAIN_TIMEOUT")
    stop = values(sections, "Service", "TimeoutStopSec")
    if stop:
        match = re.fullmatch(r"(\d+)s?", stop[-1])
        if not match:
            problems.append(f"unit: TimeoutStopSec={stop[-1]} (this check wants plain seconds)")
        elif int(match.group(1)) < drain + 5:
            problems.append(f"unit: TimeoutStopSec={stop[-1]} is not above the drain timeout ({drain} s) + 5 s")
        else:
            notes.append(f"TimeoutStopSec {match.group(1)} s > drain timeout {drain} s + 5 s")
    if number("PLUGIN_LIFECYCLE_WORKERS") < 1:
        problems.append("env: PLUGIN_LIFECYCLE_WORKERS must be at least 1")
    runtime = "/run/" + (values(sections, "Service", "RuntimeDirectory") or ["?"])[-1] + "/"
    socket = env.get("PLUGIN_LIFECYCLE_SOCKET", "")
    if not socket.startswith(runtime):
        problems.append(f"env: the socket {socket} is not in the unit's RuntimeDirectory {runtime}")
    state = "/var/lib/" + (values(sections, "Service", "StateDirectory") or ["?"])[-1]
    data = env.get("PLUGIN_LIFECYCLE_DATA_DIR", "")
    writable = [state] + " ".join(values(sections, "Service", "ReadWritePaths")).split()
    if not any(data == w or data.startswith(w.rstrip("/") + "/") for w in writable):
        problems.append(f"env: the data directory {data} is not writable under the unit ({writable})")

    # The nginx site talks to the same socket (its upstream's server, which the shared API
    # locations pass to); the sysusers entry creates the unit's user.
    with open(args.site, encoding="utf-8") as handle:
        site = "\n".join(line for line in handle if not line.lstrip().startswith("#"))
    passes = set(re.findall(r"(?:fastcgi_pass|server)\s+unix:([^;\s]+);", site))
    if passes != {socket}:
        problems.append(f"nginx site: its pool socket {sorted(passes)} is not the unit's socket {socket}")
    with open(args.sysusers, encoding="utf-8") as handle:
        entries = [l.split() for l in handle if l.strip() and not l.lstrip().startswith("#")]
    users = {e[1] for e in entries if e and e[0] == "u"}
    unit_user = (values(sections, "Service", "User") or ["?"])[-1]
    if unit_user not in users:
        problems.append(f"sysusers: no entry for the unit's user {unit_user} ({sorted(users)})")

    for note in notes:
        print(f"  ok: {note}")
    print(f"  ok: {len(serve)} serve options, {len(serve_flags)} passed by ExecStart, "
          f"{len(order)} settings in the env file")
    for problem in problems:
        print(f"  FAIL: {problem}")
    return 1 if problems else 0


def exec_lines(args):
    sections = parse_unit(args.unit)
    env, _ = parse_env(args.env)
    for item in args.set:
        key, value = item.split("=", 1)
        env[key] = value
    if args.mainpid:
        env["MAINPID"] = args.mainpid
    specifiers = {}
    for item in args.specifier:
        key, value = item.split("=", 1)
        specifiers[key] = value
    for value in values(sections, "Service", args.key):
        prefix, words = split_exec(value)
        argv = expand(words, env, specifiers)
        for item in args.replace:
            old, new = item.split("=", 1)
            argv = [new if word == old else word for word in argv]
        print(json.dumps({"privileged": "+" in prefix or "!" in prefix, "argv": argv}))
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("check")
    c.add_argument("--unit", required=True)
    c.add_argument("--env", required=True)
    c.add_argument("--serve-help", required=True)
    c.add_argument("--site", required=True)
    c.add_argument("--sysusers", required=True)
    e = sub.add_parser("exec")
    e.add_argument("--unit", required=True)
    e.add_argument("--env", required=True)
    e.add_argument("--key", required=True)
    e.add_argument("--set", action="append", default=[])
    e.add_argument("--specifier", action="append", default=[])
    e.add_argument("--replace", action="append", default=[])
    e.add_argument("--mainpid")
    args = parser.parse_args()
    return check(args) if args.command == "check" else exec_lines(args)


if __name__ == "__main__":
    sys.exit(main())
