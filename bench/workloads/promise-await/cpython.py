"""promise-await in CPython asyncio: CPython has no native Promise; the nearest is awaiting an
already-done Future, which asyncio returns from without suspending. ns per await."""
import asyncio, json, sys, time


async def await_done(n):
    fut = asyncio.get_running_loop().create_future()
    fut.set_result(1)
    t = time.perf_counter()
    total = 0
    for _ in range(n):
        total += await fut
    assert total == n
    return time.perf_counter() - t


def main():
    size = json.loads(sys.argv[1])
    n, iterations = size["n"], size["iterations"]
    asyncio.run(await_done(n // 10))  # warm-up
    times = sorted(asyncio.run(await_done(n)) for _ in range(iterations))
    print(json.dumps({"value": times[len(times) // 2] / n * 1e9, "note": "awaits a done asyncio Future"}))


main()
