#!/usr/bin/env python3
"""Checks that the executor's threaded handlers in a release libvmcore.so tail-call each other.

interp/src/exec.rs: in optimised builds every op has a handler that ends by calling the next
instruction's handler, looked up in the `HANDLERS` table. Stable Rust cannot demand a tail call;
LLVM makes it a jump, and if it ever did not, each executed instruction would leave a native stack
frame behind until the run ends (a stack overflow in a long loop). This reads the disassembly of
the unstripped library and fails when a handler *calls* through the table (a scaled-index load
feeding an indirect call) or when fewer handlers than expected jump through it.

    toolchains/check-dispatch.py x86_64|aarch64|armv7 LIBRARY
"""
import re
import subprocess
import sys

OBJDUMP = {"x86_64": "objdump", "aarch64": "aarch64-linux-gnu-objdump", "armv7": "arm-linux-gnueabihf-objdump"}
NM = {"x86_64": "nm", "aarch64": "aarch64-linux-gnu-nm", "armv7": "arm-linux-gnueabihf-nm"}
HANDLER = re.compile(r"<(_ZN12ember_interp4exec7handler17h[0-9a-f]+E)>:$")


def handlers(arch, lib):
    """Yields (name, [instruction text]) for every handler function in the library."""
    out = subprocess.run([OBJDUMP[arch], "-d", "--no-show-raw-insn", lib], check=True,
                         capture_output=True, text=True).stdout
    name, body = None, []
    for line in out.splitlines():
        m = HANDLER.search(line)
        if m:
            if name:
                yield name, body
            name, body = m.group(1), []
        elif name and not line.strip():
            yield name, body
            name, body = None, []
        elif name:
            parts = line.split("\t")
            if len(parts) >= 2:
                body.append(" ".join(p.strip() for p in parts[1:]).strip())
    if name:
        yield name, body


def table_loaded(body, k, reg, scale):
    """Whether register `reg` was last written, before instruction k, by a scaled-index load."""
    for ins in reversed(body[:k]):
        op, _, args = ins.partition(" ")
        dest = args.split(",")[0].strip()
        if dest == reg:
            return op.startswith("ldr") and f"lsl #{scale}]" in args.replace(" ", " ")
    return False


def check(arch, body):
    """Returns (tail_jumps, table_calls) of one handler."""
    jumps = calls = 0
    for k, ins in enumerate(body):
        if arch == "x86_64":
            if re.match(r"jmp\s+\*\(%\w+,%\w+,8\)", ins):
                jumps += 1
            if re.match(r"call\s+\*\(%\w+,%\w+,8\)", ins):
                calls += 1
        elif arch == "aarch64":
            m = re.match(r"(br|blr)\s+(x\d+)$", ins)
            if m and table_loaded(body, k, m.group(2), 3):
                jumps += m.group(1) == "br"
                calls += m.group(1) == "blr"
        else:
            m = re.match(r"(bx|blx)\s+(ip|r\d+)$", ins)
            if m and table_loaded(body, k, m.group(2), 2):
                jumps += m.group(1) == "bx"
                calls += m.group(1) == "blx"
    return jumps, calls


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in OBJDUMP:
        sys.exit(__doc__.strip().splitlines()[-1].strip())
    arch, lib = sys.argv[1], sys.argv[2]
    n = jumping = 0
    bad = []
    for name, body in handlers(arch, lib):
        n += 1
        jumps, calls = check(arch, body)
        jumping += jumps > 0
        if calls:
            bad.append(name)
    # Identical handlers are folded by the linker; every op but the trapping ones dispatches on.
    if n < 150 or jumping < n - 8 or bad:
        print(f"check-dispatch[{arch}]: {lib}: {n} handlers, {jumping} tail-jump to the next, "
              f"{len(bad)} call through the table: {' '.join(bad[:5])}", file=sys.stderr)
        sys.exit(1)
    print(f"check-dispatch[{arch}]: {n} handlers, {jumping} end in a tail jump, none calls through the table")


if __name__ == "__main__":
    main()
