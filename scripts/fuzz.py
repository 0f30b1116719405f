"""Schema-driven fuzzing of the JSON API with schemathesis (DESIGN §9: "a schema-driven fuzzer runs in CI").

Starts the product as `scripts/run.sh` does (`manage.py run_embedded`: uvicorn, SQLite, demo data) but
with DEBUG off, so errors look as they do in production, on a fresh database in a temporary directory
and a free loopback port. Signs in as two personas (a district officer and the city officer) and runs
schemathesis against `/api/schema/` once per persona with their `Authorization: Token …` header and
these checks: not_a_server_error, status_code_conformance, content_type_conformance,
response_schema_conformance. (Not positive_data_acceptance / negative_data_rejection: business rules
refuse valid-looking input with documented 4xx codes.) Prints per persona the number of test cases and
the failures grouped by check and operation, each with its smallest example. Exit status: 0 clean,
1 a check failed or schemathesis reported errors, 2 the fuzzer could not run.

    .venv/bin/python scripts/fuzz.py                        # both personas, --max-examples 40 --seed 2026
    .venv/bin/python scripts/fuzz.py --persona city_officer --max-examples 200 --report-dir var/fuzz
    .venv/bin/python scripts/fuzz.py --max-time 300         # explore for 300 s per persona (not reproducible)

Only 127.0.0.1 is ever targeted: the base URL is fixed, redirects are not followed, environment
proxies are ignored, and the server under test has its outbound HTTP sent to a dead loopback proxy and
its email to memory.
"""

import argparse
import base64
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers import free_port  # noqa: E402

HOST = "127.0.0.1"
PASSWORD = "shoutan-demo-2026"  # the demo people's (cases/demo.py)
PERSONAS = ["haidian_officer", "city_officer"]
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
]
# Not part of the JSON API contract, or would end the persona's session mid-run.
EXCLUDE = [
    ("--exclude-path-regex", "^/api/schema/"),
    ("--exclude-name", "DELETE /api/auth/token/"),  # revokes the very token the run uses
]
PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
# a line that starts a new log record in the server's output: uvicorn's, or Django's request log
LOG_LINE = re.compile(r"^(?:[A-Z]+:\s|[A-Z][a-z]+(?: [A-Z][a-z]+)*: /)")
CHAINING = re.compile(r"^(?:Traceback \(most recent call last\)|The above exception|During handling of)")


def say(message: str) -> None:
    print(f"fuzz: {message}", flush=True)


class CannotRun(Exception):
    """The fuzzer could not start the server, sign in or run schemathesis (exit status 2)."""


class Server:
    """The embedded product on a fresh SQLite database under `work`, DEBUG off, on a free loopback port."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.log = work / "server.log"
        self.proc: subprocess.Popen | None = None

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k.lower() not in PROXY_VARS}
        env.pop("PRODUCTION", None)  # no SSL redirect on plain loopback HTTP
        return env | {
            "DATABASE_URL": f"sqlite:///{self.work / 'db.sqlite3'}",
            "VAR_DIR": str(self.work / "var"),
            "REDIS_URL": "",
            "DEBUG": "0",
            "SECRET_KEY": "fuzz-" + "s" * 60,
            "ALLOWED_HOSTS": HOST,
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            # whatever the fuzzed input makes the server call (webhooks) goes to a closed loopback port
            "http_proxy": f"http://{HOST}:9",
            "https_proxy": f"http://{HOST}:9",
            "no_proxy": "",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }

    def manage(self, *args: str) -> None:
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env(),
                              capture_output=True, text=True, timeout=600)  # fmt: skip
        if done.returncode:
            raise CannotRun(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")

    def start(self) -> None:
        self.manage("migrate", "--no-input", "-v0")
        self.manage("load_demo")
        with self.log.open("w") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "manage.py", "run_embedded", f"{HOST}:{self.port}", "--interval", "5"],
                cwd=ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise CannotRun(f"the server exited ({self.proc.returncode}):\n{self.tail()}")
            try:
                urllib.request.urlopen(f"{self.url}/api/schema/", timeout=5).read()  # noqa: S310
                return
            except urllib.error.HTTPError as exc:
                raise CannotRun(f"/api/schema/ answered {exc.code}:\n{self.tail()}") from exc
            except OSError:
                time.sleep(0.2)
        raise CannotRun(f"the server did not come up in 120 s:\n{self.tail()}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""

    def token(self, username: str) -> str:
        body = json.dumps({"username": username, "password": PASSWORD}).encode()
        request = urllib.request.Request(f"{self.url}/api/auth/token/", data=body, method="POST",
                                         headers={"Content-Type": "application/json"})  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return json.loads(response.read())["token"]
        except urllib.error.HTTPError as exc:
            raise CannotRun(
                f"signing in as {username} answered {exc.code}: {short(exc.read().decode('utf-8', 'replace'), 300)}"
            ) from exc

    def server_errors(self) -> dict[str, list[str]]:
        """The exception that ended each 500 the server logged, with the paths it happened on (Django
        logs "Internal Server Error: PATH" and the traceback; the last unindented line names it)."""
        found: dict[str, list[str]] = defaultdict(list)
        path, last = "", ""
        lines = self.log.read_text(errors="replace").splitlines() if self.log.exists() else []
        for line in [*lines, "END:"]:
            ends = LOG_LINE.match(line)
            if path and (ends or line.startswith("Internal Server Error:")):
                found[last or "(no traceback)"].append(path)
                path, last = "", ""
            if line.startswith("Internal Server Error:"):
                path = line.removeprefix("Internal Server Error:").strip()
            elif path and line.strip() and not line[0].isspace() and not CHAINING.match(line):
                last = line[:200]
        return dict(found)


@dataclass
class Group:
    """The failures of one check on one operation with one signature (e.g. "Received: 404")."""

    cases: set[str] = field(default_factory=set)
    example: str = ""


@dataclass
class Outcome:
    persona: str
    cases: int = 0
    groups: dict[tuple[str, str, str], Group] = field(default_factory=lambda: defaultdict(Group))
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    interrupted: bool = False
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        return bool(self.groups or self.errors)


def short(value: object, limit: int = 160) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = re.sub(r"[ \t\r\n]+", " ", text).strip()
    text = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)  # fuzzed input has controls
    return text if len(text) <= limit else text[: limit - 1] + "…"


def decode(body: object) -> str:
    if isinstance(body, dict) and "$base64" in body:
        raw = base64.b64decode(body["$base64"])
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return f"<{len(raw)} bytes>"
    return "" if body is None else str(body)


def signature(check: str, message: str) -> str:
    """What distinguishes one failure of a check from another: the received code or type, or the
    violation and the schema location it was found at."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    if not lines:
        return check
    if check == "response_schema_conformance":
        where = next((line for line in lines if line.startswith("Schema at ")), "")
        where = where.removeprefix("Schema at ").rstrip(":").removeprefix("/components/schemas/")
        return f"{lines[0]} at {where}" if where else lines[0]
    return " / ".join(lines[:2])


def example(interaction: dict, origin: str) -> str:
    request, response = interaction.get("request", {}), interaction.get("response") or {}
    text = f"{request.get('method', '?')} {request.get('uri', '?').removeprefix(origin)}"
    if request.get("body") is not None:
        text += f" {short(decode(request['body']), 120) or '(empty body)'}"
    if response:
        content_type = (response.get("headers", {}).get("content-type") or [""])[0]
        body = decode(response.get("content"))
        if not content_type.startswith(("application/json", "text/plain")):
            body = f"({content_type or 'no content type'}) {short(body, 60)}"
        text += f" → {response.get('status_code')} {short(body, 160)}"
    return text


def read_events(path: Path, outcome: Outcome, origin: str) -> None:
    """Tally schemathesis's NDJSON event stream: it is written as the run goes, so an interrupted run
    still reports what it found."""
    if not path.exists():
        return
    for raw in path.read_text(errors="replace").splitlines():
        try:
            event = json.loads(raw)
        except json.JSONDecodeError:
            continue  # the last line of an interrupted run
        (kind, data), *_ = event.items()
        if kind == "ScenarioFinished":
            recorder = data.get("recorder", {})
            for case_id, checks in recorder.get("checks", {}).items():
                outcome.cases += 1
                for check in checks:
                    if check.get("status") != "failure":
                        continue
                    failure = (check.get("failure_info") or {}).get("failure", {})
                    operation = failure.get("operation") or recorder.get("label", "?")
                    key = (check["name"], operation, signature(check["name"], failure.get("message", "")))
                    group = outcome.groups[key]
                    group.cases.add(case_id)
                    shown = example(recorder.get("interactions", {}).get(case_id, {}), origin)
                    if not group.example or len(shown) < len(group.example):
                        group.example = shown
        elif kind == "NonFatalError":
            outcome.errors.append(f"{data.get('label', '?')}: {short(data.get('value'), 300)}")
        elif kind == "FatalError":
            outcome.errors.append(f"schemathesis: {short(data.get('exception'), 300)}")
        elif kind == "Interrupted":
            outcome.interrupted = True


def read_warnings(report_dir: Path, outcome: Outcome) -> None:
    for path in report_dir.glob("*.json"):
        try:
            warnings = json.loads(path.read_text()).get("warnings", {})
        except (json.JSONDecodeError, AttributeError):
            continue
        for name, items in warnings.items():
            if items and name != "unmatched_filter":  # the exclusions name operations that may not exist yet
                outcome.warnings.append(f"{name}: {short(items, 300)}")


def fuzz(server: Server, persona: str, token: str, args: argparse.Namespace, work: Path) -> Outcome:
    outcome = Outcome(persona)
    report_dir = work / f"report-{persona}"
    ndjson = report_dir / "events.ndjson"
    command = [
        str(Path(sys.executable).parent / "schemathesis"), "run", f"{server.url}/api/schema/",
        "--url", server.url,
        "--header", f"Authorization: Token {token}",
        "--checks", ",".join(CHECKS),
        "--seed", str(args.seed),
        "--workers", str(args.workers),
        "--continue-on-failure",  # every distinct failure of an operation, not only its first
        "--generation-database", "none",  # nothing carried over between runs: the seed alone decides
        "--generation-with-security-parameters", "false",  # the token is the persona's, never fuzzed
        "--max-redirects", "0",
        "--request-timeout", "30",
        "--report", "json,ndjson",
        "--report-dir", str(report_dir),
        "--report-ndjson-path", str(ndjson),
        "--no-color",
    ]  # fmt: skip
    command += (
        ["--max-time", str(args.max_time)] if args.max_time else ["--max-examples", str(args.max_examples)]
    )
    for option, value in EXCLUDE:
        command += [option, value]
    env = {k: v for k, v in os.environ.items() if k.lower() not in PROXY_VARS} | {"no_proxy": "*"}
    log = work / f"schemathesis-{persona}.txt"
    started = time.monotonic()
    with log.open("w") as out:
        proc = subprocess.Popen(command, cwd=work, env=env, stdout=None if args.verbose else out,
                                stderr=subprocess.STDOUT if not args.verbose else None)  # fmt: skip
        try:
            proc.wait(timeout=args.timeout)
        except subprocess.TimeoutExpired:
            say(f"{persona}: stopping schemathesis after --timeout {args.timeout} s")
            proc.send_signal(signal.SIGINT)  # it finishes its reports on an interrupt
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            outcome.interrupted = True
    outcome.seconds = time.monotonic() - started
    read_events(ndjson, outcome, server.url)
    read_warnings(report_dir, outcome)
    if outcome.cases == 0 and not outcome.errors:
        outcome.errors.append(
            f"schemathesis ran no test case (exit {proc.returncode}): {short(log.read_text(), 600)}"
        )
    if args.report_dir:
        target = Path(args.report_dir) / persona
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(report_dir, target)
        shutil.copy(log, target / "schemathesis.txt")
    return outcome


def report(outcome: Outcome) -> None:
    pairs = {(check, operation) for check, operation, _ in outcome.groups}
    cases = len(set().union(*(g.cases for g in outcome.groups.values()))) if outcome.groups else 0
    say(
        f"{outcome.persona}: {outcome.cases} test cases in {outcome.seconds:.0f} s"
        + (" (interrupted)" if outcome.interrupted else "")
        + f", {cases} failing, {len(pairs)} failing check × operation pairs, {len(outcome.errors)} errors"
    )
    by_check: dict[str, dict[str, list[tuple[str, Group]]]] = defaultdict(lambda: defaultdict(list))
    for (check, operation, sig), group in sorted(outcome.groups.items()):
        by_check[check][operation].append((sig, group))
    for check, operations in by_check.items():
        print(f"  {check}:")
        for operation, groups in operations.items():
            total = len(set().union(*(g.cases for _, g in groups)))
            print(f"    {operation}  ({total} cases)")
            for sig, group in groups:
                print(f"      - {short(sig, 200)}  [{len(group.cases)}]")
                print(f"        e.g. {group.example}")
    for error in outcome.errors:
        print(f"  error: {error}")
    for warning in outcome.warnings:
        print(f"  warning: {warning}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-examples", type=int, default=40, metavar="N",
                        help="test cases per operation and phase (default 40: about a minute per persona)")  # fmt: skip
    parser.add_argument("--max-time", type=int, default=0, metavar="S",
                        help="instead of --max-examples: keep generating for S seconds per persona")  # fmt: skip
    parser.add_argument("--timeout", type=int, default=100, metavar="S",
                        help="stop a persona's run after S seconds whatever the bound (default 100)")  # fmt: skip
    parser.add_argument("--seed", type=int, default=2026, help="schemathesis/hypothesis seed (default 2026)")
    parser.add_argument("--workers", type=int, default=1, help="concurrent schemathesis workers (default 1)")
    parser.add_argument("--persona", action="append", choices=PERSONAS,
                        help="fuzz as this demo person only (repeatable; default: all)")  # fmt: skip
    parser.add_argument(
        "--report-dir", help="keep schemathesis's reports and output here, one folder per persona"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="show schemathesis's own output")
    args = parser.parse_args()
    if args.max_time and args.timeout <= args.max_time:
        args.timeout = args.max_time + 60

    work = Path(tempfile.mkdtemp(prefix="fuzz-"))
    server = Server(work)
    outcomes: list[Outcome] = []
    started = time.perf_counter()
    try:
        server.start()
        personas = args.persona or PERSONAS
        tokens = {persona: server.token(persona) for persona in personas}  # before any fuzzed sign-in
        say(f"server on {server.url} (DEBUG off, SQLite, demo data); seed {args.seed}, "
            + (f"--max-time {args.max_time}" if args.max_time else f"--max-examples {args.max_examples}"))  # fmt: skip
        for persona in personas:
            outcome = fuzz(server, persona, tokens[persona], args, work)
            outcomes.append(outcome)
            report(outcome)
        errors = server.server_errors()
        if errors:
            say("exceptions behind the 500s in the server log:")
            for line, paths in sorted(errors.items(), key=lambda item: -len(item[1])):
                print(f"  {len(paths):5d} × {line}  (e.g. {paths[0]})")
    except CannotRun as exc:
        say(f"cannot run: {exc}")
        return 2
    except BaseException:
        print(server.tail(), file=sys.stderr)
        raise
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    failed = [o.persona for o in outcomes if o.failed]
    say(f"{'FAILED: ' + ', '.join(failed) if failed else 'passed'} in {time.perf_counter() - started:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
