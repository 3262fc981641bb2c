// Wiring: URL and catalog → stream → history/textures → render on demand; HUD, controls, tooltip.
import { compositeColor, over } from './colormap';
import { HISTORY, type Product, type View, nowX, productOf, recenter, secondsBackAt, tickAt } from './grid';
import { HeatmapGL } from './heatmap-gl';
import { History } from './history';
import { SPOT_COLOR, drawOverlay } from './overlay';
import { CACHE_TEXELS, rasterColumn } from './raster';
import { StreamClient, type Window } from './stream-client';
import { nyTime } from './time';

interface CatalogStream { product_type: string; symbol: string; dt: string }

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);
const origin = params.get('server') ?? location.origin;

const glCanvas = $<HTMLCanvasElement>('gl');
const ovCanvas = $<HTMLCanvasElement>('overlay');
const ctx = ovCanvas.getContext('2d')!;
const heatmap = new HeatmapGL(glCanvas);

const state = {
  symbol: params.get('symbol') ?? '',
  dt: params.get('dt') ?? '',
  speed: params.get('speed') ?? '1',
  paused: false,
  follow: true,
  contrast: 1,
  cutoff: 0.03,
  showOptions: true,
  frames: 0,
  ended: false,
};
let product: Product = productOf(state.symbol || 'ES');
let history = new History(product);
const view: View = { widthPx: 0, heightPx: 0, seconds: 300, centerTick: 0, ticks: 100 };
let cross: { x: number; y: number } | null = null;
// What the next animation frame has to redraw: the WebGL heatmap, the 2D overlay, the whole column cache
// (after a contrast/cutoff/options change), the HUD (from the newest window). Nothing: the frame is idle.
const dirty = { gl: true, overlay: true, cache: false };
let hudWindow: Window | null = null;
const timings = {
  ingestMs: [] as number[], arrivalMs: [] as number[], renderMs: [] as number[], glMs: [] as number[],
  overlayMs: [] as number[], cacheMs: [] as number[],
};
const keep = (a: number[], v: number) => {
  a.push(v);
  if (a.length > 600) a.shift();
};
// One cache column, reused for every window and every column of a rebuild.
const column = new Uint32Array(CACHE_TEXELS);

// ---- stream ----
const notice = $('notice');
function showNotice(kind: 'end' | 'error' | 'warn' | '', text: string) {
  notice.className = kind;
  notice.textContent = text;
}

const client = new StreamClient(origin, {
  onWindow: ingest,
  onEnd: (n) => { state.ended = true; flushHud(); showNotice('end', `End of stream: ${n} windows replayed.`); },
  onError: (msg) => { flushHud(); showNotice('error', msg); },
  onDropped: (n) => { $('status').textContent = `dropped ${n} windows (client behind)`; },
  // A lost connection is a banner until the stream is back, not just the status line's text.
  onStatus: (s) => {
    $('status').textContent = s;
    if (/^(disconnected|reconnecting)/.test(s)) showNotice('warn', `Connection lost: ${s}`);
    else if (s === 'connected' && notice.className === 'warn') showNotice('', '');
  },
}, nyTime);

// A window: one ring column on the CPU, its cache column rasterised and uploaded (one texSubImage2D column).
// The HUD and the picture follow at the next animation frame, once however many windows came in between.
function ingest(w: Window) {
  const t0 = performance.now();
  const c = history.push(w);
  rasterColumn(history.rasterInput(c.col, state.showOptions), column);
  heatmap.writeColumn(c.col, column);
  state.frames++;
  if (c.spot !== 0) {
    if (view.centerTick === 0) view.centerTick = c.spot;
    else if (state.follow) view.centerTick = recenter(view.centerTick, view.ticks, c.spot);
  }
  hudWindow = w;
  dirty.gl = dirty.overlay = true;
  keep(timings.arrivalMs, t0);
  keep(timings.ingestMs, performance.now() - t0);
}

// Every stored column again (contrast, cutoff or options changed).
function rebuildCache() {
  for (let col = 0; col < history.ring.count; col++) { // the ring fills columns 0..count-1 before it wraps
    rasterColumn(history.rasterInput(col, state.showOptions), column);
    heatmap.writeColumn(col, column);
  }
}

function flushHud() {
  if (hudWindow) updateHud(hudWindow);
  hudWindow = null;
}

const hudEl = {
  hud: $('hud'), spot: $('spot-label'), ts: $('ts-label'), frame: $('frame-label'), runUp: $('run-up'),
  runDown: $('run-down'), walls: $('walls'), conf: $('conf'), zoom: $('zoom'),
};

function updateHud(w: Window) {
  const hud = hudEl.hud;
  hud.dataset.windowEndNs = w.windowEndNs.toString();
  hud.dataset.spotTick = String(history.newestSpot());
  if (w.snap) {
    const spot = Number(w.snap.spotRefPriceInt) / 1e9;
    hudEl.spot.textContent = `Spot: $${spot.toFixed(2)}  mid ${w.snap.midPrice.toFixed(3)}${w.snap.bookValid ? '' : ' (book invalid)'}`;
  }
  hudEl.ts.textContent = `Time: ${nyTime(w.windowEndNs)} ET`;
  hudEl.frame.textContent = `Frame: ${state.frames}`;
  const f = w.forecast;
  if (!f) return;
  const runColor = (x: number, up: boolean) => (x > 0.1 ? (up ? '#ffaa00' : '#00aaff') : x < -0.1 ? (up ? '#00aaff' : '#ffaa00') : '#666');
  const ru = hudEl.runUp, rd = hudEl.runDown, conf = hudEl.conf;
  ru.textContent = `↑ Run: ${f.runScoreUp.toFixed(2)}`;
  ru.style.color = runColor(f.runScoreUp, true);
  rd.textContent = `↓ Run: ${f.runScoreDown.toFixed(2)}`;
  rd.style.color = runColor(f.runScoreDown, false);
  hudEl.walls.textContent = `Walls: ↑${f.dUp ?? '–'} ↓${f.dDown ?? '–'} ticks`;
  conf.textContent = `Conf: ${Math.round(f.confidence * 100)}%`;
  conf.style.color = f.confidence > 0.5 ? '#00ff88' : f.confidence > 0.2 ? '#ffaa00' : '#666';
}

// ---- rendering ----
// The WebGL canvas covers the history only (the forecast margin is the overlay's); its resolution is
// capped at 2 device px per CSS px: the cells are blocks, more pixels only cost fill rate.
function resize() {
  const dpr = window.devicePixelRatio || 1;
  const r = ovCanvas.getBoundingClientRect();
  view.widthPx = r.width;
  view.heightPx = r.height;
  ovCanvas.width = Math.round(r.width * dpr);
  ovCanvas.height = Math.round(r.height * dpr);
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  const glDpr = Math.min(dpr, 2);
  const nx = nowX(view);
  glCanvas.style.width = `${nx}px`;
  glCanvas.width = Math.max(1, Math.round(nx * glDpr));
  glCanvas.height = Math.max(1, Math.round(r.height * glDpr));
  dirty.gl = dirty.overlay = true;
}

// Draws what is dirty; `sync` waits for the GPU (timing only). Returns the ms spent.
function render(sync = false): number {
  const t0 = performance.now();
  if (dirty.cache) {
    // A dragged slider fires many input events: the cells are recoloured once per frame, not per event.
    if (history.contrast !== state.contrast || history.cutoff !== state.cutoff) history.restyle(state.contrast, state.cutoff);
    rebuildCache();
    dirty.cache = false;
    dirty.gl = true;
    keep(timings.cacheMs, performance.now() - t0);
  }
  const t1 = performance.now();
  if (dirty.gl) {
    heatmap.render({
      seconds: view.seconds, centerTick: view.centerTick, ticks: view.ticks,
      head: history.ring.head, count: history.ring.count,
    });
    if (sync) heatmap.finish();
    dirty.gl = false;
  }
  const t2 = performance.now();
  if (dirty.overlay) {
    drawOverlay(ctx, view, history, product, cross);
    dirty.overlay = false;
  }
  flushHud();
  const zoom = `x ${Math.round(view.seconds)} s · y ${Math.round(view.ticks)} ticks`;
  if (hudEl.zoom.textContent !== zoom) hudEl.zoom.textContent = zoom;
  const t3 = performance.now();
  keep(timings.renderMs, t3 - t0);
  keep(timings.glMs, t2 - t1);
  keep(timings.overlayMs, t3 - t2);
  return t3 - t0;
}

// Idle frames cost one flag check: nothing is drawn unless a window, a control or the pointer changed something.
function loop() {
  if (dirty.gl || dirty.overlay || dirty.cache || hudWindow) render();
  requestAnimationFrame(loop);
}

// ---- controls ----
function buildLegend() {
  const legend = $('legend');
  // Swatches are the shader's own colours (colormap.ts) over the background, weak → strong.
  const swatch = (a: number[] | null, b: number[] | null) => {
    const c = (x: number[] | null) => `rgb(${over(x as never).map((v) => Math.round(v * 255)).join(',')})`;
    return `linear-gradient(90deg, ${c(a)}, ${c(b)})`;
  };
  const rows: [string, string][] = [
    ['Upward pressure / bid support building', swatch(compositeColor(0.1, 1, 0), compositeColor(1, 1, 0))],
    ['Downward pressure / ask resistance building', swatch(compositeColor(0.1, -1, 0), compositeColor(1, -1, 0))],
    ['Eroding liquidity / vacuum', swatch(compositeColor(-0.1, 0, 0), compositeColor(-1, 0, 0))],
    ['Strong wall (high Ω, building)', swatch(compositeColor(1, 1, 3.5), compositeColor(1, 1, 5))],
    ['Options: net building / eroding', 'linear-gradient(90deg, #00ffff 50%, #ff00ff 50%)'],
    ['Spot', SPOT_COLOR],
    ['Forecast up / down', 'linear-gradient(90deg, rgb(255,198,38) 50%, rgb(38,198,230) 50%)'],
  ];
  for (const [label, bg] of rows) {
    const d = document.createElement('div');
    d.innerHTML = `<i style="background:${bg}"></i>`;
    d.append(label);
    legend.append(d);
  }
}

function startStream(start?: string) {
  history.clear();
  hudWindow = null;
  state.frames = 0;
  state.ended = false;
  view.centerTick = 0;
  showNotice('', '');
  if (!state.symbol) return;
  product = productOf(state.symbol);
  if (product.tickInt !== history.product.tickInt) {
    history = new History(product);
    history.restyle(state.contrast, state.cutoff);
  }
  const url = new URL(location.href);
  url.searchParams.set('symbol', state.symbol);
  url.searchParams.set('dt', state.dt);
  url.searchParams.set('speed', state.speed);
  window.history.replaceState(null, '', url);
  client.open({ symbol: state.symbol, dt: state.dt, speed: state.speed, start });
  state.paused = false;
  $('play').textContent = 'pause';
  dirty.gl = dirty.overlay = true;
}

let catalog: CatalogStream[] = [];
const PRODUCTS: { label: string; match: (s: CatalogStream) => boolean }[] = [
  { label: 'ES', match: (s) => s.product_type === 'future_mbo' && /^ES/.test(s.symbol) },
  { label: 'SPY', match: (s) => s.product_type === 'equity_mbo' && s.symbol === 'SPY' },
  { label: 'QQQ', match: (s) => s.product_type === 'equity_mbo' && s.symbol === 'QQQ' },
];
function fillPickers() {
  const sym = $<HTMLSelectElement>('symbol');
  const dt = $<HTMLSelectElement>('dt');
  const symbols = [...new Set(catalog.map((s) => s.symbol))];
  if (state.symbol && !symbols.includes(state.symbol)) symbols.unshift(state.symbol);
  sym.innerHTML = symbols.map((s) => `<option>${s}</option>`).join('');
  sym.value = state.symbol;
  const dates = catalog.filter((s) => s.symbol === state.symbol).map((s) => s.dt);
  if (state.dt && !dates.includes(state.dt)) dates.unshift(state.dt);
  dt.innerHTML = dates.map((d) => `<option>${d}</option>`).join('');
  dt.value = state.dt;
  // The product switch offers what the catalog lists: a product it does not list is disabled and says so.
  const products = $('products');
  products.innerHTML = '';
  const listed = [...new Set(catalog.map((c) => c.symbol))].join(', ') || 'nothing';
  for (const p of PRODUCTS) {
    const offered = catalog.filter(p.match);
    const b = document.createElement('button');
    b.textContent = p.label;
    b.disabled = offered.length === 0;
    b.title = offered.length ? `${offered[0].symbol} (${offered.map((c) => c.dt).join(', ')})` : `not in the catalog (it lists ${listed})`;
    b.className = productOf(state.symbol || 'ES').label === p.label ? 'on' : '';
    b.onclick = () => {
      const s = offered.find((c) => c.dt === state.dt) ?? offered[0];
      state.symbol = s.symbol;
      state.dt = s.dt;
      fillPickers();
      startStream();
    };
    products.append(b);
  }
}

function wireControls() {
  const speed = $<HTMLSelectElement>('speed');
  if (![...speed.options].some((o) => o.value === state.speed)) speed.add(new Option(state.speed));
  speed.value = state.speed;
  speed.onchange = () => {
    state.speed = speed.value;
    client.send({ action: 'speed', value: state.speed === 'max' ? 'max' : Number(state.speed) });
  };
  const play = $('play');
  const toggle = () => {
    state.paused = !state.paused;
    client.send({ action: state.paused ? 'pause' : 'resume' });
    play.textContent = state.paused ? 'play' : 'pause';
  };
  play.onclick = toggle;
  window.addEventListener('keydown', (e) => { if (e.code === 'Space' && e.target === document.body) { e.preventDefault(); toggle(); } });
  $('go').onclick = () => {
    const v = $<HTMLInputElement>('seek').value;
    if (v) startStream(v.length === 5 ? `${v}:00` : v);
  };
  $<HTMLSelectElement>('symbol').onchange = (e) => {
    state.symbol = (e.target as HTMLSelectElement).value;
    state.dt = catalog.find((c) => c.symbol === state.symbol)?.dt ?? state.dt;
    fillPickers();
    startStream();
  };
  $<HTMLSelectElement>('dt').onchange = (e) => { state.dt = (e.target as HTMLSelectElement).value; startStream(); };
  const restyle = () => { dirty.cache = true; };
  $<HTMLInputElement>('contrast').oninput = (e) => { state.contrast = Number((e.target as HTMLInputElement).value); restyle(); };
  $<HTMLInputElement>('cutoff').oninput = (e) => { state.cutoff = Number((e.target as HTMLInputElement).value); restyle(); };
  $<HTMLInputElement>('options').onchange = (e) => { state.showOptions = (e.target as HTMLInputElement).checked; dirty.cache = true; };
  const follow = $('follow');
  const setFollow = (on: boolean) => {
    state.follow = on;
    follow.className = on ? 'on' : '';
    if (on && history.newestSpot()) view.centerTick = history.newestSpot();
    dirty.gl = dirty.overlay = true;
  };
  follow.onclick = () => setFollow(!state.follow);
  ovCanvas.addEventListener('dblclick', () => setFollow(true));

  // Wheel zooms time; shift+wheel (or a horizontal wheel) zooms price. Drag pans price.
  ovCanvas.addEventListener('wheel', (e) => {
    e.preventDefault();
    const f = (e.deltaY || e.deltaX) > 0 ? 1.1 : 1 / 1.1;
    if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) view.ticks = Math.min(400, Math.max(10, view.ticks * f));
    else view.seconds = Math.min(HISTORY, Math.max(20, view.seconds * f));
    dirty.gl = dirty.overlay = true;
  }, { passive: false });
  let drag: { y: number; center: number } | null = null;
  ovCanvas.addEventListener('mousedown', (e) => { drag = { y: e.offsetY, center: view.centerTick }; });
  window.addEventListener('mouseup', () => { drag = null; });
  ovCanvas.addEventListener('mousemove', (e) => {
    if (drag && Math.abs(e.offsetY - drag.y) > 2) {
      if (state.follow) setFollow(false);
      view.centerTick = drag.center + ((e.offsetY - drag.y) / view.heightPx) * view.ticks;
      dirty.gl = true;
    }
    cross = { x: e.offsetX, y: e.offsetY };
    showTooltip(e.offsetX, e.offsetY);
    dirty.overlay = true; // the crosshair alone leaves the heatmap as it is
  });
  ovCanvas.addEventListener('mouseleave', () => { cross = null; $('tooltip').style.display = 'none'; dirty.overlay = true; });
}

function showTooltip(x: number, y: number) {
  const tip = $('tooltip');
  const tick = tickAt(view, y);
  const lines = [`price $${(tick * product.tickDollars).toFixed(2)}`];
  if (x <= nowX(view)) {
    const back = secondsBackAt(view, x);
    const cell = history.cell(back, tick);
    const col = history.ring.columnBack(Math.floor(back));
    if (col >= 0) lines.push(`time ${nyTime(history.timeNs[col])} ET`);
    if (cell) {
      lines.push(`rel ${cell.rel} ticks, side ${cell.side === 'B' ? 'bid' : 'ask'}`,
        `velocity ${cell.v.toFixed(4)}`, `pressure ${cell.p.toFixed(4)}`, `Ω ${cell.omega.toFixed(3)}`);
    }
  } else {
    lines.push('forecast margin');
  }
  tip.textContent = lines.join('\n');
  tip.style.display = 'block';
  tip.style.left = `${Math.min(x + 14, view.widthPx - 200)}px`;
  tip.style.top = `${Math.min(y + 14, view.heightPx - 120)}px`;
}

// Measurement hooks for the browser test (and a console user). benchFrames: n animation frames with
// everything redrawn in each (the frame rate the browser sustains), then n redraws waited for one by
// one (what a redraw costs, split into WebGL and 2D overlay). redraw: one full redraw, waited for.
interface Bench { meanFrameMs: number; meanRenderMs: number; meanGlMs: number; meanOverlayMs: number }
function forcedRender(sync: boolean): number {
  dirty.gl = dirty.overlay = true;
  return render(sync);
}
function benchFrames(n: number): Promise<Bench> {
  const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
  return new Promise((resolve) => {
    const stamps: number[] = [];
    const step = (t: number) => {
      stamps.push(t);
      forcedRender(false);
      if (stamps.length <= n) {
        requestAnimationFrame(step);
        return;
      }
      const renders = [], gl = [], ov = [];
      for (let i = 0; i < n; i++) {
        renders.push(forcedRender(true));
        gl.push(timings.glMs[timings.glMs.length - 1]);
        ov.push(timings.overlayMs[timings.overlayMs.length - 1]);
      }
      resolve({ meanFrameMs: (stamps[n] - stamps[0]) / n, meanRenderMs: mean(renders), meanGlMs: mean(gl), meanOverlayMs: mean(ov) });
    };
    requestAnimationFrame(step);
  });
}

(window as unknown as Record<string, unknown>).__spymaster = {
  state, view, timings, get windows() { return history.ring.count; }, get product() { return product; },
  // window_end_ts_ns of every held window, oldest first (the test checks none is missing or doubled).
  windowTimes: () => Array.from({ length: history.ring.count }, (_, i) =>
    history.timeNs[history.ring.columnBack(history.ring.count - 1 - i)].toString()),
  redraw: () => forcedRender(true), benchFrames,
  // A contrast/cutoff change's cost: recolour every stored cell, rasterise and upload every column, draw.
  restyleMs: () => {
    const t0 = performance.now();
    history.restyle(state.contrast, state.cutoff);
    dirty.cache = true;
    forcedRender(true);
    return performance.now() - t0;
  },
  setView: (v: Partial<View>) => { Object.assign(view, v); dirty.gl = dirty.overlay = true; },
};

async function main() {
  buildLegend();
  resize();
  window.addEventListener('resize', resize);
  wireControls();
  requestAnimationFrame(loop);
  try {
    const res = await fetch(`${origin}/v1/catalog`);
    catalog = ((await res.json()) as { streams: CatalogStream[] }).streams ?? [];
  } catch (e) {
    showNotice('error', `catalog: ${(e as Error).message}`);
  }
  if (!state.symbol || !state.dt) {
    const first = catalog[0];
    if (!first) {
      showNotice('error', 'The lake has no streamable (symbol, dt): run `spymaster demo` or `spymaster run` first.');
      fillPickers();
      return;
    }
    state.symbol ||= first.symbol;
    state.dt ||= first.dt;
  }
  fillPickers();
  startStream();
}

void main();
