"""Two Python threads at once; the input buffer is not duplicated."""
import os
import resource
import subprocess
import sys
import textwrap
import threading

import numpy as np

import qidcm
from conftest import WORK, run, tool


def test_two_threads(synth_case, work):
    c = synth_case
    src = qidcm.read_series(c.ct)
    errors, results = [], {}

    def job(n):
        try:
            for r in range(3):
                out = os.path.join(work, f"t{n}-{r}.dcm")
                kind = "labelmap" if n else "binary"
                qidcm.write_seg(c.labels, metadata=c.meta, source=src, path=out, segmentation_type=kind)
                results[(n, r)] = qidcm.read_seg(out, reference=c.ct).labels
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=job, args=(n,)) for n in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == 6
    for labels in results.values():
        np.testing.assert_array_equal(labels, c.labels)


def test_no_copy_of_the_input(work):
    """512 x 512 x 600 uint8 labels: peak memory under 1.5 x the volume + 100 MB."""
    case = os.path.join(WORK, "cases", "big")
    if not os.path.isfile(os.path.join(case, "meta.json")):
        run(tool("qidcm-synth"), "--outputDirectory", case, "--columns", "512", "--rows", "512", "--slices", "600",
            "--segments", "3", "--format", "nrrd", "--maxSegmentRadius", "60")
    script = textwrap.dedent(f"""
        import json, resource, sys
        import numpy as np
        import qidcm
        src = qidcm.read_series({os.path.join(case, 'ct')!r})
        meta = json.load(open({os.path.join(case, 'meta.json')!r}))
        labels = np.empty(src.shape, np.uint8)
        labels[...] = 0  # every page of the volume in memory, as a real label volume is
        labels[100:500, 100:400, 100:400] = 1
        labels[200:300, 150:250, 150:250] = 2
        labels[:, 10:20, 10:20] = 3
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        qidcm.write_seg(labels, metadata=meta, source=src, path={os.path.join(work, 'big.dcm')!r},
                        segmentation_type=sys.argv[1])
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        print(before, after, labels.nbytes)
    """)
    for kind in ("labelmap", "binary"):
        r = subprocess.run([sys.executable, "-c", script, kind], capture_output=True, text=True,
                           env=dict(os.environ))
        assert r.returncode == 0, r.stderr
        before, after, volume = (int(x) for x in r.stdout.split())
        print(f"{kind}: peak RSS {after / 2**20:.0f} MB (before writing {before / 2**20:.0f} MB) "
              f"for a {volume / 2**20:.0f} MB volume")
        assert after < 1.5 * volume + 100 * 2**20, f"{kind}: peak {after / 2**20:.0f} MB"
