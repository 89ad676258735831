#!/usr/bin/env python3
"""OCI image pieces for scripts/image (Python 3 standard library only, no network).

  oci.py layer SRC.tar OUT.tar.gz
      gzips a layer tar (mtime 0 in the gzip header: the same tar gives the same blob) and
      writes OUT.tar.gz.json: {"digest", "size", "diff_id"}.
  oci.py app-layer ROOTFS.tar OUT.tar EPOCH UID NAME HOME [DEST=SRC[:MODE]]...
      writes the tar of the layer added on top of the root file system: /etc/passwd and
      /etc/group of ROOTFS.tar with the user NAME (uid = gid = UID, home HOME), HOME and
      HOME/.local/state/unidesk owned by that user (0700), /work owned by it, and each file
      SRC at DEST (root-owned, MODE default 0755). Every entry has mtime EPOCH.
  oci.py pack OUT-DIR REF SPEC.json
      writes an OCI image layout (oci-layout, index.json, blobs/sha256/*) holding one image:
      SPEC.json = {"layers": [LAYER.tar.gz, ...], "created": RFC3339, "user": "UID:GID",
      "entrypoint": [...], "cmd": [...], "workdir": "...", "env": [...], "labels": {...},
      "history": ["what made layer 1", ...]}; the layers are the files `layer` wrote (with their
      .json). Index and manifest carry REF as org.opencontainers.image.ref.name. Prints the
      manifest digest. The same SPEC and layers give the same digest (sorted compact JSON).
"""
import gzip, hashlib, io, json, os, shutil, sys, tarfile, zlib

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
CHUNK = 1 << 20


def die(msg):
    print(f"oci.py: {msg}", file=sys.stderr)
    sys.exit(2)


def dumps(obj) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


def layer(src, out):
    raw, packed = hashlib.sha256(), hashlib.sha256()
    size = 0
    tmp = out + ".tmp"
    with open(src, "rb") as f, open(tmp, "wb") as o:
        # gzip by hand: a fixed header (no name, mtime 0, OS unknown) so that the blob depends
        # on the tar alone; level 6 (level 9 takes minutes for the binary layer and saves ~1%)
        header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
        comp = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS, 9)
        crc, length = 0, 0

        def emit(b):
            nonlocal size
            if b:
                packed.update(b)
                o.write(b)
                size += len(b)

        emit(header)
        while True:
            b = f.read(CHUNK)
            if not b:
                break
            raw.update(b)
            crc = zlib.crc32(b, crc)
            length += len(b)
            emit(comp.compress(b))
        emit(comp.flush())
        emit((crc & 0xFFFFFFFF).to_bytes(4, "little") + (length & 0xFFFFFFFF).to_bytes(4, "little"))
    os.replace(tmp, out)
    info = {"digest": "sha256:" + packed.hexdigest(), "size": size, "diff_id": "sha256:" + raw.hexdigest()}
    with open(out + ".json", "w") as j:
        json.dump(info, j)
    return info


def read_member(tf, names):
    for n in names:
        try:
            m = tf.getmember(n)
        except KeyError:
            continue
        f = tf.extractfile(m)
        if f is not None:
            return f.read().decode()
    return None


def app_layer(rootfs, out, epoch, uid, name, home, files):
    epoch, uid = int(epoch), int(uid)
    with tarfile.open(rootfs, "r:") as tf:
        passwd = read_member(tf, ["./etc/passwd", "etc/passwd"])
        group = read_member(tf, ["./etc/group", "etc/group"])
    if passwd is None or group is None:
        die(f"{rootfs} has no /etc/passwd or /etc/group")
    for table, what in ((passwd, "passwd"), (group, "group")):
        for line in table.splitlines():
            f = line.split(":")
            if f[0] == name or (len(f) > 2 and f[2] == str(uid)):
                die(f"{rootfs}: /etc/{what} already has {name} or id {uid}: {line}")
    passwd += f"{name}:x:{uid}:{uid}:{name}:{home}:/usr/sbin/nologin\n"
    group += f"{name}:x:{uid}:\n"

    def entry(path, kind, mode, owner=0, data=None):
        ti = tarfile.TarInfo(path)
        ti.type, ti.mode, ti.mtime = kind, mode, epoch
        ti.uid = ti.gid = owner
        ti.uname = ti.gname = ""
        if data is not None:
            ti.size = len(data)
        return ti

    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as o:
        o.addfile(entry("etc/group", tarfile.REGTYPE, 0o644, data=group.encode()), io.BytesIO(group.encode()))
        o.addfile(entry("etc/passwd", tarfile.REGTYPE, 0o644, data=passwd.encode()), io.BytesIO(passwd.encode()))
        h = home.strip("/")
        made = set()
        parts = h.split("/")
        for i in range(1, len(parts)):   # parents of HOME (e.g. home), root-owned
            d = "/".join(parts[:i])
            o.addfile(entry(d, tarfile.DIRTYPE, 0o755))
        for d, mode in ((h, 0o755), (h + "/.local", 0o700), (h + "/.local/state", 0o700),
                        (h + "/.local/state/unidesk", 0o700), ("work", 0o755)):
            o.addfile(entry(d, tarfile.DIRTYPE, mode, owner=uid))
        for spec in sorted(files):
            dest, _, src = spec.partition("=")
            src, _, mode = src.partition(":")
            dest = dest.strip("/")
            parents = dest.split("/")[:-1]
            for i in range(1, len(parents) + 1):
                d = "/".join(parents[:i])
                if d not in made and d not in ("usr", "usr/bin", "usr/local", "usr/lib", "usr/libexec", "etc"):
                    made.add(d)
                    o.addfile(entry(d, tarfile.DIRTYPE, 0o755))
            size = os.path.getsize(src)
            ti = entry(dest, tarfile.REGTYPE, int(mode or "755", 8))
            ti.size = size
            with open(src, "rb") as f:
                o.addfile(ti, f)


def pack(outdir, ref, spec_path):
    with open(spec_path) as f:
        spec = json.load(f)
    if os.path.exists(outdir):
        shutil.rmtree(outdir)
    blobs = os.path.join(outdir, "blobs", "sha256")
    os.makedirs(blobs)

    def put_bytes(data):
        d = hashlib.sha256(data).hexdigest()
        with open(os.path.join(blobs, d), "wb") as f:
            f.write(data)
        return "sha256:" + d, len(data)

    layers, diff_ids = [], []
    for path in spec["layers"]:
        with open(path + ".json") as f:
            info = json.load(f)
        dest = os.path.join(blobs, info["digest"].split(":", 1)[1])
        try:
            os.link(path, dest)           # same file system: no copy
        except OSError:
            shutil.copyfile(path, dest)
        layers.append({"mediaType": OCI_LAYER, "digest": info["digest"], "size": info["size"]})
        diff_ids.append(info["diff_id"])
    created = spec["created"]
    config = {
        "architecture": "amd64", "os": "linux", "created": created,
        "config": {"User": spec["user"], "Entrypoint": spec["entrypoint"], "WorkingDir": spec["workdir"],
                   "Env": spec["env"], "Labels": spec["labels"]},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created": created, "created_by": h} for h in spec["history"]],
    }
    if spec.get("cmd"):
        config["config"]["Cmd"] = spec["cmd"]
    cfg_digest, cfg_size = put_bytes(dumps(config))
    manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                "config": {"mediaType": OCI_CONFIG, "digest": cfg_digest, "size": cfg_size},
                "layers": layers, "annotations": spec["labels"]}
    m_digest, m_size = put_bytes(dumps(manifest))
    with open(os.path.join(outdir, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    with open(os.path.join(outdir, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [
            {"mediaType": OCI_MANIFEST, "digest": m_digest, "size": m_size,
             "annotations": {"org.opencontainers.image.ref.name": ref}}]}, f)
    print(m_digest)


def main(argv):
    if len(argv) >= 3 and argv[0] == "layer" and len(argv) == 3:
        info = layer(argv[1], argv[2])
        print(info["digest"])
    elif len(argv) >= 7 and argv[0] == "app-layer":
        app_layer(argv[1], argv[2], argv[3], argv[4], argv[5], argv[6], argv[7:])
    elif len(argv) == 4 and argv[0] == "pack":
        pack(argv[1], argv[2], argv[3])
    else:
        die("usage: oci.py layer SRC.tar OUT.tar.gz | app-layer ROOTFS.tar OUT.tar EPOCH UID NAME HOME [DEST=SRC[:MODE]]... | pack OUT-DIR REF SPEC.json")


if __name__ == "__main__":
    main(sys.argv[1:])
