"""POP3 load generator used for both servers (same client, same work).

usage: load.py retr PORT PASSWORD USER [USER ...]
  one process per user, all at once: USER/PASS, STAT, UIDL, RETR every message, QUIT.
  prints {"seconds": wall time, "messages": total RETRs, "octets": total, "clientCpu": CPU seconds of the clients}
usage: load.py uidl PORT PASSWORD USER
  prints {"seconds": connect to end of UIDL, "count": n}
"""
import json, os, poplib, sys, time
from multiprocessing import Pool


def retr_all(args):
    port, password, user = args
    t0 = time.perf_counter()
    p = poplib.POP3("127.0.0.1", port, timeout=300)
    p.user(user)
    p.pass_(password)
    t_login = time.perf_counter()
    count, _ = p.stat()
    p.uidl()
    t_listed = time.perf_counter()
    octets = 0
    for i in range(1, count + 1):
        _, lines, n = p.retr(i)
        octets += n
        if i == 1:
            t_first = time.perf_counter()
    t_retr = time.perf_counter()
    p.quit()
    t_end = time.perf_counter()
    # where a session's time went: connect+login, STAT+UIDL, first RETR, the other RETRs, QUIT
    return count, octets, [t_login - t0, t_listed - t_login, t_first - t_listed, t_retr - t_first, t_end - t_retr]


def autogroup():
    """the scheduling group this process runs in (Linux autogroup), for the bench's log"""
    try:
        with open("/proc/self/autogroup") as f:
            return f.read().split()[0]
    except OSError:
        return "n/a"


def main():
    mode, port, password, users = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
    if mode == "retr":
        pool = Pool(len(users))
        start = time.perf_counter()
        results = pool.map(retr_all, [(port, password, u) for u in users])
        seconds = time.perf_counter() - start
        pool.close()
        pool.join()
        # the workers have been waited for: their CPU is in children_*
        t = os.times()
        client_cpu = t.children_user + t.children_system
        phases = [sum(r[2][k] for r in results) / len(results) for k in range(5)]
        totals = sorted(sum(r[2]) for r in results)
        phases += [totals[0], totals[-1]]  # the quickest and the slowest session
        print(json.dumps({"seconds": seconds, "messages": sum(r[0] for r in results), "octets": sum(r[1] for r in results), "clientCpu": client_cpu, "phases": phases, "autogroup": autogroup()}))
    else:
        start = time.perf_counter()
        p = poplib.POP3("127.0.0.1", port, timeout=600)
        p.user(users[0])
        p.pass_(password)
        n = len(p.uidl()[1])
        seconds = time.perf_counter() - start
        p.quit()
        print(json.dumps({"seconds": seconds, "count": n}))


if __name__ == "__main__":
    main()
