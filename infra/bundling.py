"""The shared layer's asset: our `bytebridge` package plus the pinned runtime requirements, installed for
Lambda's arm64 Python 3.12 by a local pip run (no Docker). Bundling runs only for stacks the CDK CLI deploys;
a plain `python app.py` (make synth, tests) skips it through the `aws:cdk:bundling-stacks` context."""

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import jsii
from aws_cdk import AssetHashType, BundlingOptions, DockerImage, ILocalBundling
from aws_cdk import aws_lambda as lambda_

from bytebridge.billing.invoice_pdf import SYSTEM_FONT
from infra.asl import ROOT

LAYER_SOURCE = ROOT / "layers" / "shared"
PIN_FILES = (ROOT / "requirements.txt", ROOT / "constraints.txt")
# Lambda's python3.12 runs on Amazon Linux 2023 (glibc 2.34): any aarch64 manylinux wheel from glibc 2.17
# (manylinux2014, the first with aarch64) to 2.34 loads there; numpy 2.4 ships manylinux_2_28 aarch64 wheels only.
# pip 23 does not expand a --platform to the older glibc tags, so all are listed (2.17 under its legacy name too).
# A package without such a wheel makes pip fail here, at deploy, instead of at import in Lambda.
GLIBC_MINORS = range(34, 16, -1)  # 2.34 … 2.17
PLATFORMS = (*(f"manylinux_2_{minor}_aarch64" for minor in GLIBC_MINORS), "manylinux2014_aarch64")
PYTHON_VERSION = "3.12"  # lambda_factory.RUNTIME's version; local dev and CI stay on 3.11, which the code targets
IGNORED = ("__pycache__", "*.pyc")


def pip_command(target: Path) -> list[str]:
    """Wheels only, for Lambda's platform: pip never builds or picks a wheel for the machine running the deploy."""
    requirements, constraints = PIN_FILES
    return [
        sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
        *(arg for platform in PLATFORMS for arg in ("--platform", platform)),
        "--python-version", PYTHON_VERSION, "--implementation", "cp",
        "--only-binary=:all:", "--target", str(target),
        "-r", str(requirements), "-c", str(constraints),
    ]  # fmt: skip


def lambda_python() -> str | None:
    """An interpreter of Lambda's Python version (this one, or `python3.12` on the PATH that runs), to compile the
    layer for it: Lambda ignores the .pyc files of another version."""
    candidates = [sys.executable] if f"{sys.version_info[0]}.{sys.version_info[1]}" == PYTHON_VERSION else []
    candidates += [found] if (found := shutil.which(f"python{PYTHON_VERSION}")) else []
    for python in candidates:
        version = "import sys; print(*sys.version_info[:2], sep='.')"
        probe = subprocess.run([python, "-c", version], capture_output=True, text=True, check=False)
        if probe.returncode == 0 and probe.stdout.strip() == PYTHON_VERSION:
            return python
    return None


def compile_layer(target: Path, python: str) -> bool:
    """Compile every module of the bundled layer. Lambda's /opt is read-only: without shipped .pyc files each cold
    start compiles every module it imports, ours and the packages' (pip ran with --no-compile for a foreign
    platform), a large part of the import time. The .pyc files are used without checking their sources
    (unchecked-hash): the zip's timestamps are not the sources', and a layer version never changes. A module that
    does not compile (a stray file for another Python) stays importable from source as before: False, not a raise."""
    command = [python, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash", str(target)]
    return subprocess.run(command, capture_output=True, check=False).returncode == 0


def source_hash() -> str:
    """Changes when our code or a pin changes: the asset hash of a bundled asset must not depend on the
    (skipped-at-synth) bundling output, nor miss a requirements change outside the layer folder."""
    digest = hashlib.sha256(" ".join((PYTHON_VERSION, *PLATFORMS, "unchecked-hash .pyc")).encode())
    sources = sorted(p for p in LAYER_SOURCE.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    labelled = [(str(p.relative_to(LAYER_SOURCE)), p) for p in sources if p.suffix != ".pyc"]
    for label, path in [*labelled, *((p.name, p) for p in PIN_FILES)]:
        digest.update(label.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@jsii.implements(ILocalBundling)
class PipLayerBundler:
    """Copies the layer's python/ folder and pip-installs the pinned requirements next to it."""

    def try_bundle(self, output_dir: str, *args, **kwargs) -> bool:
        target = Path(output_dir) / "python"
        shutil.copytree(LAYER_SOURCE / "python", target, ignore=shutil.ignore_patterns(*IGNORED), dirs_exist_ok=True)
        subprocess.run(pip_command(target), check=True)
        # The CJK font invoice PDFs embed (Debian's fonts-wqy-microhei, which `make venv` installs): Lambda has none.
        fonts = target / "bytebridge" / "billing" / "fonts"
        fonts.mkdir(parents=True, exist_ok=True)
        shutil.copy2(SYSTEM_FONT, fonts / SYSTEM_FONT.name)
        python = lambda_python()
        if python is None:
            print(f"warning: no python{PYTHON_VERSION} here: the layer ships without .pyc (slower cold starts)")
        elif not compile_layer(target, python):
            print("warning: some layer modules did not compile; they load from source")
        return True  # never fall back to Docker: a pip failure raises and stops the deploy with its message


def layer_code() -> lambda_.AssetCode:
    return lambda_.Code.from_asset(
        str(LAYER_SOURCE),
        asset_hash_type=AssetHashType.CUSTOM,
        asset_hash=source_hash(),
        exclude=list(IGNORED),
        bundling=BundlingOptions(
            # Required by the API; never pulled, since the local bundler either bundles or raises.
            image=DockerImage.from_registry(f"public.ecr.aws/sam/build-python{PYTHON_VERSION}"),
            local=PipLayerBundler(),
        ),
    )
