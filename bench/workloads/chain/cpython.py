"""chain in CPython asyncio: recursive fib, each call awaiting two coroutine calls. ns per call."""
import asyncio, json, sys, time


async def fib(n):
    if n < 2:
        return n
    return (await fib(n - 1)) + (await fib(n - 2))


async def timed(n):
    t = time.perf_counter()
    await fib(n)
    return time.perf_counter() - t


def main():
    size = json.loads(sys.argv[1])
    n, iterations = size["n"], size["iterations"]
    calls = 2 * fib_value(n + 1) - 1
    asyncio.run(timed(max(n - 4, 2)))  # warm-up
    times = sorted(asyncio.run(timed(n)) for _ in range(iterations))
    print(json.dumps({"value": times[len(times) // 2] / calls * 1e9}))


def fib_value(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


main()
