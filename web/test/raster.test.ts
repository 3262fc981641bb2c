// The cache column rasteriser against hand-derived texels: which price texels show the bid and the ask
// half of a cell, the background over which a cell is blended, the options bar colour (tanh(0.3·|v|)·0.85
// over the background, worked out by hand), the wrapped rows and their lap (what the shader compares).
import { describe, expect, it } from 'vitest';
import { HALF_ROWS, HALF_STRIKES, ROWS, STRIKE_ROWS } from '../src/grid';
import { CACHE_TEXELS, cacheRowOf, lapOf, rasterColumn, texelOfTick, type ColumnInput } from '../src/raster';

const word = (r: number, g: number, b: number, lap: number) => (r | (g << 8) | (b << 16) | (lap << 24)) >>> 0;
const rgb = (w: number) => [w & 255, (w >>> 8) & 255, (w >>> 16) & 255];
const BG = [10, 10, 15];

function input(spot: number, strikeStep = 20): ColumnInput {
  return {
    spot, strikeStep, showOptions: true,
    bidRgba: new Uint8Array(ROWS * 4), askRgba: new Uint8Array(ROWS * 4), opt: new Float32Array(STRIKE_ROWS),
  };
}
// The texel of the cache column that holds absolute texel index a.
const at = (out: Uint32Array, a: number) => out[cacheRowOf(a)];

describe('rasterColumn', () => {
  it('draws the bid in the lower half of the row and the ask in the upper half, over the background', () => {
    const c = input(27800);
    c.bidRgba.set([200, 100, 50, 255], (3 + HALF_ROWS) * 4); // rel +3, bid, opaque
    c.askRgba.set([255, 0, 0, 128], (-2 + HALF_ROWS) * 4); // rel −2, ask, alpha 128/255
    const out = new Uint32Array(CACHE_TEXELS);
    rasterColumn(c, out);
    // rel +3 spans ticks [27802.5, 27803.5): texels 111210..111213 at 4 a tick; lap = floor(a / 4096) = 27.
    expect(at(out, 111209)).toBe(word(10, 10, 15, 27)); // rel +2's ask half: empty
    expect(at(out, 111210)).toBe(word(200, 100, 50, 27));
    expect(at(out, 111211)).toBe(word(200, 100, 50, 27));
    expect(rgb(at(out, 111212))).toEqual(BG); // rel +3's ask half: empty
    // rel −2 ask: ticks [27798, 27798.5) = texels 111192, 111193; 255·128/255 + 10·(1 − 128/255) = 132.98 → 133,
    // 10·127/255 = 4.98 → 5, 15·127/255 = 7.47 → 7.
    expect(rgb(at(out, 111192))).toEqual([133, 5, 7]);
    expect(rgb(at(out, 111193))).toEqual([133, 5, 7]);
    expect(rgb(at(out, 111191))).toEqual(BG);
  });

  it('writes each of the CACHE_TEXELS rows once, with the lap of the price it holds', () => {
    const c = input(27800.25);
    const out = new Uint32Array(CACHE_TEXELS).fill(0xdeadbeef);
    rasterColumn(c, out);
    expect(out.includes(0xdeadbeef)).toBe(false);
    const first = texelOfTick(27800.25) - CACHE_TEXELS / 2; // the window [spot − 512, spot + 512) ticks
    for (const a of [first, first + 1, texelOfTick(27800.25), first + CACHE_TEXELS - 1]) {
      expect(at(out, a) >>> 24).toBe(lapOf(a));
    }
    // The same row one wrap away belongs to the other lap: the shader shows background there.
    expect(lapOf(first + CACHE_TEXELS)).toBe((lapOf(first) + 1) & 255);
    expect(cacheRowOf(first + CACHE_TEXELS)).toBe(cacheRowOf(first));
  });

  it('options bars: cyan for net building, magenta for eroding, 0.4 strike steps tall, off when hidden', () => {
    const c = input(27800);
    c.opt[1 + HALF_STRIKES] = 10; // strike +1 = 20 ticks above spot ($5)
    c.opt[-1 + HALF_STRIKES] = -10;
    const out = new Uint32Array(CACHE_TEXELS);
    rasterColumn(c, out);
    // oa = tanh(3)·0.85 = 0.845797 at the bar's middle: cyan over the background
    // (0·oa + 10·(1 − oa), 255·oa + 10·(1 − oa), 255·oa + 15·(1 − oa)) = (1.54, 217.22, 217.99).
    const mid = texelOfTick(27820);
    expect(rgb(at(out, mid))).toEqual([2, 217, 218]);
    expect(rgb(at(out, texelOfTick(27780)))).toEqual([217, 2, 218]);
    // Half height 0.2·20 = 4 ticks: the texel centred at 4.125 ticks off the strike is outside.
    expect(rgb(at(out, texelOfTick(27824.125)))).toEqual(BG);
    expect(rgb(at(out, texelOfTick(27800)))).toEqual(BG); // no bar at strike 0 (no value)
    c.showOptions = false;
    rasterColumn(c, out);
    expect(rgb(at(out, mid))).toEqual(BG);
  });

  it('equities: $1 strikes are 2 buckets apart, bars 0.8 buckets tall', () => {
    const c = input(1381, 2);
    c.opt[HALF_STRIKES + 1] = 10; // strike at bucket 1383
    const out = new Uint32Array(CACHE_TEXELS);
    rasterColumn(c, out);
    expect(rgb(at(out, texelOfTick(1383)))).toEqual([2, 217, 218]);
    expect(rgb(at(out, texelOfTick(1383.5)))).toEqual(BG); // 0.625 buckets off: outside 0.4
  });

  it('a column without a valid book is background', () => {
    const c = input(0);
    const out = new Uint32Array(CACHE_TEXELS);
    rasterColumn(c, out);
    expect(new Set(Array.from(out, (w) => rgb(w).join()))).toEqual(new Set([BG.join()]));
  });
});
