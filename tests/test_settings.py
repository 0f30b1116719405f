"""Production settings pass Django's deployment checks (DESIGN §10); the server refuses to start without
SECRET_KEY unless DEBUG is on (§11); the hardening is configured from the environment."""

import os
import subprocess
import sys

from django.conf import settings


def test_production_settings_pass_check_deploy_without_warnings(tmp_path):
    env = {
        **os.environ,
        "PRODUCTION": "1",
        "DEBUG": "0",
        "SECRET_KEY": "x" * 20 + "-production-secret-with-enough-entropy-Qz8!pL3#vN6",
        "ALLOWED_HOSTS": "leads.example.gov.cn",
        "VAR_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "PRODUCTION"}}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=environment | env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    done = manage("check", PRODUCTION="1", DEBUG="1", VAR_DIR=str(tmp_path))
    assert done.returncode != 0 and "SECRET_KEY must be set" in done.stderr


def test_without_debug_no_server_starts_without_a_secret_key(tmp_path):
    served = manage("shell", "-c", "import config.asgi", VAR_DIR=str(tmp_path))  # what uvicorn loads
    assert served.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set (50+ random characters), or DEBUG=1" in served.stderr
    assert manage("shell", "-c", "import config.wsgi", VAR_DIR=str(tmp_path)).returncode != 0
    # a command that signs nothing still runs (the migrations check of a deploy script, say)
    assert manage("makemigrations", "--check", "--dry-run", VAR_DIR=str(tmp_path)).returncode == 0


def test_debug_or_a_secret_key_lets_it_start(tmp_path):
    assert manage("check", DEBUG="1", VAR_DIR=str(tmp_path)).returncode == 0
    assert manage("check", SECRET_KEY="s" * 60, VAR_DIR=str(tmp_path)).returncode == 0


def test_the_hardening_is_configured_from_the_environment(tmp_path):
    show = (
        "from django.conf import settings as s; print(s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME, "
        "s.SESSION_COOKIE_AGE, s.SESSION_REFRESH_SECONDS, s.REST_KNOX['TOKEN_TTL'])"
    )
    defaults = manage("shell", "-c", show, DEBUG="1", VAR_DIR=str(tmp_path))
    assert defaults.stdout.split("\n")[-2] == "5 0:15:00 28800 300 30 days, 0:00:00"
    given = manage("shell", "-c", show, DEBUG="1", VAR_DIR=str(tmp_path), SIGNIN_FAILURE_LIMIT="3",
                   SIGNIN_COOLOFF_MINUTES="60", SESSION_IDLE_HOURS="2", TOKEN_TTL_DAYS="7")  # fmt: skip
    assert given.stdout.split("\n")[-2] == "3 1:00:00 7200 300 7 days, 0:00:00"
