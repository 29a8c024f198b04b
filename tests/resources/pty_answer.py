"""Run a command in a pseudo-terminal and type a password at each prompt, as a person would.

Used by RenewTest: java's System.console() exists only on a terminal, so a prompt can only be seen
and answered this way. Usage: pty_answer.py PASSWORD COMMAND [ARG...]. Prints everything the
terminal showed and exits with the command's exit code; kills the command if it stays silent for
120 seconds (then the exit code is that of a killed process).
"""
import os
import pty
import select
import signal
import sys

PROMPTS = (b"Password for", b"--key-password: ")

password, argv = sys.argv[1].encode(), sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)

out, answered = b"", 0
while True:
    ready, _, _ = select.select([fd], [], [], 120)
    if not ready:
        os.kill(pid, signal.SIGKILL)
        break
    try:
        data = os.read(fd, 4096)
    except OSError:  # the command ended: Linux reports EIO on the terminal's other side
        break
    if not data:
        break
    out += data
    asked = sum(out.count(p) for p in PROMPTS)
    if asked > answered:
        answered = asked
        os.write(fd, password + b"\n")

_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode("utf-8", "replace"))
sys.exit(os.waitstatus_to_exitcode(status))
