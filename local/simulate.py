"""`make simulate`: drive a project to the end on the running local platform, over HTTP, as a client and a
crowd of simulated annotators would: create a classify-then-box project (cat → box the cats → end; dog → end),
upload a simulated dataset, submit it for review, and, signed in as the demo operator (operator API), approve it;
annotators of the given accuracy claim, answer and submit through the worker API; when the trial is done the
client accepts it (acceptTrial) and confirms the estimate (confirm: pre-charged from the balance, topped up from
the saved card, the project starts by itself), and the annotators go on until every item is finished. Progress
is printed as it goes; at the end the consolidated answers are scored against the ground truth.

    python -m local.simulate [--url http://127.0.0.1:20000] [--flow classify-then-box] [--items 50] [--annotators 8]
                             [--accuracy 0.8]

`--flow` picks the kind of project from local.sim_flows (each task type adds its own: its project, flow, dataset
with ground truth, simulated annotators and scorer); the default is the classify-then-box project above.

Faults on purpose (to see nothing is lost or counted twice): --skip-rate gives tasks back (the task goes to
another annotator), --double-submit-rate submits an answer twice, --abandon-rate claims and walks away (the
task comes back when its lease ends: start the platform with LEASE_SECONDS=5 to see it soon).
"""

import argparse
import json
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field, replace

import requests

from bytebridge.signing import signed_headers
from local.annotators import truth_in_name
from local.platform import DEMO_OPERATOR_EMAIL, DEMO_OPERATOR_PASSWORD, DEMO_SECRET, DEMO_USER_ID
from local.sim_flows import FLOWS, SimFlow

DEFAULT_FLOW = "classify-then-box"

UPLOAD_BATCH = 1000  # submitResource takes this many links per call


@dataclass
class Faults:
    skip_rate: float = 0.0
    double_submit_rate: float = 0.0
    abandon_rate: float = 0.0


@dataclass
class Tally:
    """What the annotators did, shared by their threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    counts: Counter = field(default_factory=Counter)

    def add(self, what: str) -> None:
        with self.lock:
            self.counts[what] += 1


class Client:
    """The documented signed API, as a client script calls it."""

    def __init__(self, base_url: str, user_id: str, secret: str):
        self.base_url, self.user_id, self.secret = base_url.rstrip("/"), user_id, secret
        self.http = requests.Session()

    def call(self, path: str, params: dict) -> dict:
        body = json.dumps({"userId": self.user_id, "params": params})
        headers = signed_headers(self.user_id, body, self.secret, int(time.time() * 1000))
        # confirm launches every remaining item in the call: minutes on a busy machine for a 1,000-item project
        answer = self.http.post(self.base_url + path, data=body.encode("utf-8"), headers=headers, timeout=600).json()
        if answer["code"] != 0:
            raise RuntimeError(f"{path}: code {answer['code']} {answer.get('errorMsg')} {answer.get('detail', '')}")
        return answer["data"]


class Operator:
    """The operator API (/operator/v1), signed in through /auth/v1 as a member of `operators`."""

    def __init__(self, base_url: str, email: str, password: str):
        self.base_url = base_url.rstrip("/")
        self.http = requests.Session()
        signed_in = self.http.post(
            f"{self.base_url}/auth/v1/signIn", json={"email": email, "password": password}, timeout=30
        )
        if signed_in.status_code != 200:
            raise RuntimeError(f"operator sign-in as {email} failed: {signed_in.status_code} {signed_in.text}")
        self.http.headers["Authorization"] = f"Bearer {signed_in.json()['idToken']}"

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        answer = self.http.request(method, f"{self.base_url}/operator/v1{path}", json=body, timeout=120)
        if answer.status_code != 200:
            raise RuntimeError(f"operator {method} {path}: {answer.status_code} {answer.text}")
        return answer.json()


def _annotate(
    base_url: str, sim: SimFlow, annotator, token: str, faults: Faults, stop: threading.Event, tally: Tally
) -> None:
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {token}"
    while not stop.is_set():
        try:
            if not _work_once(http, f"{base_url}/worker/v1", sim, annotator, faults, tally):
                return
        except (requests.RequestException, ValueError, KeyError) as exc:  # a person would retry too
            tally.add(f"error {type(exc).__name__}")
            time.sleep(1)


def _work_once(http: requests.Session, worker: str, sim: SimFlow, annotator, faults: Faults, tally: Tally) -> bool:
    """One claim and what the annotator does with it; False once the annotator is blocked."""
    claimed = http.post(f"{worker}/assignments/claim", json={"waitSeconds": 2}, timeout=60)
    if claimed.status_code == 403:
        tally.add("blocked")
        return False
    claimed.raise_for_status()
    assignment = claimed.json()["assignment"]
    if assignment is None:
        tally.add("no work")
        return True
    tally.add("claimed")
    # The data link redirects to the item; its URL is all the simulator needs to "see" it.
    data = http.get(assignment["dataUrl"], allow_redirects=False, timeout=30)
    truth = sim.truth_of(data.headers["Location"])
    base = f"{worker}/assignments/{assignment['assignmentId']}"
    roll = annotator.rng.random()
    if roll < faults.abandon_rate:
        tally.add("abandoned")
        return True
    if roll < faults.abandon_rate + faults.skip_rate:
        http.post(f"{base}/release", json={"skip": True}, timeout=30)
        tally.add("skipped")
        return True
    answer = {"answer": annotator.answer(assignment, truth)}
    submitted = http.post(f"{base}/submit", json=answer, timeout=60)
    tally.add(f"submit {submitted.status_code}")
    if annotator.rng.random() < faults.double_submit_rate:
        again = http.post(f"{base}/submit", json=answer, timeout=60)
        tally.add("duplicate submit" if again.ok and again.json()["duplicate"] else f"resubmit {again.status_code}")
    return True


def all_results(client: Client, project_id: str) -> list[dict]:
    """Every finished item of the project, through listResults' cursor pages."""
    results, cursor = [], None
    while True:
        page = client.call("/api/v1/projects/listResults", {"projectId": project_id, "limit": 100, "cursor": cursor})
        results += page["items"]
        cursor = page["nextCursor"]
        if cursor is None:
            return results


def _new_project(
    base_url: str, client: Client, sim: SimFlow, flow: str, dataset: dict, operator: tuple[str, str] | None
) -> str:
    """Create the simulated project, add its dataset, submit it, and have the operator approve it."""
    project_id = client.call("/api/v1/projects", sim.project(f"simulated {flow} {uuid.uuid4().hex[:8]}"))["projectId"]
    client.call("/api/v1/projects/setFlow", {"projectId": project_id, **sim.set_flow})
    urls = list(dataset)
    for start in range(0, len(urls), UPLOAD_BATCH):
        batch = urls[start : start + UPLOAD_BATCH]
        client.call(
            "/api/v1/projects/submitResource",
            {"projectId": project_id, "resourceType": sim.resource_type, "resourceURLs": batch},
        )
    client.call("/api/v1/projects/alterState", {"projectId": project_id, "type": "start"})
    ops = Operator(base_url, *(operator or (DEMO_OPERATOR_EMAIL, DEMO_OPERATOR_PASSWORD)))
    ops.call("POST", f"/reviews/{project_id}/approve")
    return project_id


def run_simulation(
    base_url: str,
    *,
    flow: str = DEFAULT_FLOW,
    items: int = 50,
    annotators: int = 8,
    accuracy: float = 0.8,
    faults: Faults | None = None,
    user_id: str = DEMO_USER_ID,
    secret: str = DEMO_SECRET,
    timeout_seconds: float = 600,
    seed: int = 7,
    operator: tuple[str, str] | None = None,  # (e-mail, password) of an operator; default: the local demo operator
    project_id: str | None = None,  # an existing project: only its crowd is simulated, the client does the rest
    out=sys.stdout,
) -> dict:
    """Run one simulated project of the kind `flow` (local.sim_flows) to the end; returns the figures it printed.
    With `project_id`, the crowd labels that project (answering from the label in each file's name) while its
    client moves it through its lifecycle (e.g. `bytebridge watch --accept-trial`)."""
    sim = FLOWS[flow]
    faults = faults or Faults()
    client = Client(base_url, user_id, secret)
    dataset: dict | None = None
    if project_id is None:
        dataset = sim.dataset(items, seed)
        project_id = _new_project(base_url, client, sim, flow, dataset, operator)
    else:
        sim = replace(sim, truth_of=truth_in_name)
    print(
        f"project {project_id} ({flow}): {annotators} annotators at ~{accuracy:.0%}",
        file=out,
        flush=True,
    )

    stop, tally = threading.Event(), Tally()
    threads = []
    for annotator in sim.annotators(annotators, accuracy, seed):
        token = requests.post(f"{base_url}/local/workers", json={"name": annotator.name}, timeout=30).json()["token"]
        thread = threading.Thread(
            target=_annotate,
            args=(base_url, sim, annotator, token, faults, stop, tally),
            name=annotator.name,
            daemon=True,
        )
        thread.start()
        threads.append(thread)
    started = time.monotonic()
    try:
        while True:
            retrieved = client.call("/api/v1/projects/retrieveProject", {"projectId": project_id})
            progress, trial = retrieved["projectData"], retrieved.get("trial")
            elapsed = time.monotonic() - started
            print(
                f"  {elapsed:6.1f} s  {progress['projectStatus']:<10} completed {progress['completedQuantity']}/"
                f"{progress['projectItemQuantity']}  processing {progress['processingQuantity']}  "
                f"not started {progress['noStartQuantity']}  spent ${progress['amountSpent']:.2f}",
                file=out,
                flush=True,
            )
            if progress["projectStatus"] == "completed" or elapsed > timeout_seconds:
                break
            if dataset is None:  # an existing project: its client decides
                pass
            elif progress["projectStatus"] == "trialDone":  # the client accepts the trial …
                client.call("/api/v1/projects/acceptTrial", {"projectId": project_id})
                print("  trial accepted", file=out, flush=True)
            elif progress["projectStatus"] == "waitingPayment":  # … confirms the estimate: pre-charged, it starts
                estimate = client.call("/api/v1/projects/estimate", {"projectId": project_id})
                confirmed = client.call("/api/v1/projects/confirm", {"projectId": project_id})
                print(
                    f"  estimate ${estimate['estimateCents'] / 100:.2f} confirmed: reserved "
                    f"${confirmed['reservedCents'] / 100:.2f} (card topped up ${confirmed['toppedUpCents'] / 100:.2f})",
                    file=out,
                    flush=True,
                )
            time.sleep(2)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    results = all_results(client, project_id)
    figures = {
        "projectId": project_id,
        "status": progress["projectStatus"],
        "seconds": round(time.monotonic() - started, 1),
        "progress": {
            k: progress[k]
            for k in (
                "projectItemQuantity",
                "completedQuantity",
                "successQuantity",
                "failedQuantity",
                "outputQuantity",
                "amountSpent",
            )
        },
        "trial": {k: trial[k] for k in ("size", "finished", "cost")} if trial else None,
        "annotators": dict(tally.counts),
        "score": sim.score(results, dataset) if dataset is not None else None,
    }
    print(json.dumps(figures, indent=2), file=out, flush=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:20000")
    parser.add_argument(
        "--flow",
        default=DEFAULT_FLOW,
        choices=sorted(FLOWS),
        help=f"what to label (local.sim_flows; default {DEFAULT_FLOW})",
    )
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--annotators", type=int, default=8)
    parser.add_argument("--accuracy", type=float, default=0.8)
    parser.add_argument("--skip-rate", type=float, default=0.0)
    parser.add_argument("--double-submit-rate", type=float, default=0.0)
    parser.add_argument("--abandon-rate", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--timeout", type=float, default=600, help="give up after this many seconds of labeling")
    parser.add_argument("--user-id", default=DEMO_USER_ID, help="the client account (default: the demo account)")
    parser.add_argument("--secret", default=DEMO_SECRET, help="its API secret")
    parser.add_argument(
        "--project", help="label this existing project (its files named cat_… or dog_…) instead of a new one"
    )
    args = parser.parse_args()
    faults = Faults(args.skip_rate, args.double_submit_rate, args.abandon_rate)
    try:
        figures = run_simulation(
            args.url,
            flow=args.flow,
            items=args.items,
            annotators=args.annotators,
            accuracy=args.accuracy,
            faults=faults,
            seed=args.seed,
            timeout_seconds=args.timeout,
            user_id=args.user_id,
            secret=args.secret,
            project_id=args.project,
        )
    except requests.ConnectionError:
        sys.exit(f"error: no platform at {args.url}; start it with `make run`")
    if figures["status"] != "completed":
        sys.exit("the project did not complete in time")


if __name__ == "__main__":
    main()
