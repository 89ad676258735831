#!/usr/bin/env python3
"""Build the unidesk test images as one OCI image layout (stdlib only, offline, deterministic).

Adapted from shared/reference/container-stack/mk_oci.py.  Usage: mk_images.py OUTDIR
Refs written to OUTDIR/index.json (use with `skopeo copy oci:OUTDIR:REF ...`):
  v1        single-platform image manifest, label org.opencontainers.image.revision=REV_V1
  v2        same, different rootfs + revision (different digest)
  multi-v1  OCI image index with two image manifests (linux/amd64, linux/arm64)
Prints a JSON object {ref: manifest-or-index digest, ...} on stdout.
The output is byte-for-byte reproducible (fixed mtimes, gzip mtime=0, sorted JSON).
"""
import gzip, hashlib, io, json, os, sys, tarfile

REV_V1 = "1111111111111111111111111111111111111111"
REV_V2 = "2222222222222222222222222222222222222222"
REV_MULTI = "3333333333333333333333333333333333333333"
MTIME = 1704067200  # 2024-01-01T00:00:00Z
CREATED = "2024-01-01T00:00:00Z"

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"

out = sys.argv[1]
os.makedirs(f"{out}/blobs/sha256", exist_ok=True)


def put(data: bytes):
    d = hashlib.sha256(data).hexdigest()
    with open(f"{out}/blobs/sha256/{d}", "wb") as f:
        f.write(data)
    return "sha256:" + d, len(data)


def dumps(obj) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


def rootfs(files: dict) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        dirs = sorted({os.path.dirname(p) for p in files if os.path.dirname(p)})
        for d in dirs:
            ti = tarfile.TarInfo(d)
            ti.type, ti.mode, ti.mtime = tarfile.DIRTYPE, 0o755, MTIME
            tf.addfile(ti)
        for path, content in sorted(files.items()):
            data = content.encode()
            ti = tarfile.TarInfo(path)
            ti.size, ti.mode, ti.mtime = len(data), 0o644, MTIME
            tf.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


def image(files, labels, arch="amd64", variant=None):
    raw = rootfs(files)
    diff_id = "sha256:" + hashlib.sha256(raw).hexdigest()
    layer_digest, layer_size = put(gzip.compress(raw, mtime=0))
    config = {"architecture": arch, "os": "linux", "created": CREATED,
              "config": {"Cmd": ["/bin/sh", "-c", "cat /etc/unidesk-release"], "Labels": labels,
                         "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},
              "rootfs": {"type": "layers", "diff_ids": [diff_id]},
              "history": [{"created": CREATED, "created_by": "scripts/stack/lib/mk_images.py"}]}
    if variant:
        config["variant"] = variant
    cfg_digest, cfg_size = put(dumps(config))
    manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                "config": {"mediaType": OCI_CONFIG, "digest": cfg_digest, "size": cfg_size},
                "layers": [{"mediaType": OCI_LAYER, "digest": layer_digest, "size": layer_size}],
                "annotations": {"org.opencontainers.image.revision": labels["org.opencontainers.image.revision"],
                                "org.opencontainers.image.created": CREATED}}
    d, s = put(dumps(manifest))
    return {"mediaType": OCI_MANIFEST, "digest": d, "size": s}


def labels(rev, version):
    return {"org.opencontainers.image.revision": rev, "org.opencontainers.image.version": version,
            "org.opencontainers.image.title": "unidesk-test"}


refs = {}
refs["v1"] = image({"etc/unidesk-release": "unidesk test image v1\n"}, labels(REV_V1, "v1"))
refs["v2"] = image({"etc/unidesk-release": "unidesk test image v2\n"}, labels(REV_V2, "v2"))
amd = image({"etc/unidesk-release": "unidesk multi amd64\n"}, labels(REV_MULTI, "multi-v1"), "amd64")
arm = image({"etc/unidesk-release": "unidesk multi arm64\n"}, labels(REV_MULTI, "multi-v1"), "arm64", "v8")
amd["platform"] = {"architecture": "amd64", "os": "linux"}
arm["platform"] = {"architecture": "arm64", "os": "linux", "variant": "v8"}
index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [amd, arm],
         "annotations": {"org.opencontainers.image.revision": REV_MULTI}}
d, s = put(dumps(index))
refs["multi-v1"] = {"mediaType": OCI_INDEX, "digest": d, "size": s}

with open(f"{out}/oci-layout", "w") as f:
    json.dump({"imageLayoutVersion": "1.0.0"}, f)
with open(f"{out}/index.json", "w") as f:
    json.dump({"schemaVersion": 2, "manifests": [
        dict(desc, annotations={"org.opencontainers.image.ref.name": ref}) for ref, desc in refs.items()]}, f)
result = {ref: desc["digest"] for ref, desc in refs.items()}
result.update({"multi-v1-amd64": amd["digest"], "multi-v1-arm64": arm["digest"],
               "rev-v1": REV_V1, "rev-v2": REV_V2, "rev-multi": REV_MULTI})
print(json.dumps(result))
