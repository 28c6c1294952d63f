"""`terraform/modules/secrets` applied for real against moto's server standing in for AWS (KMS
and Secrets Manager), and its secrets read back by `vms_common.secrets` as the services read
them. Needs the `terraform` command and its AWS provider (a local mirror in /opt/tf-plugins
where the registry is unreachable); skipped without the command.
"""

import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from vms_common import secrets
from vms_common.secrets import SecretError, read_secret

MODULE = Path(__file__).resolve().parents[3] / "terraform" / "modules" / "secrets"
PLUGIN_MIRROR = Path("/opt/tf-plugins")
GENERATED = (
    "DATABASE_PASSWORD",
    "DJANGO_SECRET_KEY",
    "JWT_SECRET",
    "RECORDER_API_TOKEN",
    "DETECTION_API_TOKEN",
    "STREAM_PUBLISHER_PASSWORD",
)

pytestmark = pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform not installed")


def terraform(folder: Path, *args: str, endpoint: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "AWS_ENDPOINT_URL": endpoint,
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
        "CHECKPOINT_DISABLE": "1",
    }
    return subprocess.run(
        ["terraform", *args, "-no-color"],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def init(folder: Path, endpoint: str) -> None:
    mirror = [f"-plugin-dir={PLUGIN_MIRROR}"] if PLUGIN_MIRROR.is_dir() else []
    result = terraform(folder, "init", "-backend=false", *mirror, endpoint=endpoint)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture
def module_copy(tmp_path: Path) -> Path:
    """The module's files in a folder of the test's own (init writes .terraform beside them)."""
    copy = tmp_path / "secrets"
    shutil.copytree(MODULE, copy, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
    return copy


def test_the_module_validates_and_passes_its_terraform_tests(module_copy, moto_endpoint):
    init(module_copy, moto_endpoint)

    validate = terraform(module_copy, "validate", endpoint=moto_endpoint)
    assert validate.returncode == 0, validate.stdout + validate.stderr

    test = terraform(module_copy, "test", endpoint=moto_endpoint)
    assert test.returncode == 0, test.stdout + test.stderr
    assert "0 failed" in test.stdout


def test_the_services_read_what_the_module_made_and_the_state_holds_no_value(
    module_copy, moto_endpoint, tmp_path, monkeypatch
):
    prefix = f"vms/{uuid.uuid4().hex[:8]}/"
    root = tmp_path / "root"
    root.mkdir()
    (root / "main.tf").write_text(
        f"""
provider "aws" {{
  region                      = "us-east-1"
  access_key                  = "test-not-a-key"
  secret_key                  = "test-not-a-secret"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}}

module "secrets" {{
  source                  = "{module_copy}"
  prefix                  = "{prefix}"
  recovery_window_in_days = 0
}}

output "secret_names" {{
  value = module.secrets.secret_names
}}
"""
    )
    init(root, moto_endpoint)
    apply = terraform(root, "apply", "-auto-approve", endpoint=moto_endpoint)
    assert apply.returncode == 0, apply.stdout + apply.stderr
    try:
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test-not-a-key")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-not-a-secret")
        monkeypatch.setenv("AWS_REGION", "us-east-1")
        monkeypatch.setenv("SECRETS_MANAGER_ENDPOINT_URL", moto_endpoint)
        monkeypatch.setenv("SECRETS_MANAGER_PREFIX", prefix)
        secrets.clear_cache()

        values = {name: read_secret(name) for name in GENERATED}
        assert all(len(value) >= 32 and value.isalnum() for value in values.values()), {
            name: len(value) for name, value in values.items()
        }
        assert len(set(values.values())) == len(GENERATED)

        state = (root / "terraform.tfstate").read_text()
        outputs = json.loads(
            terraform(root, "output", "-json", endpoint=moto_endpoint).stdout or "{}"
        )
        assert outputs["secret_names"]["value"]["JWT_SECRET"] == f"{prefix}jwt-secret"
        assert not [name for name, value in values.items() if value in state]

        # the AWS keys are the operator's to put: until then, starting says so
        with pytest.raises(SecretError, match="AWS_ACCESS_KEY_ID"):
            read_secret("AWS_ACCESS_KEY_ID")

        # a second plan changes nothing (write-only values are not compared)
        plan = terraform(root, "plan", "-detailed-exitcode", endpoint=moto_endpoint)
        assert plan.returncode == 0, plan.stdout + plan.stderr
    finally:
        secrets.clear_cache()
        destroy = terraform(root, "destroy", "-auto-approve", endpoint=moto_endpoint)
        assert destroy.returncode == 0, destroy.stdout + destroy.stderr
