"""Production settings pass Django's deployment checks (DESIGN §10)."""

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


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {**os.environ, "PRODUCTION": "1", "SECRET_KEY": "", "VAR_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "manage.py", "check"], cwd=settings.BASE_DIR, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode != 0 and "SECRET_KEY must be set" in done.stderr
