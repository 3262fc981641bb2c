// One window's column rasterised in absolute price space, ready for the GPU's column cache.
//
// The cache texture holds, per ring column (one texel row per window), the colour of every price
// TEXELS_PER_TICK-th of a tick over WRAP_TICKS ticks: bid/ask halves, options bars and the cell colours
// are resolved here once per window, so a frame is one texture read per pixel (heatmap-gl.ts) and
// zoom, pan and re-centre cost no rasterisation at all. The price axis wraps (a ring of WRAP_TICKS ticks
// around each column's spot); alpha holds the wrap count ("lap") of the price written there so the
// shader can tell a texel of its own price from one WRAP_TICKS away.
import { BACKGROUND } from './colormap';
import { HALF_ROWS, HALF_STRIKES } from './grid';

export const TEXELS_PER_TICK = 4;
export const WRAP_TICKS = 1024;
export const CACHE_TEXELS = TEXELS_PER_TICK * WRAP_TICKS; // texels across a cache row

const BG = BACKGROUND.map((c) => Math.round(c * 255));

// Packs straight RGB (0..255) and the lap into the little-endian RGBA8 word the texture takes.
const pack = (r: number, g: number, b: number, lap: number) => (r | (g << 8) | (b << 16) | ((lap & 255) << 24)) >>> 0;

// Cell colour (straight-alpha RGBA8 from history.ts) over the background, as RGB 0..255.
function overBg(rgba: Uint8Array, o: number, out: Float32Array, k: number): void {
  const a = rgba[o + 3] / 255;
  for (let i = 0; i < 3; i++) out[k + i] = rgba[o + i] * a + BG[i] * (1 - a);
}

export interface ColumnInput {
  spot: number; // absolute tick of the column's spot; 0 = no valid book (the column stays background)
  bidRgba: Uint8Array; // ROWS × RGBA8 straight alpha, row = rel_ticks + HALF_ROWS
  askRgba: Uint8Array;
  opt: Float32Array; // STRIKE_ROWS net option velocity, row = strike index + HALF_STRIKES
  strikeStep: number; // ticks between strikes
  showOptions: boolean;
}

const smoothstep = (e0: number, e1: number, x: number) => {
  const t = Math.min(Math.max((x - e0) / (e1 - e0), 0), 1);
  return t * t * (3 - 2 * t);
};

// Absolute texel index of a price: texel a covers ticks [a, a+1) / TEXELS_PER_TICK.
export const texelOfTick = (tick: number) => Math.floor(tick * TEXELS_PER_TICK);
export const cacheRowOf = (a: number) => ((a % CACHE_TEXELS) + CACHE_TEXELS) % CACHE_TEXELS;
export const lapOf = (a: number) => Math.floor(a / CACHE_TEXELS) & 255;

// Writes CACHE_TEXELS words into `out`: the window [spot − WRAP_TICKS/2, spot + WRAP_TICKS/2) at
// TEXELS_PER_TICK texels a tick, each at its wrapped position. Bid is drawn in the lower half of a row,
// ask in the upper half (grid.ts sideOfCell); options bars (net velocity per strike, cyan building /
// magenta eroding) are drawn over the cells, 0.4 strike steps tall with soft edges.
const cellRgb = new Float32Array((2 * HALF_ROWS + 1) * 2 * 3);
export function rasterColumn(c: ColumnInput, out: Uint32Array): void {
  const bgWord = pack(BG[0], BG[1], BG[2], 0);
  if (c.spot === 0) {
    out.fill(bgWord);
    return;
  }
  // Each cell once over the background (bid at k = 6·row, ask at 6·row + 3); 0 alpha stays background.
  for (let r = 0; r <= 2 * HALF_ROWS; r++) {
    overBg(c.bidRgba, r * 4, cellRgb, r * 6);
    overBg(c.askRgba, r * 4, cellRgb, r * 6 + 3);
  }
  const step = c.strikeStep;
  const half = 0.2 * step;
  const first = texelOfTick(c.spot) - CACHE_TEXELS / 2;
  for (let i = 0; i < CACHE_TEXELS; i++) {
    const a = first + i;
    const tick = (a + 0.5) / TEXELS_PER_TICK;
    const rel = tick - c.spot;
    const row = Math.floor(rel + 0.5);
    let r = BG[0], g = BG[1], b = BG[2];
    if (row >= -HALF_ROWS && row <= HALF_ROWS) {
      const k = (row + HALF_ROWS) * 6 + (rel + 0.5 - row < 0.5 ? 0 : 3);
      r = cellRgb[k];
      g = cellRgb[k + 1];
      b = cellRgb[k + 2];
    }
    if (c.showOptions) {
      const s = Math.floor(rel / step + 0.5);
      const d = Math.abs(rel - s * step);
      if (s >= -HALF_STRIKES && s <= HALF_STRIKES && d <= half) {
        const ov = c.opt[s + HALF_STRIKES];
        if (Math.abs(ov) > 0.001) {
          const oa = Math.tanh(0.3 * Math.abs(ov)) * 0.85 * (1 - smoothstep(0.7 * half, half, d));
          const oc = ov > 0 ? 0 : 255; // cyan (0,255,255) building, magenta (255,0,255) eroding
          r = oc * oa + r * (1 - oa);
          g = (255 - oc) * oa + g * (1 - oa);
          b = 255 * oa + b * (1 - oa);
        }
      }
    }
    out[cacheRowOf(a)] = pack(Math.round(r), Math.round(g), Math.round(b), lapOf(a));
  }
}
