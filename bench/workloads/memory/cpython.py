"""memory in CPython asyncio: n tasks pending on futures; bytes per pending task (tracemalloc)."""
import asyncio, gc, json, sys, tracemalloc


async def pending(fut):
    return await fut


async def measure(n):
    loop = asyncio.get_running_loop()
    futures = [None] * n
    tasks = [None] * n
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for i in range(n):
        fut = loop.create_future()
        futures[i] = fut
        tasks[i] = asyncio.create_task(pending(fut))
    await asyncio.sleep(0)
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    for fut in futures:
        fut.set_result(None)
    await asyncio.gather(*tasks)
    return (after - before) / n


def main():
    size = json.loads(sys.argv[1])
    # tracemalloc's own bookkeeping is large: a tenth of the tasks gives the same bytes per task.
    n = max(size["n"] // 10, 1000)
    print(json.dumps({"value": asyncio.run(measure(n)), "note": f"{n} tasks, tracemalloc"}))


main()
