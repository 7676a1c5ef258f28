import { newEventLoop } from "../../runtime/index.js";

test("cancelling a timer after it ran does not count it as a cancelled timer still scheduled", async () => {
  const loop = newEventLoop({ virtualTime: true });
  const ran: string[] = [];
  const fired = loop.callLater(1, () => ran.push("fired"));
  const stop = loop.createFuture<void>();
  loop.callLater(2, () => {
    // What sleep() does: its done callback cancels a timer that has already run.
    fired.cancel();
    stop.setResult();
  });
  const later = loop.callLater(10, () => ran.push("later"));
  await loop.runUntilComplete(stop);
  expect(ran).toEqual(["fired"]);
  expect(loop.pendingTimerCount()).toBe(1);
  later.cancel();
  expect(loop.pendingTimerCount()).toBe(0);
  loop.close();
});
