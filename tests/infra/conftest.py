"""One synth per test session (both stages in one app, cdk-nag on, no bundling): every infra test reads the
same cloud assembly. Modules mark themselves xdist_group("cdk") so a single worker pays for the synth."""

import pytest

from infra.stack import build_app
from tests.infra.cfn import STAGES, Synth


@pytest.fixture(scope="session")
def synth(tmp_path_factory) -> Synth:
    outdir = tmp_path_factory.mktemp("cdk.out")
    app = build_app(stages=STAGES, outdir=str(outdir))
    assembly = app.synth()  # raises if cdk-nag reports an unacknowledged error
    raw = {stage: assembly.get_stack_by_name(f"ByteBridge-{stage}").template for stage in STAGES}
    return Synth(outdir=outdir, raw=raw)
