"""The SDK and its CLI against the local platform, as a client's script uses them: a project created from a
YAML file, a folder of images uploaded through the web-upload path, the flow set, typed errors for a wrong
project or secret, and `--json` output a script can read."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from bytebridge_client import Client, errors
from PIL import Image

pytestmark = pytest.mark.xdist_group("platform")
ROOT = Path(__file__).resolve().parents[2]
IMAGES = 12

PROJECT_YAML = """\
projectName: sdk cli test
type: image_classification
taskType: single_choice
instruction: Is it a cat or a dog?
question: cat or dog?
options:
  - value: cat
  - value: dog
"""


def bytebridge(platform, home: Path, *args: str) -> dict | list:
    """The CLI with --json, as a script runs it; its parsed output."""
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT / "sdk"),  # the SDK alone: it needs none of the server's code
        "BYTEBRIDGE_USER_ID": platform.user_id,
        "BYTEBRIDGE_SECRET_KEY": platform.secret,
        "BYTEBRIDGE_BASE_URL": platform.base_url,
        "HOME": str(home),  # where the CLI keeps the projects it created
    }
    done = subprocess.run(
        [sys.executable, "-m", "bytebridge_client", "--json", *args], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture
def folder(tmp_path) -> Path:
    images = tmp_path / "images" / "nested"
    images.mkdir(parents=True)
    for n in range(IMAGES):
        Image.new("RGB", (64 + n, 48), (n * 20, 100, 200)).save(images / f"{n:03d}.png")
    (tmp_path / "images" / "notes.txt").write_text("not an image: skipped by the folder walk")
    return tmp_path / "images"


def test_the_cli_creates_a_project_from_yaml_uploads_a_folder_and_sets_its_flow(platform, folder, tmp_path):
    (tmp_path / "project.yaml").write_text(PROJECT_YAML)
    created = bytebridge(platform, tmp_path, "projects", "create", "--file", str(tmp_path / "project.yaml"))
    project_id = created["projectId"]

    uploaded = bytebridge(platform, tmp_path, "upload", project_id, str(folder))
    flow = bytebridge(platform, tmp_path, "flow", "set", project_id, "--template", "classify-then-box")
    shown = bytebridge(platform, tmp_path, "projects", "show", project_id)

    assert uploaded == {"added": IMAGES, "existing": 0, "refused": [], "missing": []}
    assert flow["projectId"] == project_id
    assert shown["projectData"]["projectItemQuantity"] == IMAGES
    assert shown["projectData"]["projectName"] == "sdk cli test"


def test_the_client_raises_typed_errors_the_platform_answers(platform):
    client = Client(platform.user_id, platform.secret, platform.base_url)
    with pytest.raises(errors.ProjectNotFound) as missing:
        client.retrieve_project(projectId="p1_nosuchproject")
    with pytest.raises(errors.SignatureInvalid):
        Client(platform.user_id, "test_wrongsecret", platform.base_url).retrieve_balance()
    with pytest.raises(errors.UserNotFound):
        Client("U_NOBODY", platform.secret, platform.base_url).retrieve_balance()

    assert missing.value.code == 8 and missing.value.message == "The project does not exist"


def test_prices_and_balance_come_back_as_models(platform):
    client = Client(platform.user_id, platform.secret, platform.base_url)
    prices = client.get_prices()
    balance = client.retrieve_balance()
    assert {row.taskType for row in prices.prices} >= {"single_choice", "rectangle_frame_select"}
    assert balance.availableCents >= 0 and balance.currency == "USD"
