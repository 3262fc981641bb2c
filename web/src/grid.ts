// Grid and view arithmetic shared by the renderer, the overlay and the tooltip.
export const HISTORY = 1800; // columns: 30 min of 1 s windows
export const ROWS = 401; // rel_ticks -200..200 (futures ±200 ticks; equities ±100 buckets fit)
export const HALF_ROWS = 200;
export const STRIKE_ROWS = 61; // strike index -30..30 around the column's spot
export const HALF_STRIKES = 30;
export const FORECAST_MARGIN = 0.3;
export const PRICE_SCALE = 1_000_000_000n;

export interface Product {
  tickInt: bigint; // price units per row
  tickDollars: number;
  strikeStepRows: number; // rows between option strikes
  label: string;
}

// ES futures: $0.25 ticks and $5 strikes; equities: $0.50 buckets and $1 strikes (spec README constants).
export function productOf(symbol: string): Product {
  if (/^ES/.test(symbol)) return { tickInt: 250_000_000n, tickDollars: 0.25, strikeStepRows: 20, label: 'ES' };
  return { tickInt: 500_000_000n, tickDollars: 0.5, strikeStepRows: 2, label: symbol };
}

// Absolute price in rows of the product's tick (exact for prices on the tick grid).
export function tickIndex(priceInt: bigint, p: Product): number {
  return Number(priceInt / p.tickInt) + Number(priceInt % p.tickInt) / Number(p.tickInt);
}

export function rowOf(relTicks: number): number {
  return relTicks + HALF_ROWS;
}

// Ring of HISTORY columns: head is the newest column; column k back from the newest.
export class Ring {
  head = -1;
  count = 0;
  constructor(readonly width = HISTORY) {}
  advance(): number {
    this.head = (this.head + 1) % this.width;
    this.count = Math.min(this.count + 1, this.width);
    return this.head;
  }
  columnBack(k: number): number {
    if (k < 0 || k >= this.count) return -1;
    return (((this.head - k) % this.width) + this.width) % this.width;
  }
  clear(): void {
    this.head = -1;
    this.count = 0;
  }
}

// The visible data area: history on the left 70 % (newest column at the margin's edge), forecast to the
// right. x in CSS px from the plot's left; returns seconds back from the newest (fractional).
export interface View {
  widthPx: number;
  heightPx: number;
  seconds: number; // history seconds across the 70 %
  centerTick: number; // absolute tick at the vertical middle
  ticks: number; // visible ticks top to bottom
}

export function nowX(v: View): number {
  return v.widthPx * (1 - FORECAST_MARGIN);
}

export function secondsBackAt(v: View, x: number): number {
  return ((nowX(v) - x) / nowX(v)) * v.seconds;
}

export function xOfSecondsBack(v: View, s: number): number {
  return nowX(v) - (s / v.seconds) * nowX(v);
}

export function tickAt(v: View, y: number): number {
  return v.centerTick + (0.5 - y / v.heightPx) * v.ticks;
}

export function yOfTick(v: View, tick: number): number {
  return (0.5 - (tick - v.centerTick) / v.ticks) * v.heightPx;
}

// Auto-recentre with hysteresis: keep the centre while spot stays in the middle 60 % of the view, then
// jump the centre to spot (no creeping re-centre every second).
export function recenter(center: number, ticks: number, spot: number): number {
  return Math.abs(spot - center) > 0.3 * ticks ? spot : center;
}

// Price gridline spacing (in ticks) for a view `ticks` tall: aim for 6..16 labelled lines.
export function gridStep(ticks: number, p: Product): number {
  const dollarSteps = [0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100];
  for (const d of dollarSteps) {
    const step = d / p.tickDollars;
    if (step >= 1 && ticks / step <= 16) return step;
  }
  return 100 / p.tickDollars;
}

// Bid and ask of one price share the cell; the cell is split so both stay visible: the bid in the lower
// half of the row, the ask in the upper half. `frac` is the position inside the row, 0 bottom .. 1 top.
export function sideOfCell(frac: number): 'B' | 'A' {
  return frac < 0.5 ? 'B' : 'A';
}
