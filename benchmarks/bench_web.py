"""Load benchmark of the web application on loopback: 50 users browsing and running scenarios.

What it does (stops by itself; nothing leaves 127.0.0.1):

1. a temporary home folder with a fresh SQLite database; one municipality (Tiel), a goal tied to
   a model output, ``--users`` accounts (``--runners`` of them policy advisors with a scenario of
   their own, the rest council members), all logged in before the clock starts;
2. ``jeugdstelsel serve`` on 127.0.0.1 (waitress + one scenario worker process), as a user runs it;
3. phase A (``--quiet`` seconds): every user browses (dashboard, Kwaliteitskompas, a goal,
   the lab) with a think time of 0.5-1.5 s;
4. phase B (``--seconds``): the same, while the advisors also run scenarios (request, then poll
   the status once a second until the comparison and its details are complete);
5. report: errors, page latency p50/p95 per phase and page, and how long runs took.

Page latency in phase B against phase A shows whether scenario runs block page views.
Run: ``.venv/bin/python benchmarks/bench_web.py`` (about two minutes; ``--json out.json``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx

PASSWORD = "Benchmark-Wachtwoord-2026"
CODE = "GM0281"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(home: Path, n_users: int, n_runners: int) -> dict:
    """Database with users, memberships, a goal and one scenario per advisor (in-process)."""
    os.environ["JEUGDSTELSEL_HOME"] = str(home)
    os.environ["DJANGO_SETTINGS_MODULE"] = "jeugdstelsel.web.settings"
    import django

    django.setup()
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from jeugdstelsel.web.kompas import history
    from jeugdstelsel.web.kompas import models as m
    from jeugdstelsel.web.lab.models import Scenario

    call_command("migrate", interactive=False, verbosity=0)
    muni = m.Municipality.objects.create(code=CODE, name="Tiel")
    area = muni.areas.get(kind=m.Area.Kind.MUNICIPALITY)
    User = get_user_model()
    users, scenarios = [], {}
    levers = ("poh_jeugd", "wijkteam_versterken", "jeugdhulp_op_school", "normaliseren")
    for i in range(n_users):
        name = f"gebruiker{i:02d}"
        user = User.objects.create_user(name, password=PASSWORD)
        role = m.Role.ADVISOR if i < n_runners else m.Role.COUNCIL
        m.Membership.objects.create(user=user, municipality=muni, role=role)
        users.append(name)
        if role == m.Role.ADVISOR:
            s = Scenario.objects.create(
                municipality=muni, name=f"Plan {i}", owner=user, shared=True,
                levers=[{"naam": levers[i % len(levers)], "dosis": 1.0, "start": 2026}])
            scenarios[name] = s.pk
    goal = m.Goal(area=area, title="Minder specialistische jeugdhulp", indicator="jongeren",
                  unit="jongeren", baseline_value=900, baseline_date=dt.date(2024, 1, 1),
                  target_value=800, deadline=dt.date(2029, 12, 31),
                  model_output_key="specialistisch")
    author = User.objects.get(username=users[0])
    history.save_item(goal, author)
    # a workspace of realistic size: 71 items, as in the issue (the overview issued 204 queries)
    team = m.Organisation.objects.create(municipality=muni, name="Wijkteam Tiel",
                                         kind=m.Organisation.Kind.LOCAL_TEAM)
    for i in range(10):
        issue = m.Issue(area=area, kind=m.Issue.Kind.QUALITY, title=f"Vraagstuk {i}")
        history.save_item(issue, author)
        g = m.Goal(area=area, issue=issue, title=f"Doel {i}", indicator="jongeren",
                   unit="jongeren", baseline_value=100, baseline_date=dt.date(2024, 1, 1),
                   target_value=80, deadline=dt.date(2028, 12, 31))
        history.save_item(g, author)
        act = m.Activity(area=area, goal=g, title=f"Activiteit {i}", layer=m.Layer.FIRST_LINE,
                         organisation=team)
        history.save_item(act, author)
        history.save_item(m.Intervention(area=area, activity=act, name=f"Interventie {i}",
                                         evidence_level=m.EvidenceLevel.STRONG), author)
        for goal_ in (g, goal):
            history.save_item(m.Measurement(area=area, goal=goal_, value=95 - i,
                                            date=dt.date(2024, 2, 1 + i), organisation=team),
                              author)
        history.save_item(m.ImprovementAction(area=area, goal=g, title=f"Actie {i}",
                                              owner="Wijkteam"), author)
    return {"users": users, "scenarios": scenarios, "goal": goal.pk}


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latency: dict[tuple[str, str], list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.runs: list[float] = []
        self.run_first: list[float] = []
        self.run_started: list[float] = []  # perf_counter at each request, to see when slow

    def add(self, phase: str, page: str, seconds: float) -> None:
        with self.lock:
            self.latency[(phase, page)].append(seconds)

    def error(self, text: str) -> None:
        with self.lock:
            self.errors.append(text)


def login(base: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30.0, follow_redirects=False)
    page = client.get("/inloggen")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    r = client.post("/inloggen", data={"username": username, "password": PASSWORD,
                                       "csrfmiddlewaretoken": token},
                    headers={"Referer": base + "/inloggen"})
    if r.status_code != 302:
        raise RuntimeError(f"inloggen van {username} mislukt: {r.status_code}")
    return client


#: Municipal dashboards visited besides Tiel (a different municipality per visit, as people do)
OTHER_MUNICIPALITIES = ("GM0363", "GM0014", "GM0599", "GM0518", "GM0344", "GM0096", "GM0772",
                        "GM0855", "GM0200", "GM0193")


def browse(client: httpx.Client, pages: dict[str, str], stats: Stats, phase: list[str],
           stop: threading.Event, rng: random.Random) -> None:
    order = list(pages.items())
    while not stop.is_set():
        page, url = rng.choice(order) if rng.random() < 0.5 else order[0]  # dashboard half
        if page == "dashboard gemeente" and rng.random() < 0.5:
            url = f"/staat-van-het-jeugdstelsel?gemeente={rng.choice(OTHER_MUNICIPALITIES)}"
        started = time.perf_counter()
        try:
            r = client.get(url)
            elapsed = time.perf_counter() - started
            if r.status_code != 200:
                stats.error(f"{url}: HTTP {r.status_code}")
            else:
                stats.add(phase[0], page, elapsed)
        except httpx.HTTPError as exc:
            stats.error(f"{url}: {exc!r}")
        stop.wait(rng.uniform(0.5, 1.5))


def run_scenarios(client: httpx.Client, pk: int, stats: Stats, phase: list[str],
                  stop: threading.Event, rng: random.Random, limit: int,
                  pause: tuple[float, float]) -> None:
    done = 0
    while not stop.is_set() and done < limit:
        if phase[0] != "B":
            stop.wait(0.5)
            continue
        page = client.get(f"/scenariolab/{CODE}/scenarios/{pk}")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        started = time.perf_counter()
        r = client.post(f"/scenariolab/{CODE}/scenarios/{pk}/berekenen",
                        data={"csrfmiddlewaretoken": token, "reference": ""},
                        headers={"Referer": str(page.url)})
        if r.status_code != 302:
            stats.error(f"berekenen: HTTP {r.status_code}")
            return
        status_url = r.headers["location"] + "/status"
        first = None
        while not stop.is_set():
            s = client.get(status_url)
            if s.status_code != 200:
                stats.error(f"status: HTTP {s.status_code}")
                break
            body = s.json()
            if body["status"] == "fout":
                stats.error("berekening mislukt")
                break
            if body["status"] == "klaar" and first is None:
                first = time.perf_counter() - started
            if body["complete"]:
                with stats.lock:
                    stats.runs.append(time.perf_counter() - started)
                    stats.run_first.append(first)
                    stats.run_started.append(started)
                break
            stop.wait(0.25)  # finer than the page's 1 s, to measure when the result is there
        done += 1
        stop.wait(rng.uniform(*pause))  # reading the result before the next try


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, round(q / 100 * (len(values) - 1)))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--runners", type=int, default=10, help="users who also run scenarios")
    ap.add_argument("--quiet", type=float, default=30.0, help="seconds of browsing only")
    ap.add_argument("--seconds", type=float, default=90.0, help="seconds with scenario runs")
    ap.add_argument("--runs-per-user", type=int, default=3)
    ap.add_argument("--run-pause", type=float, nargs=2, default=(10.0, 20.0),
                    help="seconds an advisor reads a result before the next run")
    ap.add_argument("--workers", type=int, default=1, help="scenario worker processes")
    ap.add_argument("--worker-nice", type=int, default=10,
                    help="nice of the scenario worker (serve's default 10; on a machine shared "
                    "with other work 0 keeps that work from starving it)")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()

    home = Path(tempfile.mkdtemp(prefix="jeugdstelsel-bench-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    setup = prepare(home, args.users, args.runners)
    env = {**os.environ, "JEUGDSTELSEL_HOME": str(home), "JEUGDSTELSEL_LOGLEVEL": "WARNING",
           "JEUGDSTELSEL_WORKER_NICE": str(args.worker_nice)}
    server = subprocess.Popen(
        [sys.executable, "-c", "from jeugdstelsel.cli import main; main()", "serve",
         "--port", str(port),
         "--threads", "16", "--workers", str(args.workers)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    log_lines: list[str] = []
    threading.Thread(target=lambda: log_lines.extend(server.stdout), daemon=True).start()
    stats = Stats()
    try:
        deadline = time.time() + 120
        while True:
            try:
                if httpx.get(base + "/", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.time() > deadline or server.poll() is not None:
                print("".join(log_lines))
                raise SystemExit("de server startte niet")
            time.sleep(0.5)
        httpx.get(base + "/staat-van-het-jeugdstelsel", timeout=120)  # model band computed
        for _ in range(240):  # serve's warm-up: the Routekaart of the country and of Tiel
            page = httpx.get(f"{base}/staat-van-het-jeugdstelsel/routekaart?gemeente={CODE}",
                             timeout=60)
            if "loopt nu" not in page.text:
                break
            time.sleep(0.5)
        load_before = os.getloadavg()
        t0 = time.perf_counter()
        clients = {u: login(base, u) for u in setup["users"]}
        print(f"{len(clients)} gebruikers ingelogd in {time.perf_counter() - t0:.1f} s")
        pages = {
            "dashboard": "/staat-van-het-jeugdstelsel",
            "dashboard gemeente": f"/staat-van-het-jeugdstelsel?gemeente={CODE}",
            "routekaart": f"/staat-van-het-jeugdstelsel/routekaart?gemeente={CODE}",
            "kompas": f"/kompas/{CODE}",
            "doel": f"/kompas/{CODE}/doelen/{setup['goal']}",
            "scenariolab": f"/scenariolab/{CODE}",
        }
        stop = threading.Event()
        phase = ["A"]
        threads = []
        for i, (user, client) in enumerate(clients.items()):
            rng = random.Random(i)
            threads.append(threading.Thread(target=browse,
                                            args=(client, pages, stats, phase, stop, rng)))
            if user in setup["scenarios"]:
                threads.append(threading.Thread(
                    target=run_scenarios, args=(clients[user], setup["scenarios"][user], stats,
                                                phase, stop, random.Random(1000 + i),
                                                args.runs_per_user, tuple(args.run_pause))))
        for t in threads:
            t.start()
        time.sleep(args.quiet)
        phase[0] = "B"
        time.sleep(args.seconds)
        stop.set()
        for t in threads:
            t.join(timeout=60)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(home, ignore_errors=True)

    report = {"load_before": load_before, "users": args.users, "runners": args.runners,
              "workers": args.workers,
              "cpus": os.cpu_count(), "errors": len(stats.errors),
              "error_examples": stats.errors[:5], "pages": {}, "runs": {}}
    print(f"\n{args.users} gebruikers, {args.runners} met scenario's, {os.cpu_count()} cores, "
          f"{args.workers} rekenproces(sen)")
    print(f"fouten: {len(stats.errors)} {stats.errors[:3]}")
    report["load_after"] = os.getloadavg()
    print(f"belasting (uptime) voor {report['load_before']}, na {report['load_after']}")
    print(f"{'fase':<5} {'pagina':<18} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for (ph, page), values in sorted(stats.latency.items()):
        row = {"n": len(values), "p50_ms": 1000 * statistics.median(values),
               "p95_ms": 1000 * pct(values, 95), "max_ms": 1000 * max(values)}
        report["pages"][f"{ph}:{page}"] = row
        print(f"{ph:<5} {page:<18} {row['n']:>6} {row['p50_ms']:>8.0f} {row['p95_ms']:>8.0f} "
              f"{row['max_ms']:>8.0f}")
    if stats.runs:
        report["runs"] = {"n": len(stats.runs),
                          "comparison_p50_s": statistics.median(stats.run_first),
                          "comparison_p95_s": pct(stats.run_first, 95),
                          "complete_p50_s": statistics.median(stats.runs),
                          "complete_p95_s": pct(stats.runs, 95),
                          # every run: seconds after the first request, comparison, complete
                          "each": [[round(t - min(stats.run_started), 2), round(f, 2),
                                    round(c, 2)] for t, f, c in sorted(zip(
                                        stats.run_started, stats.run_first, stats.runs,
                                        strict=True))]}
        r = report["runs"]
        print(f"scenarioberekeningen: {r['n']}; vergelijking klaar na p50 "
              f"{r['comparison_p50_s']:.1f} s / p95 {r['comparison_p95_s']:.1f} s (incl. "
              f"wachtrij); met details p50 {r['complete_p50_s']:.1f} s / p95 "
              f"{r['complete_p95_s']:.1f} s")
    if args.json:
        args.json.write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 1 if stats.errors else 0


if __name__ == "__main__":
    sys.exit(main())
