"""What /proc says of a process, for the benchmarks that start their own
(status_loop.py, xds.py): its CPU time and its memory."""
import os


def cpu_seconds(pid):
    """User and system CPU time of every thread, in seconds."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory_mib(pid, field="VmRSS:"):
    """Resident memory now (VmRSS:) or at its peak (VmHWM:), in MiB."""
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(field):
            return int(line.split()[1]) / 1024
