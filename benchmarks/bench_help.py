"""`surrender --help` against `python -c "import typer, rich"` (target: at most 1.6x).

Run: python benchmarks/bench_help.py [RUNS]
"""

import sys

from common import median_of, report, surrender_exe

runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
rows = [
    ("surrender --help", median_of(runs, [surrender_exe(), "--help"])),
    ('python -c "import typer, rich"', median_of(runs, [sys.executable, "-c", "import typer, rich"])),
]
ok = report(f"--help start-up, median of {runs}", rows, "surrender --help", 'python -c "import typer, rich"', 1.6, True)
sys.exit(0 if ok else 1)
