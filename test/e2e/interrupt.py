"""Runs a command, waits until it prints a line starting with PREFIX, sends it SIGINT,
and prints everything it wrote followed by `exit N` (its exit status).

  interrupt.py PREFIX -- COMMAND ARGS...
"""
import signal
import subprocess
import sys


def main(argv):
    if len(argv) < 3 or argv[1] != "--":
        sys.exit(__doc__)
    prefix, cmd = argv[0], argv[2:]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    lines = []
    for line in p.stdout:
        lines.append(line)
        if line.startswith(prefix):
            p.send_signal(signal.SIGINT)
            break
    lines.extend(p.stdout)
    rc = p.wait()
    sys.stdout.write("".join(lines))
    print(f"exit {rc}")


if __name__ == "__main__":
    main(sys.argv[1:])
