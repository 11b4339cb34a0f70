"""Run in the benchmarks' venv: time pycachesim over an address file; print seconds, hits and misses as JSON.

Usage: _pycachesim_worker.py ADDRS.bin per-call|batched SETS WAYS LINE
"""

import gc
import json
import sys
import time
from array import array

from cachesim import Cache, CacheSimulator, MainMemory


def main() -> None:
    path, mode, sets, ways, line = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:6])
    addrs = array("Q")
    with open(path, "rb") as f:
        addrs.frombytes(f.read())
    memory = MainMemory()
    l1 = Cache("L1", sets, ways, line, "LRU")
    memory.load_to(l1)
    memory.store_from(l1)
    sim = CacheSimulator(l1, memory)
    if mode == "batched":
        listed = addrs.tolist()
    gc.disable()
    start = time.process_time()
    if mode == "per-call":
        load = sim.load
        for addr in addrs:
            load(addr)
    else:
        sim.load(listed)
    seconds = time.process_time() - start
    gc.enable()
    stats = l1.stats()
    print(json.dumps({"seconds": seconds, "hits": stats["HIT_count"], "misses": stats["MISS_count"]}))


if __name__ == "__main__":
    main()
