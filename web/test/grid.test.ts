import { describe, expect, it } from 'vitest';
import {
  Ring, gridStep, nowX, productOf, recenter, rowOf, secondsBackAt, tickAt, tickIndex, xOfSecondsBack, yOfTick,
  type View,
} from '../src/grid';

describe('grid math', () => {
  it('tick index of an ES price is price / $0.25; equities use $0.50 buckets', () => {
    const es = productOf('ESH6');
    expect(tickIndex(6949_750_000_000n, es)).toBe(27799);
    expect(tickIndex(6949_875_000_000n, es)).toBe(27799.5);
    const spy = productOf('SPY');
    expect(tickIndex(690_500_000_000n, spy)).toBe(1381);
    expect(es.strikeStepRows).toBe(20); // $5 / $0.25
    expect(spy.strikeStepRows).toBe(2); // $1 / $0.50
  });
  it('rows: rel_ticks -200..200 → 0..400', () => {
    expect(rowOf(-200)).toBe(0);
    expect(rowOf(0)).toBe(200);
    expect(rowOf(200)).toBe(400);
  });
  it('ring keeps the newest column at head and wraps', () => {
    const r = new Ring(4);
    expect(r.columnBack(0)).toBe(-1);
    for (let i = 0; i < 6; i++) r.advance();
    expect(r.head).toBe(1); // 6 advances on width 4: 0,1,2,3,0,1
    expect(r.count).toBe(4);
    expect([0, 1, 2, 3].map((k) => r.columnBack(k))).toEqual([1, 0, 3, 2]);
    expect(r.columnBack(4)).toBe(-1);
  });
  it('view: the newest column ends at 70 % of the width; x and seconds back are inverse', () => {
    const v: View = { widthPx: 1000, heightPx: 500, seconds: 300, centerTick: 27800, ticks: 100 };
    expect(nowX(v)).toBe(700);
    expect(secondsBackAt(v, 700)).toBe(0);
    expect(secondsBackAt(v, 0)).toBe(300);
    expect(secondsBackAt(v, 350)).toBe(150);
    expect(xOfSecondsBack(v, 150)).toBe(350);
  });
  it('view: y and tick are inverse, top is centre + ticks/2', () => {
    const v: View = { widthPx: 1000, heightPx: 500, seconds: 300, centerTick: 27800, ticks: 100 };
    expect(tickAt(v, 0)).toBe(27850);
    expect(tickAt(v, 500)).toBe(27750);
    expect(yOfTick(v, 27800)).toBe(250);
    expect(yOfTick(v, tickAt(v, 123))).toBeCloseTo(123, 9);
  });
  it('recentre only when spot leaves the middle 60 %', () => {
    expect(recenter(100, 100, 129)).toBe(100);
    expect(recenter(100, 100, 71)).toBe(100);
    expect(recenter(100, 100, 131)).toBe(131);
  });
  it('price grid step keeps at most 16 lines: $1 at 50 ES ticks, $5 at 200, $0.25 at 12', () => {
    const es = productOf('ESH6');
    expect(gridStep(12, es)).toBe(1);
    expect(gridStep(50, es)).toBe(4);
    expect(gridStep(200, es)).toBe(20);
    expect(gridStep(100, productOf('QQQ'))).toBe(10); // $5 in $0.50 buckets
  });
});
