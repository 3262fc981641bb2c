// Decoding of Arrow IPC streams written by pyarrow (fixtures/make_fixtures.py), and the message
// assembler fed a whole window's message sequence as the server sends it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compositeColor } from '../src/colormap';
import { decodeForecast, decodeOptions, decodeSnap, decodeVelocity } from '../src/decode';
import { History } from '../src/history';
import { productOf } from '../src/grid';
import { FrameAssembler, type Window } from '../src/stream-client';

const dir = new URL('./fixtures/', import.meta.url);
const bytes = (n: string) => new Uint8Array(readFileSync(new URL(`${n}.arrows`, dir)));
const expected = JSON.parse(readFileSync(new URL('expected.json', dir), 'utf8'));

describe('Arrow decoding (pyarrow-written streams)', () => {
  it('snap', () => {
    const s = decodeSnap(bytes('snap'))!;
    expect(s.windowEndNs).toBe(BigInt(expected.ts));
    expect(s.spotRefPriceInt).toBe(BigInt(expected.spot_ref_price_int));
    expect(s.midPrice).toBe(expected.mid_price);
    expect(s.bookValid).toBe(true);
    expect(decodeSnap(bytes('snap_empty'))).toBeNull();
  });
  it('velocity, columnar', () => {
    const v = decodeVelocity(bytes('velocity'));
    const e = expected.velocity;
    expect(v.length).toBe(e.rel_ticks.length);
    expect([...v.relTicks]).toEqual(e.rel_ticks);
    expect([...v.isBid]).toEqual(e.side.map((s: string) => (s === 'B' ? 1 : 0)));
    expect([...v.liquidityVelocity]).toEqual(e.liquidity_velocity);
    expect([...v.pressureGrad]).toEqual(e.pressure_grad);
    expect([...v.omega]).toEqual(e.Omega);
    expect(decodeVelocity(bytes('velocity_empty')).length).toBe(0);
  });
  it('options', () => {
    const o = decodeOptions(bytes('options'));
    expect([...o.relTicks]).toEqual(expected.options.rel_ticks);
    expect([...o.liquidityVelocity]).toEqual(expected.options.liquidity_velocity);
  });
  it('forecast: the h=0 diagnostic row and the 30-point path, nulls kept as null', () => {
    const f = decodeForecast(bytes('forecast'))!;
    const e = expected.forecast;
    expect(f.runScoreUp).toBe(e.run_score_up);
    expect(f.runScoreDown).toBe(e.run_score_down);
    expect(f.dUp).toBeNull();
    expect(f.dDown).toBe(7);
    expect(f.confidence).toBe(e.confidence);
    expect(f.path.map((p) => p.horizonS)).toEqual([...Array(30).keys()].map((i) => i + 1));
    expect(f.path.map((p) => p.predictedTickDelta)).toEqual(e.delta);
    f.path.forEach((p, i) => expect(p.confidence).toBeCloseTo(e.path_confidence[i], 12));
  });
});

describe('FrameAssembler', () => {
  const sequence = (ts: string) => [
    JSON.stringify({ type: 'batch_start', window_end_ts_ns: ts, late_records: 0, surfaces: ['snap', 'velocity', 'options', 'forecast'] }),
    JSON.stringify({ type: 'surface_header', surface: 'snap' }), bytes('snap'),
    JSON.stringify({ type: 'surface_header', surface: 'velocity' }), bytes('velocity'),
    JSON.stringify({ type: 'surface_header', surface: 'options' }), bytes('options'),
    JSON.stringify({ type: 'surface_header', surface: 'forecast' }), bytes('forecast'),
  ];
  it('assembles one window per batch and passes end, error and dropped through', () => {
    const got: Window[] = [];
    const log: string[] = [];
    const a = new FrameAssembler({
      onWindow: (w) => got.push(w), onEnd: (n) => log.push(`end ${n}`), onError: (m) => log.push(`error ${m}`),
      onDropped: (n) => log.push(`dropped ${n}`), onStatus: () => {},
    });
    const big = '1767709805000000001'; // beyond 2^53: must survive as a BigInt
    for (const m of sequence(big)) a.feed(m);
    a.feed(JSON.stringify({ type: 'dropped', windows: 3 }));
    for (const m of sequence(expected.ts)) a.feed(m);
    a.feed(JSON.stringify({ type: 'end', windows: 2 }));
    a.feed(JSON.stringify({ type: 'error', message: 'no gold partition for symbol=X' }));
    expect(got.length).toBe(2);
    expect(got[0].windowEndNs).toBe(1767709805000000001n);
    expect(got[1].velocity!.length).toBe(6);
    expect(got[1].forecast!.path.length).toBe(30);
    expect(log).toEqual(['dropped 3', 'end 2', 'error no gold partition for symbol=X']);
  });
  it('refuses a binary frame without a header', () => {
    const a = new FrameAssembler({ onWindow: () => {}, onEnd: () => {}, onError: () => {}, onDropped: () => {}, onStatus: () => {} });
    expect(() => a.feed(bytes('snap'))).toThrow(/surface_header/);
  });
});

describe('History column layout (what the texture column upload receives)', () => {
  it('bid and ask of one price land in separate textures; options sum per strike', () => {
    const h = new History(productOf('ESH6'));
    const w: Window = {
      windowEndNs: BigInt(expected.ts), snap: decodeSnap(bytes('snap')), velocity: decodeVelocity(bytes('velocity')),
      options: decodeOptions(bytes('options')), forecast: decodeForecast(bytes('forecast')),
    };
    const c = h.push(w);
    expect(c.col).toBe(0);
    expect(c.spot).toBe(27799);
    // rel -3: bid 0.5 / ask -0.25 both kept (row 197).
    expect([...c.bid.subarray(197 * 4, 197 * 4 + 4)]).toEqual([0.5, Math.fround(0.1), 2.5, 1]);
    expect([...c.ask.subarray(197 * 4, 197 * 4 + 4)]).toEqual([-0.25, Math.fround(-0.2), 0, 1]);
    expect(c.ask[400 * 4]).toBe(0.125); // rel 200
    expect(c.bid[0]).toBe(7); // rel -200
    expect(c.opt[30 - 1]).toBe(-1.5); // strike -1 ($5 below)
    expect(c.opt[30 + 1]).toBe(2.25);
    const cell = h.cell(0.5, 27799 - 3 - 0.25)!; // lower half of the row: bid
    expect(cell.side).toBe('B');
    expect(cell.v).toBe(0.5);
    expect(h.cell(0.5, 27799 - 3 + 0.25)!.side).toBe('A');
    expect(h.cell(1.5, 27799)).toBeNull(); // only one column exists
    // The colour column the shader reads is colormap.ts's colour of the stored values, in 8 bits.
    const want = compositeColor(0.5, Math.fround(0.1), 2.5)!;
    expect([...c.bidRgba.subarray(197 * 4, 197 * 4 + 4)]).toEqual(want.map((x) => Math.round(x * 255)));
    expect([...c.askRgba.subarray(200 * 4, 200 * 4 + 4)]).toEqual([0, 0, 0, 0]); // no ask row at rel 0
    h.restyle(1, 0.96); // a cutoff above every alpha (walls reach 0.95): nothing drawn
    expect(c.bidRgba.every((x) => x === 0) && c.askRgba.every((x) => x === 0)).toBe(true);
  });
  it('an invalid book leaves the column without a spot', () => {
    const h = new History(productOf('ESH6'));
    const snap = { ...decodeSnap(bytes('snap'))!, bookValid: false };
    expect(h.push({ windowEndNs: 1n, snap, velocity: null, options: null, forecast: null }).spot).toBe(0);
  });
});
