#!/usr/bin/env python3
"""Write a one-layer FROM-scratch image as an OCI archive for `ctr images import` (stdlib only, offline).

Usage: mk_image.py OUT.tar NAME ENTRYPOINT SRC=DEST [SRC=DEST ...]
  NAME        the full image reference containerd records (annotation io.containerd.image.name),
              e.g. unidesk.local/pause:v1
  ENTRYPOINT  the image's Entrypoint (one path, e.g. /pause)
  SRC=DEST    a file copied into the image at DEST, mode 0755, owned by 0:0
linux/amd64 or linux/arm64 (from the machine). The output is byte-for-byte reproducible for the same
inputs (fixed mtimes, gzip mtime 0, sorted JSON), so its digest changes only with the binaries.
Prints the manifest digest.
"""
import gzip, hashlib, io, json, os, platform, sys, tarfile

MTIME = 1704067200  # 2024-01-01T00:00:00Z
CREATED = "2024-01-01T00:00:00Z"


def dumps(obj) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    out, name, entry, files = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
    layer = io.BytesIO()
    with tarfile.open(fileobj=layer, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for spec in sorted(files):
            src, _, dest = spec.partition("=")
            if not dest.startswith("/"):
                sys.exit(f"mk_image.py: DEST must be absolute in {spec!r}")
            with open(src, "rb") as f:
                data = f.read()
            ti = tarfile.TarInfo(dest.lstrip("/"))
            ti.size, ti.mode, ti.mtime, ti.uid, ti.gid = len(data), 0o755, MTIME, 0, 0
            tf.addfile(ti, io.BytesIO(data))
    raw = layer.getvalue()
    blobs = {}

    def put(data: bytes):
        d = "sha256:" + hashlib.sha256(data).hexdigest()
        blobs[d] = data
        return {"digest": d, "size": len(data)}

    layer_desc = put(gzip.compress(raw, mtime=0))
    config = {"architecture": arch, "os": "linux", "created": CREATED,
              "config": {"Entrypoint": [entry], "Env": ["PATH=/"]},
              "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(raw).hexdigest()]},
              "history": [{"created": CREATED, "created_by": "scripts/stack/lib/node/mk_image.py"}]}
    config_desc = put(dumps(config))
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": dict(config_desc, mediaType="application/vnd.oci.image.config.v1+json"),
                "layers": [dict(layer_desc, mediaType="application/vnd.oci.image.layer.v1.tar+gzip")]}
    manifest_desc = put(dumps(manifest))
    index = {"schemaVersion": 2, "manifests": [dict(
        manifest_desc, mediaType="application/vnd.oci.image.manifest.v1+json",
        platform={"architecture": arch, "os": "linux"},
        annotations={"io.containerd.image.name": name,
                     "org.opencontainers.image.ref.name": name.rpartition(":")[2]})]}
    tmp = out + ".tmp"
    with tarfile.open(tmp, mode="w", format=tarfile.PAX_FORMAT) as tf:
        def add(path, data):
            ti = tarfile.TarInfo(path)
            ti.size, ti.mode, ti.mtime = len(data), 0o644, MTIME
            tf.addfile(ti, io.BytesIO(data))
        add("oci-layout", dumps({"imageLayoutVersion": "1.0.0"}))
        add("index.json", dumps(index))
        for d in sorted(blobs):
            add("blobs/sha256/" + d.split(":", 1)[1], blobs[d])
    os.replace(tmp, out)
    print(manifest_desc["digest"])


main()
