/** allLoops(): every open loop of the runtime, for the dumps of corotask ps and SIGUSR2. */
import { allLoops, getEventLoop, newEventLoop } from "../../runtime/index.js";

describe("allLoops", () => {
  test("lists a new loop until it is closed, in creation order", () => {
    const first = newEventLoop();
    const second = newEventLoop({ virtualTime: true });
    const loops = allLoops();
    expect(loops.indexOf(first)).toBeGreaterThanOrEqual(0);
    expect(loops.indexOf(second)).toBeGreaterThan(loops.indexOf(first));
    first.close();
    expect(allLoops()).not.toContain(first);
    expect(allLoops()).toContain(second);
    second.close();
  });

  test("includes the default loop, and a running loop sees itself listed from its callbacks", async () => {
    const defaultLoop = getEventLoop();
    expect(allLoops()).toContain(defaultLoop);
    const loop = newEventLoop({ virtualTime: true });
    let listed = false;
    loop.callSoon(() => {
      listed = allLoops().includes(loop);
      loop.stop();
    });
    await loop.runForever();
    loop.close();
    expect(listed).toBe(true);
    expect(allLoops()).not.toContain(loop);
  });

  test("stays small when many loops come and go", () => {
    for (let i = 0; i < 1000; i++) newEventLoop().close();
    const open = newEventLoop();
    expect(allLoops()).toContain(open);
    expect(allLoops().length).toBeLessThan(10);
    open.close();
  });
});
