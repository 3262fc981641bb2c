// CPU side of the history: one column per window in a ring, the same layout the GPU textures get, so a
// window costs one column upload and the tooltip reads the exact values that were drawn.
import { compositeColor } from './colormap';
import type { ColumnInput } from './raster';
import type { Forecast } from './decode';
import type { Window } from './stream-client';
import { HALF_ROWS, HALF_STRIKES, HISTORY, ROWS, Ring, STRIKE_ROWS, type Product, tickIndex } from './grid';

export interface Column {
  col: number;
  bid: Float32Array; // ROWS × (v, p, omega, written)
  ask: Float32Array;
  bidRgba: Uint8Array; // ROWS × RGBA8: the composite colour (straight alpha) the shader draws
  askRgba: Uint8Array;
  opt: Float32Array; // STRIKE_ROWS
  spot: number; // absolute tick; 0 when the window has no valid book
}

export class History {
  readonly ring = new Ring(HISTORY);
  readonly bid = new Float32Array(HISTORY * ROWS * 4);
  readonly ask = new Float32Array(HISTORY * ROWS * 4);
  readonly bidRgba = new Uint8Array(HISTORY * ROWS * 4);
  readonly askRgba = new Uint8Array(HISTORY * ROWS * 4);
  readonly opt = new Float32Array(HISTORY * STRIKE_ROWS);
  contrast = 1;
  cutoff = 0.03;
  readonly spot = new Float32Array(HISTORY);
  readonly mid = new Float64Array(HISTORY);
  readonly timeNs: bigint[] = new Array(HISTORY).fill(0n);
  lastForecast: Forecast | null = null;

  constructor(readonly product: Product) {}

  clear(): void {
    this.ring.clear();
    this.spot.fill(0);
    this.lastForecast = null;
  }

  // Appends the window as the newest column and returns it (views into the ring's arrays).
  push(w: Window): Column {
    const col = this.ring.advance();
    const bid = this.bid.subarray(col * ROWS * 4, (col + 1) * ROWS * 4);
    const ask = this.ask.subarray(col * ROWS * 4, (col + 1) * ROWS * 4);
    const opt = this.opt.subarray(col * STRIKE_ROWS, (col + 1) * STRIKE_ROWS);
    bid.fill(0);
    ask.fill(0);
    opt.fill(0);
    const snap = w.snap;
    // An invalid book has no meaningful spot: the column stays empty (drawn as background).
    const spot = snap && snap.bookValid && snap.spotRefPriceInt > 0n ? tickIndex(snap.spotRefPriceInt, this.product) : 0;
    this.spot[col] = spot;
    this.mid[col] = snap ? snap.midPrice : NaN;
    this.timeNs[col] = w.windowEndNs;
    const v = w.velocity;
    if (v) {
      for (let i = 0; i < v.length; i++) {
        const r = v.relTicks[i];
        if (r < -HALF_ROWS || r > HALF_ROWS) continue;
        const dst = v.isBid[i] ? bid : ask;
        const o = (r + HALF_ROWS) * 4;
        dst[o] = v.liquidityVelocity[i];
        dst[o + 1] = v.pressureGrad[i];
        dst[o + 2] = v.omega[i];
        dst[o + 3] = 1;
      }
    }
    const o = w.options;
    if (o) {
      const step = this.product.strikeStepRows;
      for (let i = 0; i < o.length; i++) {
        const s = Math.round(o.relTicks[i] / step);
        if (s < -HALF_STRIKES || s > HALF_STRIKES) continue;
        opt[s + HALF_STRIKES] += o.liquidityVelocity[i];
      }
    }
    if (w.forecast) this.lastForecast = w.forecast;
    const bidRgba = this.bidRgba.subarray(col * ROWS * 4, (col + 1) * ROWS * 4);
    const askRgba = this.askRgba.subarray(col * ROWS * 4, (col + 1) * ROWS * 4);
    this.colour(bid, bidRgba);
    this.colour(ask, askRgba);
    return { col, bid, ask, bidRgba, askRgba, opt, spot };
  }

  // New contrast/cutoff: every stored cell is recoloured (the caller re-uploads the colour textures once).
  restyle(contrast: number, cutoff: number): void {
    this.contrast = contrast;
    this.cutoff = cutoff;
    this.colour(this.bid, this.bidRgba);
    this.colour(this.ask, this.askRgba);
  }

  // The colour rule runs once per cell here, not per pixel per frame in the shader: the frame's cost is
  // then two texel fetches a pixel, and what is drawn is exactly what colormap.ts's tests pin.
  private colour(values: Float32Array, rgba: Uint8Array): void {
    for (let o = 0; o < values.length; o += 4) {
      const c = values[o + 3] ? compositeColor(values[o], values[o + 1], values[o + 2], this.contrast, this.cutoff) : null;
      if (c) {
        rgba[o] = Math.round(c[0] * 255);
        rgba[o + 1] = Math.round(c[1] * 255);
        rgba[o + 2] = Math.round(c[2] * 255);
        rgba[o + 3] = Math.max(1, Math.round(c[3] * 255));
      } else {
        rgba[o] = rgba[o + 1] = rgba[o + 2] = rgba[o + 3] = 0;
      }
    }
  }

  // What raster.ts needs to draw ring column `col`.
  rasterInput(col: number, showOptions: boolean): ColumnInput {
    const o = col * ROWS * 4;
    return {
      spot: this.spot[col],
      bidRgba: this.bidRgba.subarray(o, o + ROWS * 4),
      askRgba: this.askRgba.subarray(o, o + ROWS * 4),
      opt: this.opt.subarray(col * STRIKE_ROWS, (col + 1) * STRIKE_ROWS),
      strikeStep: this.product.strikeStepRows,
      showOptions,
    };
  }

  newestSpot(): number {
    return this.ring.count ? this.spot[this.ring.head] : 0;
  }

  // The cell under (seconds back, absolute tick, side), or null outside the data.
  cell(secondsBack: number, tick: number): { col: number; rel: number; side: 'B' | 'A'; v: number; p: number; omega: number } | null {
    const col = this.ring.columnBack(Math.floor(secondsBack));
    if (col < 0 || this.spot[col] === 0) return null;
    const rel = tick - this.spot[col];
    const r = Math.floor(rel + 0.5);
    if (r < -HALF_ROWS || r > HALF_ROWS) return null;
    const side = rel + 0.5 - r < 0.5 ? 'B' : 'A';
    const src = side === 'B' ? this.bid : this.ask;
    const o = (col * ROWS + r + HALF_ROWS) * 4;
    return { col, rel: r, side, v: src[o], p: src[o + 1], omega: src[o + 2] };
  }
}
