# Writes dev.jsonl and heldout.jsonl from the rows below. Columns:
# question | persona | kind | metric | timeframe (start..end, or - for none)
# as of Thursday 2025-02-20. Persona "-" means not scored.
import json, sys
TF = {
 "tm": "2025-02-01..2025-03-01", "mtd": "2025-02-01..2025-02-21", "lm": "2025-01-01..2025-02-01",
 "tq": "2025-01-01..2025-04-01", "lq": "2024-10-01..2025-01-01", "qtd": "2025-01-01..2025-02-21",
 "ytd": "2025-01-01..2025-02-21", "ty": "2025-01-01..2026-01-01", "ly": "2024-01-01..2025-01-01",
 "lw": "2025-02-10..2025-02-17", "tw": "2025-02-17..2025-02-24", "yd": "2025-02-19..2025-02-20",
 "td": "2025-02-20..2025-02-21", "l30": "2025-01-22..2025-02-21", "l7": "2025-02-14..2025-02-21",
 "l90": "2024-11-23..2025-02-21", "l6m": "2024-08-21..2025-02-21", "l12m": "2024-02-21..2025-02-21",
 "q424": "2024-10-01..2025-01-01", "q324": "2024-07-01..2024-10-01", "jan": "2025-01-01..2025-02-01",
 "dec": "2024-12-01..2025-01-01", "y24": "2024-01-01..2025-01-01", "l14": "2025-02-07..2025-02-21",
 "nq": "2025-04-01..2025-07-01", "nm": "2025-03-01..2025-04-01", "-": None,
}
def load(path):
    out = []
    for line in open(path):
        line = line.rstrip("\n")
        if not line.strip() or line.startswith("#"):
            continue
        q, persona, kind, metric, tf = [x.strip() for x in line.split("|")]
        tfv = TF[tf] if tf in TF else tf
        row = {"q": q, "persona": "" if persona == "-" else persona, "kind": kind,
               "metric": "" if metric == "-" else metric, "timeframe": tfv}
        out.append(row)
    return out
for name in ("dev", "heldout"):
    rows = load(name + ".txt")
    with open(name + ".jsonl", "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    print(name, len(rows))
