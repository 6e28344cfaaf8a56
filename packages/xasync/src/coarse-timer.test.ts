import { CoarseTimer, TimerEntry } from './coarse-timer';

/** A target that records which entry kinds fired. */
const recorder = (log: string[], names: string[]) => ({ onTimer: (kind: number) => { log.push(names[kind]); } });

describe('CoarseTimer', () => {
  test('fires due entries once, skips disarmed ones, and stops when empty', async () => {
    const t = new CoarseTimer(20);
    const fired: string[] = [];
    const target = recorder(fired, ['a', 'b', 'c']);
    const a = new TimerEntry(target, 0);
    const b = new TimerEntry(target, 1);
    const c = new TimerEntry(target, 2);
    t.arm(a, 30);
    t.arm(b, 30);
    t.arm(c, 5000);
    t.disarm(b);
    expect(t.armedCount).toBe(2);
    await new Promise((r) => setTimeout(r, 120));
    expect(fired).toEqual(['a']);
    expect(a.deadline).toBe(0);
    t.disarm(c);
    expect(t.armedCount).toBe(0);
  });

  test('re-arming pushes the deadline back', async () => {
    const t = new CoarseTimer(20);
    let n = 0;
    const e = new TimerEntry({ onTimer: () => { n++; } });
    t.arm(e, 60);
    await new Promise((r) => setTimeout(r, 40));
    t.arm(e, 200);
    await new Promise((r) => setTimeout(r, 60));
    expect(n).toBe(0);
    t.clear();
  });
});

describe('CoarseTimer.touch', () => {
  test('a touched entry counts its timeout again from the next tick: never before, at most two ticks after', async () => {
    const t = new CoarseTimer(20);
    let firedAt = 0;
    const e = new TimerEntry({ onTimer: () => { firedAt = Date.now(); } });
    t.arm(e, 60);
    await new Promise((r) => setTimeout(r, 40));
    const touchedAt = Date.now();
    t.touch(e, 100);
    // Until the next tick the deadline is the old one; dueAt already counts from now.
    expect(t.dueAt(e)).toBeGreaterThanOrEqual(touchedAt + 100);
    for (let i = 0; i < 100 && firedAt === 0; i++) await new Promise((r) => setTimeout(r, 10));
    // Not at the old deadline (60 ms from the arm): 100 ms from the touch at the earliest.
    expect(firedAt).toBeGreaterThanOrEqual(touchedAt + 100);
    expect(firedAt).toBeLessThanOrEqual(touchedAt + 100 + 2 * 20 + 300); // two ticks, and a loaded runner's slack
    expect(t.armedCount).toBe(0);
  });

  test('touch arms an entry that is not armed; disarm and arm drop a pending touch', async () => {
    const t = new CoarseTimer(20);
    const fired: string[] = [];
    const a = new TimerEntry({ onTimer: () => { fired.push('a'); } });
    const b = new TimerEntry({ onTimer: () => { fired.push('b'); } });
    t.touch(a, 30); // not armed: armed at once
    expect(a.deadline).toBeGreaterThan(0);
    t.arm(b, 5000);
    t.touch(b, 5000);
    t.arm(b, 30); // the latest call wins: the touch is dropped
    expect(b.touchMs).toBe(0);
    for (let i = 0; i < 100 && fired.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(fired.sort()).toEqual(['a', 'b']);
    t.arm(a, 5000);
    t.touch(a, 10);
    t.disarm(a);
    expect(a.touchMs).toBe(0);
    await new Promise((r) => setTimeout(r, 60));
    expect(fired).toEqual(['a', 'b']);
    expect(t.armedCount).toBe(0);
  });
});

describe('CoarseTimer clock', () => {
  afterEach(() => { jest.useRealTimers(); });

  test('deadlines stay small integers: the origin moves forward after ~6 days and due times stay right', () => {
    jest.useFakeTimers({ now: 1_700_000_000_000 });
    const day = 86_400_000;
    const t = new CoarseTimer(3_600_000); // hourly ticks: a week is 168 of them
    const fired: string[] = [];
    const long = new TimerEntry(recorder(fired, ['long']), 0);
    const dueAt = Date.now() + 8 * day;
    t.arm(long, 8 * day);
    expect(Number.isInteger(long.deadline) && long.deadline < 2 ** 31).toBe(true);
    expect(t.toEpoch(long.deadline)).toBe(dueAt);
    jest.advanceTimersByTime(7 * day);
    // Rebased: the deadline is smaller than the time since the timer was made, and still the same instant.
    expect(long.deadline).toBeLessThan(2 * day);
    expect(t.toEpoch(long.deadline)).toBe(dueAt);
    expect(fired).toEqual([]);
    jest.advanceTimersByTime(day + 3_600_000);
    expect(fired).toEqual(['long']);
    expect(long.deadline).toBe(0);
    expect(t.armedCount).toBe(0);
  });
});
