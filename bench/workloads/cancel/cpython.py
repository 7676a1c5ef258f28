"""cancel in CPython asyncio: n tasks blocked on futures, all cancelled, gathered with
return_exceptions=True. us per cancelled task (cancel and collect only)."""
import asyncio, json, sys, time


async def blocked(fut):
    await fut


async def round_(n):
    loop = asyncio.get_running_loop()
    tasks = [asyncio.create_task(blocked(loop.create_future())) for _ in range(n)]
    await asyncio.sleep(0)
    t = time.perf_counter()
    for task in tasks:
        task.cancel()
    outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    elapsed = time.perf_counter() - t
    assert len(outcomes) == n and all(isinstance(o, asyncio.CancelledError) for o in outcomes)
    return elapsed


def main():
    size = json.loads(sys.argv[1])
    n, iterations = size["n"], size["iterations"]
    asyncio.run(round_(n // 10))  # warm-up
    times = sorted(asyncio.run(round_(n)) for _ in range(iterations))
    print(json.dumps({"value": times[len(times) // 2] / n * 1e6}))


main()
