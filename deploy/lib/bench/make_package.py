"""A plugin package for the install+uninstall cycle of deploy/bench: 50 files, 1 MiB in all.

Usage: make_package.py DEST_FOLDER  (a folder `plugin-lifecycle publish` accepts)
"""
import json
import os
import random
import sys

dest = sys.argv[1]
os.makedirs(os.path.join(dest, "dist"), exist_ok=True)
manifest = {
    "slug": "bench-bulk", "name": "Bench Bulk", "version": "1.0.0",
    "description": "50 files, 1 MiB: the install cycle's package", "author": "deploy/bench",
    "type": "frontend", "scope": "BenchBulk", "bundle_method": "webpack",
    "bundle_location": "dist/remoteEntry.js", "source_type": "local",
    "modules": [{"name": "BenchModule", "display_name": "Bench"}],
}
with open(os.path.join(dest, "plugin.json"), "w") as f:
    json.dump(manifest, f, indent=2)
rng = random.Random(5)
# 49 chunks of 1 MiB / 50 plus the bundle itself: 50 files, about 1 MiB.
size = (1 << 20) // 50
with open(os.path.join(dest, "dist", "remoteEntry.js"), "w") as f:
    f.write("// bench bundle\n" + "x" * (size - 16) + "\n")
for i in range(49):
    with open(os.path.join(dest, "dist", f"chunk-{i:02d}.js"), "wb") as f:
        f.write(bytes(rng.getrandbits(8) for _ in range(size)))
print(f"bench package: 50 files, {50 * size} bytes in {dest}", file=sys.stderr)
