"""deep in CPython asyncio: does `await depth(n - 1)` recursion n deep survive? Python's default
recursion limit (1000) applies, as for any program that does not raise it."""
import asyncio, json, sys


async def depth(n):
    if n == 0:
        return 0
    return (await depth(n - 1)) + 1


def main():
    n = json.loads(sys.argv[1])["n"]
    try:
        ok = asyncio.run(depth(n)) == n
    except RecursionError:
        ok = False
    print(json.dumps({"value": 1 if ok else 0}))


main()
