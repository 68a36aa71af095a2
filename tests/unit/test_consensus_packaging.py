"""The consensus code ships in the zip Lambda layer: numpy only, none of crowd-kit's heavy dependencies."""

import subprocess
import sys


def test_importing_and_running_consensus_loads_no_heavy_package():
    heavy = ("crowdkit", "pandas", "scipy", "sklearn", "pyarrow", "transformers", "torch")
    script = (
        "import sys\n"
        "import numpy as np\n"
        "from bytebridge.consensus import Judgment, consolidate, dawid_skene\n"
        "class Overlap: min_overlap, max_overlap, agreement = 1, 3, 0.5\n"
        "consolidate('polygon', [Judgment('w', {'imageWidth': 9, 'imageHeight': 9, 'polygons': []})], Overlap())\n"
        "dawid_skene(np.array([[0, 1], [1, 1]]), 2)\n"
        f"print(','.join(m for m in {heavy!r} if m in sys.modules))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == ""
