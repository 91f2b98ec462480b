"""The checker: reads every process's record and the etcd watchers' events.

- duplicates: every 64-bit ID across all hosts and processes, once (segment
  IDs: once per key);
- out_of_order: within one issuing process incarnation (record, segment) IDs
  strictly increase per node (the 10 node bits of the Twitter layout; a
  segment record: per key);
- fenced_issues: a batch whose call started after the etcd history (watch
  from revision 1, first-seen time over one watcher per member) shows the
  issuing process's key for that node deleted (lease expired or revoked);
- availability per host: the share of 1 s bins with at least one batch;
- recovery per fault kind: from a fault's heal to the first batch after it of
  every workload on every host.
"""

import glob
import json
import os

import numpy as np

NODE_SHIFT, NODE_MASK = 12, 0x3FF  # Twitter: 5 datacenter + 5 worker bits above 12 sequence bits


def load_records(root):
    recs = []
    for d in sorted(glob.glob(os.path.join(root, "records", "*"))):
        with open(os.path.join(d, "meta.json")) as f:
            meta = json.load(f)
        batches, errors = [], []
        with open(os.path.join(d, "batches.jsonl")) as f:
            for line in f:
                try:
                    b = json.loads(line)
                except ValueError:
                    continue  # a line cut by SIGKILL
                (errors if "err" in b else batches).append(b)
        n = (batches[-1]["off"] + batches[-1]["n"]) if batches else 0
        ids = np.fromfile(os.path.join(d, "ids.bin"), dtype="<u8", count=n)
        recs.append(dict(name=os.path.basename(d), meta=meta, batches=batches, errors=errors, ids=ids))
    return recs


def _batch_index(rec):
    """Per ID: the index of its batch in rec['batches']."""
    counts = np.array([b["n"] for b in rec["batches"]], dtype=np.int64)
    return np.repeat(np.arange(len(counts)), counts)


def find_duplicates(recs, limit=10):
    if not recs:
        return 0, []
    ids = np.concatenate([r["ids"] for r in recs])
    src = np.concatenate([np.full(len(r["ids"]), i, dtype=np.int32) for i, r in enumerate(recs)])
    pos = np.concatenate([np.arange(len(r["ids"])) for r in recs])
    order = np.argsort(ids, kind="stable")
    s = ids[order]
    dup = np.nonzero(s[1:] == s[:-1])[0]
    examples = []
    for k in dup[:limit]:
        a, b = order[k], order[k + 1]
        examples.append(dict(id=int(s[k]), first=_where(recs, src[a], pos[a]), second=_where(recs, src[b], pos[b])))
    return int(len(dup)), examples


def _where(recs, ri, pos):
    r = recs[ri]
    bi = int(np.searchsorted(np.cumsum([b["n"] for b in r["batches"]]), pos, side="right"))
    b = r["batches"][bi]
    return dict(record=r["name"], host=r["meta"]["host"], pid=b.get("pid"), seg=b.get("seg"), t0=b["t0"],
                node=int((int(r["ids"][pos]) >> NODE_SHIFT) & NODE_MASK))


def find_out_of_order(recs, limit=10):
    total, examples = 0, []
    for r in recs:
        if len(r["ids"]) < 2:
            continue
        bidx = _batch_index(r)
        seg = np.array([b.get("seg", 0) for b in r["batches"]], dtype=np.int64)[bidx]
        node = ((r["ids"] >> np.uint64(NODE_SHIFT)) & np.uint64(NODE_MASK)).astype(np.int64)
        if r["meta"]["kind"] == "segment":
            node[:] = 0  # dense counter IDs: one sequence per key
        pos = np.arange(len(r["ids"]))
        order = np.lexsort((pos, node, seg))
        ids, sg, nd = r["ids"][order], seg[order], node[order]
        same = (sg[1:] == sg[:-1]) & (nd[1:] == nd[:-1])
        bad = np.nonzero(same & (ids[1:] <= ids[:-1]))[0]
        total += len(bad)
        for k in bad[: max(0, limit - len(examples))]:
            examples.append(dict(record=r["name"], seg=int(sg[k]), node=int(nd[k]),
                                 earlier=int(ids[k]), later=int(ids[k + 1])))
    return total, examples


def lease_history(events):
    """(node, pid) -> list of [create_time, delete_time or None, host, revision],
    from the watchers' events, each revision at the first time any watcher saw it."""
    seen = {}
    for t, _member, ev in events:
        kv = ev.get("kv", {})
        key = _b64(kv.get("key", ""))
        rev = kv.get("mod_revision") or ev.get("kv", {}).get("mod_revision")
        typ = ev.get("type", "PUT")
        ident = (key, typ, rev)
        if ident not in seen or t < seen[ident][0]:
            seen[ident] = (t, ev)
    hist = {}
    for (key, typ, rev), (t, ev) in sorted(seen.items(), key=lambda x: x[1][0]):
        if "/workers/" not in key:
            continue
        node = int(key.rsplit("/", 1)[1])
        if typ == "DELETE":
            val = _b64(ev.get("prev_kv", {}).get("value", ""))
        else:
            kv = ev["kv"]
            if kv.get("create_revision") != kv.get("mod_revision"):
                continue
            val = _b64(kv.get("value", ""))
        holder = dict(p.split("=", 1) for p in val.split() if "=" in p)
        if "pid" not in holder:
            continue
        k = (node, int(holder["pid"]))
        lst = hist.setdefault(k, [])
        if typ == "DELETE":
            for iv in lst:
                if iv[1] is None:
                    iv[1] = t
        else:
            lst.append([t, None, holder.get("host"), rev])
    return hist


def _b64(s):
    import base64

    try:
        return base64.b64decode(s).decode(errors="replace")
    except ValueError:
        return ""


def find_fenced(recs, hist, limit=10):
    """Batches that started after the issuer's lease key for their node was
    deleted. A batch whose (node, pid) has no key in the history at all is
    counted apart (`unleased`): an etcd holder always has one."""
    fenced, unleased, examples = 0, 0, []
    for r in recs:
        if r["meta"].get("source", "etcd") != "etcd" or not len(r["ids"]):
            continue
        bidx = _batch_index(r)
        node = ((r["ids"] >> np.uint64(NODE_SHIFT)) & np.uint64(NODE_MASK)).astype(np.int64)
        pairs = np.unique(np.stack([bidx, node], axis=1), axis=0)
        for bi, nd in pairs:
            b = r["batches"][int(bi)]
            ivs = hist.get((int(nd), b.get("pid")))
            if not ivs:
                unleased += 1
                if len(examples) < limit:
                    examples.append(dict(record=r["name"], pid=b.get("pid"), node=int(nd), t0=b["t0"],
                                         why="no lease key of this pid for this node in the etcd history"))
                continue
            # The holding that began last before the call ended.
            cands = [iv for iv in ivs if iv[0] <= b["t1"]] or ivs[:1]
            iv = cands[-1]
            if iv[1] is not None and b["t0"] > iv[1]:
                fenced += 1
                if len(examples) < limit:
                    examples.append(dict(record=r["name"], pid=b.get("pid"), node=int(nd), t0=b["t0"],
                                         key_deleted_at=round(iv[1], 4), revision=iv[3]))
    return fenced, unleased, examples


def availability(recs, hosts, t_start, t_end):
    out = {}
    nb = max(1, int(t_end - t_start))
    for h in hosts:
        per_kind = {}
        bins_any = np.zeros(nb, dtype=bool)
        for r in recs:
            if r["meta"]["host"] != h:
                continue
            t = np.array([b["t1"] for b in r["batches"]], dtype=float)
            idx = ((t - t_start)).astype(int)
            idx = idx[(idx >= 0) & (idx < nb)]
            k = per_kind.setdefault(r["meta"]["kind"], np.zeros(nb, dtype=bool))
            k[idx] = True
            bins_any[idx] = True
        out[h] = dict(any=round(float(bins_any.mean()), 4),
                      **{k: round(float(v.mean()), 4) for k, v in per_kind.items()})
    return out


def recovery(recs, faults, t_end, hosts, kinds):
    """Per fault: seconds from its heal to the first batch after it of each
    workload kind on every host (the slowest of them: a fault on one host
    can stall another's clients, e.g. an etcd member they were talking to)."""
    firsts = {}
    for r in recs:
        key = (r["meta"]["host"], r["meta"]["kind"])
        t = np.array([b["t1"] for b in r["batches"]], dtype=float)
        firsts.setdefault(key, []).append(np.sort(t))
    per_kind = {}
    for f in faults:
        heal = f.get("heal")
        if heal is None:
            continue
        worst = 0.0
        for h in hosts:
            for kind in kinds:
                arrs = firsts.get((h, kind), [])
                nxt = [a[np.searchsorted(a, heal, side="right")] for a in arrs
                       if np.searchsorted(a, heal, side="right") < len(a)]
                worst = max(worst, (min(nxt) - heal) if nxt else (t_end - heal))
        f["recovery_s"] = round(worst, 3)
        per_kind.setdefault(f["kind"], []).append(worst)
    return {k: dict(n=len(v), p50=round(float(np.percentile(v, 50)), 3), p99=round(float(np.percentile(v, 99)), 3),
                    max=round(float(max(v)), 3)) for k, v in per_kind.items()}
