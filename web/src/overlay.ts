// 2D canvas over the WebGL canvas: price grid and labels, time labels, the spot line, the forecast path
// and its direction cone in the right margin, and the crosshair. Redrawn only when something changed.
import type { Forecast } from './decode';
import { type Product, type View, gridStep, nowX, xOfSecondsBack, yOfTick } from './grid';
import type { History } from './history';
import { nyTime } from './time';

export const SPOT_COLOR = '#44ddff';

// Forecast colour (frontend.md B.10): amber up, teal down, grey flat; dim when confidence ≤ 0.3.
export function forecastColor(finalDelta: number, conf: number): [number, number, number] {
  if (conf <= 0.3) return [0.45, 0.45, 0.38];
  if (finalDelta > 0) return [1.0, 0.65 + 0.25 * conf, 0.15];
  if (finalDelta < 0) return [0.15, 0.65 + 0.25 * conf, 0.9];
  return [0.6, 0.6, 0.55];
}

const css = (c: [number, number, number], a = 1) =>
  `rgba(${Math.round(c[0] * 255)},${Math.round(c[1] * 255)},${Math.round(c[2] * 255)},${a})`;

export function drawOverlay(ctx: CanvasRenderingContext2D, view: View, h: History, product: Product,
                            cross: { x: number; y: number } | null): void {
  const { widthPx: W, heightPx: H } = view;
  ctx.clearRect(0, 0, W, H);
  ctx.font = '11px "SF Mono", Monaco, Consolas, monospace';
  const nx = nowX(view);

  // Price grid and labels on the right edge.
  const step = gridStep(view.ticks, product);
  const top = view.centerTick + view.ticks / 2;
  const bottom = view.centerTick - view.ticks / 2;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (let t = Math.ceil(bottom / step) * step; t <= top; t += step) {
    const y = Math.round(yOfTick(view, t)) + 0.5;
    ctx.strokeStyle = 'rgba(80,80,90,0.35)';
    ctx.beginPath();
    ctx.moveTo(0, y);
    ctx.lineTo(W - 70, y);
    ctx.stroke();
    ctx.fillStyle = '#888';
    ctx.fillText(`$${(t * product.tickDollars).toFixed(2)}`, W - 8, y);
  }

  // Time labels (exchange time) along the bottom, every 10/30/60/300 s depending on zoom.
  const count = h.ring.count;
  if (count > 0) {
    const every = [10, 30, 60, 120, 300, 600].find((s) => (view.seconds / s) <= 8) ?? 900;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'bottom';
    for (let k = 0; k < Math.min(count, Math.ceil(view.seconds)); k++) {
      const col = h.ring.columnBack(k);
      const ns = h.timeNs[col];
      if (ns % BigInt(every * 1e9) !== 0n) continue;
      const x = xOfSecondsBack(view, k + 0.5);
      ctx.fillStyle = '#777';
      ctx.fillText(nyTime(ns), x, H - 4);
      ctx.strokeStyle = 'rgba(80,80,90,0.25)';
      ctx.beginPath();
      ctx.moveTo(x, 0);
      ctx.lineTo(x, H - 16);
      ctx.stroke();
    }
  }
  ctx.strokeStyle = 'rgba(120,120,140,0.5)';
  ctx.beginPath();
  ctx.moveTo(nx + 0.5, 0);
  ctx.lineTo(nx + 0.5, H);
  ctx.stroke();

  // Spot line through the history (breaks where the book was invalid).
  const drawSpot = () => {
    ctx.beginPath();
    let pen = false;
    for (let k = 0; k < Math.min(count, Math.ceil(view.seconds) + 1); k++) {
      const s = h.spot[h.ring.columnBack(k)];
      if (s === 0) { pen = false; continue; }
      const x = xOfSecondsBack(view, k + 0.5);
      const y = yOfTick(view, s);
      if (pen) ctx.lineTo(x, y); else ctx.moveTo(x, y);
      pen = true;
    }
    ctx.stroke();
  };
  ctx.lineJoin = 'round';
  ctx.lineCap = 'round';
  ctx.strokeStyle = 'rgba(0,140,220,0.25)';
  ctx.lineWidth = 6;
  drawSpot();
  ctx.strokeStyle = SPOT_COLOR;
  ctx.lineWidth = 1.6;
  drawSpot();
  ctx.lineWidth = 1;

  const spot = h.newestSpot();
  if (spot !== 0 && h.lastForecast) drawForecast(ctx, view, spot, h.lastForecast);

  if (cross) {
    ctx.strokeStyle = 'rgba(200,200,220,0.45)';
    ctx.setLineDash([4, 4]);
    ctx.beginPath();
    ctx.moveTo(cross.x + 0.5, 0);
    ctx.lineTo(cross.x + 0.5, H);
    ctx.moveTo(0, cross.y + 0.5);
    ctx.lineTo(W, cross.y + 0.5);
    ctx.stroke();
    ctx.setLineDash([]);
  }
}

// Path from the newest spot over horizons 1..30 across 80 % of the margin, the cone at its end.
function drawForecast(ctx: CanvasRenderingContext2D, view: View, spot: number, f: Forecast): void {
  if (f.path.length === 0) return;
  const nx = nowX(view);
  const span = (view.widthPx - nx - 80) / 30;
  const last = f.path[f.path.length - 1];
  const conf = Math.max(...f.path.map((p) => p.confidence));
  const color = forecastColor(last.predictedTickDelta, conf);
  ctx.strokeStyle = css(color);
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.moveTo(nx, yOfTick(view, spot));
  for (const p of f.path) ctx.lineTo(nx + p.horizonS * span, yOfTick(view, spot + p.predictedTickDelta));
  ctx.stroke();
  ctx.lineWidth = 1;
  const x = nx + last.horizonS * span + 4;
  const y = yOfTick(view, spot + last.predictedTickDelta);
  const dir = Math.sign(last.predictedTickDelta);
  ctx.fillStyle = css(color, 0.4 + 0.5 * conf);
  ctx.beginPath();
  if (dir === 0) {
    ctx.moveTo(x + 12, y); ctx.lineTo(x, y - 6); ctx.lineTo(x, y + 6);
  } else {
    ctx.moveTo(x + 6, y - dir * 14); ctx.lineTo(x, y); ctx.lineTo(x + 12, y);
  }
  ctx.closePath();
  ctx.fill();
}
