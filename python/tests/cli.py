"""Running the built CLI (or any command) from the tests, with its output captured as text."""
import subprocess


def run(cmd, check=True, env=None):
    """Runs `cmd` (items converted to str) and returns the CompletedProcess; with `check`, a non-zero exit
    fails the test with the command, its exit code, stdout and stderr."""
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, env=env)
    if check and proc.returncode != 0:
        raise AssertionError(f"{cmd} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    return proc
