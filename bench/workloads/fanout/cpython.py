"""fanout in CPython asyncio: n tasks that each await sleep(0), then gather. us per task."""
import asyncio, json, sys, time


async def worker(i):
    await asyncio.sleep(0)
    return i


async def fanout(n):
    t = time.perf_counter()
    tasks = [asyncio.create_task(worker(i)) for i in range(n)]
    results = await asyncio.gather(*tasks)
    assert len(results) == n
    return time.perf_counter() - t


def main():
    size = json.loads(sys.argv[1])
    n, iterations = size["n"], size["iterations"]
    asyncio.run(fanout(n // 10))  # warm-up
    times = sorted(asyncio.run(fanout(n)) for _ in range(iterations))
    print(json.dumps({"value": times[len(times) // 2] / n * 1e6}))


main()
