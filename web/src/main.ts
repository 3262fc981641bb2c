// Wiring: URL and catalog → stream → history/textures → render on demand; HUD, controls, tooltip.
import { compositeColor, over } from './colormap';
import { type Product, type View, nowX, productOf, recenter, secondsBackAt, tickAt } from './grid';
import { HeatmapGL } from './heatmap-gl';
import { History } from './history';
import { SPOT_COLOR, drawOverlay } from './overlay';
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
let dirty = true;
const timings = { ingestMs: [] as number[], renderMs: [] as number[], glMs: [] as number[], overlayMs: [] as number[] };

// ---- stream ----
const notice = $('notice');
function showNotice(kind: 'end' | 'error' | '', text: string) {
  notice.className = kind;
  notice.textContent = text;
}

const client = new StreamClient(origin, {
  onWindow: ingest,
  onEnd: (n) => { state.ended = true; showNotice('end', `End of stream: ${n} windows replayed.`); },
  onError: (msg) => showNotice('error', msg),
  onDropped: (n) => { $('status').textContent = `dropped ${n} windows (client behind)`; },
  onStatus: (s) => { $('status').textContent = s; },
}, nyTime);

function ingest(w: Window) {
  const t0 = performance.now();
  const c = history.push(w);
  heatmap.writeColumn(c.col, c.bidRgba, c.askRgba, c.opt, c.spot);
  state.frames++;
  if (c.spot !== 0) {
    if (view.centerTick === 0) view.centerTick = c.spot;
    else if (state.follow) view.centerTick = recenter(view.centerTick, view.ticks, c.spot);
  }
  updateHud(w);
  $('hud').dataset.spotTick = String(c.spot);
  timings.ingestMs.push(performance.now() - t0);
  if (timings.ingestMs.length > 600) timings.ingestMs.shift();
  dirty = true;
}

function updateHud(w: Window) {
  const hud = $('hud');
  hud.dataset.windowEndNs = w.windowEndNs.toString();
  if (w.snap) {
    const spot = Number(w.snap.spotRefPriceInt) / 1e9;
    $('spot-label').textContent = `Spot: $${spot.toFixed(2)}  mid ${w.snap.midPrice.toFixed(3)}${w.snap.bookValid ? '' : ' (book invalid)'}`;
  }
  $('ts-label').textContent = `Time: ${nyTime(w.windowEndNs)} ET`;
  $('frame-label').textContent = `Frame: ${state.frames}`;
  const f = w.forecast;
  if (!f) return;
  const runColor = (x: number, up: boolean) => (x > 0.1 ? (up ? '#ffaa00' : '#00aaff') : x < -0.1 ? (up ? '#00aaff' : '#ffaa00') : '#666');
  const ru = $('run-up'), rd = $('run-down'), conf = $('conf');
  ru.textContent = `↑ Run: ${f.runScoreUp.toFixed(2)}`;
  ru.style.color = runColor(f.runScoreUp, true);
  rd.textContent = `↓ Run: ${f.runScoreDown.toFixed(2)}`;
  rd.style.color = runColor(f.runScoreDown, false);
  $('walls').textContent = `Walls: ↑${f.dUp ?? '–'} ↓${f.dDown ?? '–'} ticks`;
  conf.textContent = `Conf: ${Math.round(f.confidence * 100)}%`;
  conf.style.color = f.confidence > 0.5 ? '#00ff88' : f.confidence > 0.2 ? '#ffaa00' : '#666';
}

// ---- rendering ----
function resize() {
  const dpr = window.devicePixelRatio || 1;
  const r = glCanvas.getBoundingClientRect();
  view.widthPx = r.width;
  view.heightPx = r.height;
  for (const c of [glCanvas, ovCanvas]) {
    c.width = Math.round(r.width * dpr);
    c.height = Math.round(r.height * dpr);
  }
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  dirty = true;
}

function render(): number {
  const t0 = performance.now();
  const dpr = glCanvas.width / Math.max(view.widthPx, 1);
  heatmap.render({
    nowX: nowX(view) * dpr, seconds: view.seconds, centerTick: view.centerTick, ticks: view.ticks,
    head: history.ring.head, count: history.ring.count,
    strikeStep: product.strikeStepRows, showOptions: state.showOptions,
  });
  heatmap.finish();
  const t1 = performance.now();
  drawOverlay(ctx, view, history, product, cross);
  const ms = performance.now() - t0;
  for (const [a, v] of [[timings.renderMs, ms], [timings.glMs, t1 - t0], [timings.overlayMs, ms - (t1 - t0)]] as const) {
    a.push(v);
    if (a.length > 600) a.shift();
  }
  $('zoom').textContent = `x ${Math.round(view.seconds)} s · y ${Math.round(view.ticks)} ticks`;
  return ms;
}

function loop() {
  if (dirty) {
    dirty = false;
    render();
  }
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
  heatmap.clear();
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
  dirty = true;
}

let catalog: CatalogStream[] = [];
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
  const products = $('products');
  products.innerHTML = '';
  for (const p of ['ES', 'SPY', 'QQQ']) {
    const b = document.createElement('button');
    b.textContent = p;
    b.className = productOf(state.symbol || 'ES').label === p || state.symbol === p ? 'on' : '';
    b.onclick = () => {
      const s = catalog.find((c) => (p === 'ES' ? /^ES/.test(c.symbol) : c.symbol === p));
      if (!s) {
        showNotice('error', `The catalog has no ${p} stream (it lists: ${[...new Set(catalog.map((c) => c.symbol))].join(', ') || 'none'}).`);
        return;
      }
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
    client.send({ action: 'speed', value: Number(state.speed) });
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
  const restyle = () => {
    history.restyle(state.contrast, state.cutoff);
    heatmap.writeAllColours(history.bidRgba, history.askRgba);
    dirty = true;
  };
  $<HTMLInputElement>('contrast').oninput = (e) => { state.contrast = Number((e.target as HTMLInputElement).value); restyle(); };
  $<HTMLInputElement>('cutoff').oninput = (e) => { state.cutoff = Number((e.target as HTMLInputElement).value); restyle(); };
  $<HTMLInputElement>('options').onchange = (e) => { state.showOptions = (e.target as HTMLInputElement).checked; dirty = true; };
  const follow = $('follow');
  const setFollow = (on: boolean) => {
    state.follow = on;
    follow.className = on ? 'on' : '';
    if (on && history.newestSpot()) view.centerTick = history.newestSpot();
    dirty = true;
  };
  follow.onclick = () => setFollow(!state.follow);
  ovCanvas.addEventListener('dblclick', () => setFollow(true));

  // Wheel zooms time; shift+wheel (or a horizontal wheel) zooms price. Drag pans price.
  ovCanvas.addEventListener('wheel', (e) => {
    e.preventDefault();
    const f = (e.deltaY || e.deltaX) > 0 ? 1.1 : 1 / 1.1;
    if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) view.ticks = Math.min(400, Math.max(10, view.ticks * f));
    else view.seconds = Math.min(1800, Math.max(20, view.seconds * f));
    dirty = true;
  }, { passive: false });
  let drag: { y: number; center: number } | null = null;
  ovCanvas.addEventListener('mousedown', (e) => { drag = { y: e.offsetY, center: view.centerTick }; });
  window.addEventListener('mouseup', () => { drag = null; });
  ovCanvas.addEventListener('mousemove', (e) => {
    if (drag && Math.abs(e.offsetY - drag.y) > 2) {
      if (state.follow) setFollow(false);
      view.centerTick = drag.center + ((e.offsetY - drag.y) / view.heightPx) * view.ticks;
    }
    cross = { x: e.offsetX, y: e.offsetY };
    showTooltip(e.offsetX, e.offsetY);
    dirty = true;
  });
  ovCanvas.addEventListener('mouseleave', () => { cross = null; $('tooltip').style.display = 'none'; dirty = true; });
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

// Measurement hooks for the browser test (and a console user): frame time with every frame redrawn,
// and the time of one full redraw.
function benchFrames(n: number): Promise<{ meanFrameMs: number; meanRenderMs: number; meanGlMs: number; meanOverlayMs: number }> {
  return new Promise((resolve) => {
    const stamps: number[] = [];
    const renders: number[] = [];
    const step = (t: number) => {
      stamps.push(t);
      renders.push(render());
      if (stamps.length > n) {
        const span = stamps[stamps.length - 1] - stamps[0];
        const mean = (a: number[]) => a.slice(-renders.length).reduce((x, y) => x + y, 0) / renders.length;
        resolve({ meanFrameMs: span / n, meanRenderMs: mean(renders), meanGlMs: mean(timings.glMs), meanOverlayMs: mean(timings.overlayMs) });
      } else requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  });
}

(window as unknown as Record<string, unknown>).__spymaster = {
  state, view, timings, get windows() { return history.ring.count; },
  redraw: () => render(), benchFrames,
  setView: (v: Partial<View>) => { Object.assign(view, v); dirty = true; },
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
