// Arrow IPC stream → columnar typed arrays, one decoder per surface (stream.md Part 1). Columnar access
// (Vector.toArray) instead of row objects: a window carries up to ~800 velocity rows.
import { tableFromIPC, type Table } from 'apache-arrow';

export interface Snap {
  windowEndNs: bigint;
  midPrice: number;
  spotRefPriceInt: bigint;
  bookValid: boolean;
}

export interface Velocity {
  relTicks: Int32Array;
  isBid: Uint8Array; // side "B" → 1, "A" → 0
  liquidityVelocity: Float64Array;
  pressureGrad: Float64Array;
  omega: Float64Array;
  rho: Float64Array;
  nu: Float64Array;
  length: number;
}

export interface Options {
  relTicks: Int32Array;
  liquidityVelocity: Float64Array;
  length: number;
}

export interface ForecastPoint {
  horizonS: number;
  predictedTickDelta: number;
  predictedSpotTick: number;
  confidence: number;
}

export interface Forecast {
  runScoreUp: number;
  runScoreDown: number;
  dUp: number | null; // null: no wall within the grid
  dDown: number | null;
  confidence: number; // the diagnostic row's
  path: ForecastPoint[]; // horizons 1..30, ascending
}

function column(table: Table, name: string) {
  const c = table.getChild(name);
  if (!c) throw new Error(`surface is missing column ${name}`);
  return c;
}

function f64(table: Table, name: string): Float64Array {
  return Float64Array.from(column(table, name).toArray() as ArrayLike<number>);
}

function i32(table: Table, name: string): Int32Array {
  return Int32Array.from(column(table, name).toArray() as ArrayLike<number>);
}

export function decodeSnap(bytes: Uint8Array): Snap | null {
  const t = tableFromIPC(bytes);
  if (t.numRows === 0) return null;
  return {
    windowEndNs: column(t, 'window_end_ts_ns').get(0) as bigint,
    midPrice: column(t, 'mid_price').get(0) as number,
    spotRefPriceInt: column(t, 'spot_ref_price_int').get(0) as bigint,
    bookValid: column(t, 'book_valid').get(0) as boolean,
  };
}

export function decodeVelocity(bytes: Uint8Array): Velocity {
  const t = tableFromIPC(bytes);
  const side = column(t, 'side');
  const isBid = new Uint8Array(t.numRows);
  for (let i = 0; i < t.numRows; i++) isBid[i] = side.get(i) === 'B' ? 1 : 0;
  return {
    relTicks: i32(t, 'rel_ticks'),
    isBid,
    liquidityVelocity: f64(t, 'liquidity_velocity'),
    pressureGrad: f64(t, 'pressure_grad'),
    omega: f64(t, 'Omega'),
    rho: f64(t, 'rho'),
    nu: f64(t, 'nu'),
    length: t.numRows,
  };
}

export function decodeOptions(bytes: Uint8Array): Options {
  const t = tableFromIPC(bytes);
  return { relTicks: i32(t, 'rel_ticks'), liquidityVelocity: f64(t, 'liquidity_velocity'), length: t.numRows };
}

export function decodeForecast(bytes: Uint8Array): Forecast | null {
  const t = tableFromIPC(bytes);
  if (t.numRows === 0) return null;
  const h = column(t, 'horizon_s');
  const delta = column(t, 'predicted_tick_delta');
  const spot = column(t, 'predicted_spot_tick');
  const conf = column(t, 'confidence');
  const out: Forecast = { runScoreUp: 0, runScoreDown: 0, dUp: null, dDown: null, confidence: 0, path: [] };
  for (let i = 0; i < t.numRows; i++) {
    const horizon = Number(h.get(i));
    if (horizon === 0) {
      out.runScoreUp = Number(column(t, 'RunScore_up').get(i) ?? 0);
      out.runScoreDown = Number(column(t, 'RunScore_down').get(i) ?? 0);
      const du = column(t, 'D_up').get(i);
      const dd = column(t, 'D_down').get(i);
      out.dUp = du === null ? null : Number(du);
      out.dDown = dd === null ? null : Number(dd);
      out.confidence = Number(conf.get(i) ?? 0);
    } else {
      out.path.push({
        horizonS: horizon,
        predictedTickDelta: Number(delta.get(i)),
        predictedSpotTick: Number(spot.get(i)),
        confidence: Number(conf.get(i) ?? 0),
      });
    }
  }
  out.path.sort((a, b) => a.horizonS - b.horizonS);
  return out;
}
