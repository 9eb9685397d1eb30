#!/usr/bin/env python3
"""Runs a command with the parts of plugin-lifecycle.service's sandbox a test can set up without
systemd, then execs it (same pid, so the caller's $! is the service's MAINPID):

    sandbox_exec.py [--user NAME] [--group NAME] [--umask 0027] -- COMMAND [ARG]...

- NoNewPrivileges=yes         prctl(PR_SET_NO_NEW_PRIVS)
- MemoryDenyWriteExecute=yes  prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN) where the kernel has it
                              (Linux 6.3+; systemd 252 uses a seccomp filter with the same effect)
- User=, Group=               setgroups([]), setgid, setuid (only when run as root)
- UMask=                      umask
The rest (ProtectSystem, the system call filter, namespaces) needs systemd itself.
Standard library only.
"""
import argparse
import ctypes
import grp
import os
import pwd
import sys

PR_SET_NO_NEW_PRIVS = 38
PR_SET_MDWE = 65
PR_MDWE_REFUSE_EXEC_GAIN = 1


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--user")
    parser.add_argument("--group")
    parser.add_argument("--umask", default="0027")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command")
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        sys.exit(f"sandbox_exec: PR_SET_NO_NEW_PRIVS failed: errno {ctypes.get_errno()}")
    if libc.prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) != 0:
        # Older kernels: say so on stderr (the caller's log), run without it.
        print(f"sandbox_exec: PR_SET_MDWE unavailable (errno {ctypes.get_errno()}): "
              "MemoryDenyWriteExecute not emulated", file=sys.stderr)
    os.umask(int(args.umask, 8))
    if args.user and os.getuid() == 0:
        user = pwd.getpwnam(args.user)
        gid = grp.getgrnam(args.group).gr_gid if args.group else user.pw_gid
        os.setgroups([])
        os.setgid(gid)
        os.setuid(user.pw_uid)
    os.execv(command[0], command)


if __name__ == "__main__":
    main()
