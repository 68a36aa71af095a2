#!/usr/bin/env python3
"""The CDK app: `make synth` (no AWS account needed) or `npx aws-cdk@2 deploy -c stage=prod` (docs/deploy.md)."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
# The CDK CLI runs this file without the Makefile's PYTHONPATH: the layer's package and infra/ are importable anyway.
sys.path[:0] = [str(ROOT / "layers" / "shared" / "python"), str(ROOT)]

from infra.stack import build_app  # noqa: E402

if __name__ == "__main__":
    assembly = build_app().synth()
    stacks = ", ".join(stack.stack_name for stack in assembly.stacks)
    print(
        f"synthesized {stacks} into {assembly.directory} (cdk-nag AwsSolutions: no unacknowledged findings)",
        file=sys.stderr,
    )
