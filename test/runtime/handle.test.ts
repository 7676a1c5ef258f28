import { newEventLoop, type EventLoop } from "../../runtime/index.js";

/** What the loop reports, as messages. */
function reportsOf(loop: EventLoop): string[] {
  const reports: string[] = [];
  loop.setExceptionHandler((_l, context) => reports.push(context.message));
  return reports;
}

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

describe("handles (mutation testing found these unchecked)", () => {
  test("string forms name the callback, or say cancelled", () => {
    const loop = newEventLoop({ virtualTime: true });
    const anonymous = (() => () => undefined)();
    const soon = loop.callSoon(function tick() {});
    const nameless = loop.callSoon(anonymous);
    const timer = loop.callLater(1, function later() {});
    const forms = [String(soon), String(nameless), String(timer)];
    soon.cancel();
    timer.cancel();
    forms.push(String(soon), String(timer));
    loop.close();
    expect(forms).toEqual(["<Handle tick()>", "<Handle <anonymous>()>", "<TimerHandle later()>", "<Handle cancelled>", "<TimerHandle cancelled>"]);
  });

  test("a cancelled handle does not run and reports nothing", async () => {
    const loop = newEventLoop({ virtualTime: true });
    const reports = reportsOf(loop);
    const ran: string[] = [];
    loop.callSoon(() => ran.push("soon")).cancel();
    loop.callLater(1, () => ran.push("later")).cancel();
    const stop = loop.createFuture<void>();
    loop.callLater(2, () => stop.setResult());
    await loop.runUntilComplete(stop);
    loop.close();
    expect([ran, reports]).toEqual([[], []]);
  });

  test("an error in a callback is reported with the callback's name, or <anonymous>, or <cancelled> once it cancelled itself", async () => {
    const loop = newEventLoop({ virtualTime: true });
    const reports = reportsOf(loop);
    loop.callSoon(function named() {
      throw new Error("a");
    });
    loop.callSoon((() => () => {
      throw new Error("b");
    })());
    const self = loop.callSoon(() => {
      self.cancel();
      throw new Error("c");
    });
    const stop = loop.createFuture<void>();
    loop.callSoon(() => stop.setResult());
    await loop.runUntilComplete(stop);
    loop.close();
    expect(reports).toEqual(["Exception in callback named()", "Exception in callback <anonymous>()", "Exception in callback <cancelled>()"]);
  });

  test("timers due at the same time run in the order they were made", async () => {
    const loop = newEventLoop({ virtualTime: true });
    const ran: number[] = [];
    for (let i = 0; i < 12; i++) loop.callAt(5, () => ran.push(i));
    loop.callAt(4, () => ran.push(-1));
    const stop = loop.createFuture<void>();
    loop.callAt(5, () => stop.setResult());
    await loop.runUntilComplete(stop);
    loop.close();
    expect(ran).toEqual([-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });
});
