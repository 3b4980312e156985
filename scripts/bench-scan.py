#!/usr/bin/env python3
"""Times gigascan against jdupes, rmlint, fdupes and the floor on one tree.

Builds a synthetic share with scripts/benchtree (default: 100 000 files,
about 12 GB), warms the page cache, then runs each command several times
and prints the median wall time and the peak RSS as a Markdown table, with
the median of the 1-minute load average as each run starts (on a shared
machine, say it beside the figures). The commands run in turns, a run of
each a round, so that other work weighs on all alike. It stops if
/dev/null is no longer a character device when it starts or ends.

Rescans: gigascan's cached rescan of the unchanged tree (its hash cache
filled by a first run) and rmlint's --xattr rescan (checksums kept in
extended attributes, written by a first run). With strace installed, it
also counts the files of the tree the cached rescan opens (it should open
none: only folders).

    python3 scripts/bench-scan.py --dir /tmp/gigascan-bench --runs 5
    (apt-get install jdupes rmlint fdupes time  for the peers and GNU time)

The floor is what no tool can beat: `find -printf` for the walk alone, and
reading every candidate for duplicates (non-empty files whose size another
file shares) once with cat.
"""
import argparse, collections, os, re, shutil, stat, statistics, subprocess, sys, tempfile, time

def run(cmd, shell=False):
    """Runs cmd once under GNU time, returns (wall seconds, CPU seconds, peak RSS in MB).

    GNU time reports the command's own peak RSS; rusage from Python would
    count the forked Python process too. CPU time (user + system) moves
    less than wall time when other work shares the machine."""
    with tempfile.NamedTemporaryFile("r") as out:
        timed = ["/usr/bin/time", "-o", out.name, "-f", "%e %U %S %M"] + (["sh", "-c", cmd] if shell else cmd)
        status = subprocess.run(timed, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
        if status not in (0, 1):  # fdupes/jdupes exit 1 on some findings
            sys.exit(f"command failed ({status}): {cmd}")
        wall, user, system, kb = out.read().split()[-4:]
    return float(wall), float(user) + float(system), int(kb) / 1024

def candidates(root, out):
    """Writes the same-size candidates (NUL-separated) and returns their count and bytes."""
    by_size = collections.defaultdict(dict)
    for dirpath, _, names in os.walk(root):
        for n in names:
            p = os.path.join(dirpath, n)
            st = os.lstat(p)
            if st.st_size > 0 and not os.path.islink(p):
                by_size[st.st_size][(st.st_dev, st.st_ino)] = p
    count = size = 0
    with open(out, "wb") as f:
        for s, files in by_size.items():
            if len(files) > 1:
                for p in files.values():
                    f.write(p.encode() + b"\0")
                    count += 1
                    size += s
    return count, size

# rmlint's output goes to a file of the work folder, never to /dev/null:
# rmlint renames an output file that exists to NAME.<date> first (its
# backups), which replaced the machine's /dev/null with a regular file.
RMLINT_OUT = "--no-backup -o fdupes:rmlint.out"

def check_dev_null():
    """Stops when /dev/null is no longer the character device (see RMLINT_OUT)."""
    if not stat.S_ISCHR(os.stat("/dev/null").st_mode):
        sys.exit("/dev/null is not a character device any more: restore it (mknod -m 666 /dev/null c 1 3)")

def opened_files(gigascan, cache, root, work):
    """Counts the regular files under root that a cached rescan opens."""
    log = os.path.join(work, "strace.log")
    subprocess.run(["strace", "-f", "-qq", "-e", "trace=openat", "-o", log, gigascan, "scan", "--team", "bench", "--cache", cache, root],
                   stdout=subprocess.DEVNULL, check=True)
    n = 0
    with open(log) as f:
        for line in f:
            m = re.search(r'openat\([^,]*, "([^"]*)".*= (-?\d+)', line)
            if m and m.group(1).startswith(root + "/") and int(m.group(2)) >= 0 and os.path.isfile(m.group(1)):
                n += 1
    return n

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", default="/tmp/gigascan-bench")
    ap.add_argument("--files", type=int, default=100_000)
    ap.add_argument("--large", type=int, default=40)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--keep", action="store_true", help="reuse an existing tree")
    ap.add_argument("--only", default="", help="comma-separated words: run only the commands whose name holds one (e.g. gigascan,jdupes,find)")
    a = ap.parse_args()
    check_dev_null()
    if not os.path.exists("/usr/bin/time"):
        sys.exit("GNU time is needed: apt-get install time")
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if not (a.keep and os.path.isdir(a.dir)):
        shutil.rmtree(a.dir, ignore_errors=True)
        subprocess.run(["go", "run", "./scripts/benchtree", "-dir", a.dir, "-files", str(a.files), "-large", str(a.large)], cwd=repo, check=True)
    work = tempfile.mkdtemp()
    gigascan = os.path.join(work, "gigascan")
    subprocess.run(["go", "build", "-o", gigascan, "./cmd/gigascan"], cwd=repo, check=True)
    listing = os.path.join(work, "candidates")
    n, size = candidates(a.dir, listing)
    print(f"tree: {a.dir}; same-size candidates: {n} files, {size/1e9:.2f} GB; {os.cpu_count()} CPUs")
    subprocess.run(f"find {a.dir} -type f -print0 | xargs -0 cat > /dev/null", shell=True, check=True)  # warm the cache
    # rmlint --xattr first: writing its extended attributes changes every
    # file's ctime, which makes gigascan read them all again. gigascan keeps
    # no file changed within 2 s of its start.
    if shutil.which("rmlint"):
        subprocess.run(f"cd {work} && rmlint --xattr {RMLINT_OUT} {a.dir}", shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(3)
    cache = os.path.join(work, "cache")
    subprocess.run([gigascan, "scan", "--team", "bench", "--cache", cache, a.dir], stdout=subprocess.DEVNULL, check=True)  # fills the cache
    if shutil.which("strace"):
        opened = opened_files(gigascan, cache, a.dir, work)
        print(f"files of the tree the cached rescan opens: {opened}")
    commands = [
        ("gigascan scan (full report, no cache)", [gigascan, "scan", "--team", "bench", "--no-cache", a.dir], False),
        ("gigascan scan, cached rescan (unchanged tree)", [gigascan, "scan", "--team", "bench", "--cache", cache, a.dir], False),
        ("gigascan scan --size-only (reads no file)", [gigascan, "scan", "--team", "bench", "--size-only", a.dir], False),
        ("jdupes -r (duplicates only)", ["jdupes", "-r", "-q", a.dir], False),
        ("rmlint (duplicates and other lint)", f"cd {work} && rmlint {RMLINT_OUT} {a.dir}", True),
        ("rmlint --xattr rescan", f"cd {work} && rmlint --xattr {RMLINT_OUT} {a.dir}", True),
        ("fdupes -r (duplicates only)", ["fdupes", "-r", "-q", a.dir], False),
        ("floor: find -printf (walk only)", f"find {a.dir} -printf '%s %i %p\\n' > /dev/null", True),
        ("floor: cat every candidate once", f"xargs -0 cat < {listing} > /dev/null", True),
    ]
    chosen = []
    print(f"\n| command | median wall (s) | min–max (s) | median CPU (s) | peak RSS (MB) | load |\n|---|---|---|---|---|---|")
    for name, cmd, shell in commands:
        if a.only and not any(w in name for w in a.only.split(",")):
            continue
        if not shell and shutil.which(cmd[0]) is None:
            print(f"| {name} | not installed | | | | |")
            continue
        chosen.append((name, cmd, shell))
    # The commands that leave the tree as it is run in turns, one run each
    # a round, so that other work on a shared machine weighs on each alike;
    # rmlint --xattr writes its attributes (which change the files' ctime,
    # and would send gigascan's cached rescan reading): it runs last, alone.
    together = [c for c in chosen if "--xattr" not in c[0]]
    for group in (together, [c for c in chosen if "--xattr" in c[0]]):
        for name, cmd, shell in group:
            run(cmd, shell)  # warm-up
        times = {name: ([], [], [], []) for name, _, _ in group}  # walls, CPUs, RSS, loads
        for _ in range(a.runs):
            for name, cmd, shell in group:
                walls, cpus, rss, loads = times[name]
                loads.append(os.getloadavg()[0])
                w, c, r = run(cmd, shell)
                walls.append(w); cpus.append(c); rss.append(r)
        for name, (walls, cpus, rss, loads) in times.items():
            print(f"| {name} | {statistics.median(walls):.2f} | {min(walls):.2f}–{max(walls):.2f} | {statistics.median(cpus):.2f} | {max(rss):.1f} | {statistics.median(loads):.1f} |", flush=True)
    shutil.rmtree(work)
    check_dev_null()

if __name__ == "__main__":
    main()
