// Colour rule of frontend.md B.6, against values worked out from the spec's formulas by hand
// (tanh and linear mixes; the figures were evaluated to 10+ digits once and written here).
import { describe, expect, it } from 'vitest';
import { compositeColor, over } from '../src/colormap';

const close = (got: number[] | null, want: number[]) => {
  expect(got).not.toBeNull();
  got!.forEach((g, i) => expect(g).toBeCloseTo(want[i], 9));
};

describe('compositeColor', () => {
  it('building with upward pressure is amber: mix(#CC661A, #F28C26, tanh(3v)), alpha 0.85·I', () => {
    close(compositeColor(0.5, 0.1, 0), [0.93577223805, 0.53577223805, 0.14525741268, 0.76937601560]);
  });
  it('building with downward pressure is teal', () => {
    close(compositeColor(0.2, -0.5, 0), [0.12685247835, 0.60740991340, 0.73426239175, 0.45649213195]);
  });
  it('eroding liquidity is maroon, alpha 0.7·I', () => {
    close(compositeColor(-1 / 3, 0, 0), [0.49271737018, 0.12615941560, 0.17139129871, 0.53311590917]);
  });
  it('a strong wall (Ω 3.5, v 1) is mixed half-way to ice white and alpha is capped at 0.95', () => {
    close(compositeColor(1, 1, 3.5), [0.89962910653, 0.72462910653, 0.54987636884, 0.95]);
  });
  it('no wall highlight below Ω 2 or for weak velocity', () => {
    expect(compositeColor(1, 1, 1.9)).toEqual(compositeColor(1, 1, 0));
    expect(compositeColor(0.09, 1, 5)).toEqual(compositeColor(0.09, 1, 0));
  });
  it('pressure alone gives the dim pass: teal·tanh(5|p|), alpha 0.4·m', () => {
    close(compositeColor(0, -0.1, 0), [0.06931757359, 0.20795272077, 0.25416443649, 0.18484686290]);
  });
  it('near-zero cells and alphas under the cutoff are not drawn', () => {
    expect(compositeColor(0.004, -0.004, 9)).toBeNull();
    expect(compositeColor(0.008, 0.006, 0)).toBeNull();
    expect(compositeColor(0.5, 0.1, 0, 1, 0.8)).toBeNull(); // alpha 0.769 < cutoff 0.8
  });
  it('contrast scales the gain: contrast 2 at v 0.5 equals contrast 1 at v 1', () => {
    close(compositeColor(0.5, 1, 0, 2), compositeColor(1, 1, 0)!);
    expect(compositeColor(0.5, 1, 0, 2)![3]).toBeCloseTo(0.84579654063, 9);
  });
  it('over() blends straight alpha onto #0a0a0f', () => {
    const bg = [10 / 255, 10 / 255, 15 / 255];
    expect(over(null)).toEqual(bg);
    const c = over([1, 0, 0.5, 0.25]);
    expect(c[0]).toBeCloseTo(0.25 + 0.75 * bg[0], 12);
    expect(c[1]).toBeCloseTo(0.75 * bg[1], 12);
    expect(c[2]).toBeCloseTo(0.125 + 0.75 * bg[2], 12);
  });
});
