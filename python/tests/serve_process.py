"""`spymaster serve --port 0` as a child process of a test: started, its port read from the line it prints
once listening, stopped with SIGTERM."""
import signal
import subprocess


class ServeProcess:
    def __init__(self, spymaster_bin, lake, args=(), stderr=subprocess.PIPE):
        self.proc = subprocess.Popen([str(spymaster_bin), "serve", "--lake", str(lake), "--port", "0", *args],
                                     stdout=subprocess.PIPE, stderr=stderr, text=True)
        line = self.proc.stdout.readline()
        assert line.startswith("serving http://127.0.0.1:"), (line, self.proc.stderr and self.proc.stderr.read())
        self.port = int(line.split()[1].rsplit(":", 1)[1])

    def url(self, query=""):
        return f"ws://127.0.0.1:{self.port}/v1/velocity/stream?{query}"

    def stop(self):
        """SIGTERM unless it has exited already; its exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=60)
