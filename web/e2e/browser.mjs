// Drives the built page in Debian's chromium (playwright-core) against the real server.
// Usage: node web/e2e/browser.mjs BASE_URL SYMBOL DT OUT_DIR SPYMASTER_BIN LAKE WEB_DIST
// BASE_URL is a running server (the test's `spymaster demo`); for the reconnect scenario this script
// starts its own `spymaster serve` on LAKE, kills it (SIGKILL, a dropped connection) and starts it again
// on the same port. Prints one JSON object with what the page showed and the measured figures;
// python/tests/test_web_e2e.py compares it with the lake and the stream. Screenshots go to OUT_DIR.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { chromium } from 'playwright-core';

const [base, symbol, dt, outDir, spymasterBin, lake, webDist] = process.argv.slice(2);
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const browser = await chromium.launch({
  executablePath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run',
    '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
});
const out = { pageErrors: [], console: [] };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function newPage() {
  const page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
  page.on('pageerror', (e) => out.pageErrors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error' && !/WebSocket connection|ERR_CONNECTION_REFUSED/.test(m.text())) out.console.push(m.text()); });
  // Every control message the page sends, and every status it shows.
  page.sent = [];
  page.on('websocket', (ws) => ws.on('framesent', (f) => page.sent.push(String(f.payload))));
  return page;
}
const windows = (page) => page.evaluate(() => window.__spymaster.windows);
const waitWindows = (page, n, timeout = 120_000) =>
  page.waitForFunction((k) => window.__spymaster.windows >= k, n, { timeout });
const hud = async (page) => ({
  spot: await page.textContent('#spot-label'), time: await page.textContent('#ts-label'),
  frame: await page.textContent('#frame-label'), windowEndNs: await page.getAttribute('#hud', 'data-window-end-ns'),
  runUp: await page.textContent('#run-up'), runDown: await page.textContent('#run-down'),
  walls: await page.textContent('#walls'), conf: await page.textContent('#conf'),
});
const watchStatus = (page) => page.evaluate(() => {
  window.__statusLog = [document.getElementById('status').textContent];
  new MutationObserver(() => window.__statusLog.push(document.getElementById('status').textContent))
    .observe(document.getElementById('status'), { childList: true, characterData: true, subtree: true });
});

try {
  const page = await newPage();

  // 1. Whole stream at max speed: every window arrives, then the end notice.
  await page.goto(`${base}/?symbol=${symbol}&dt=${dt}&speed=max`);
  await page.waitForSelector('#notice.end, #notice.error', { timeout: 120_000 });
  out.notice = { cls: await page.getAttribute('#notice', 'class'), text: await page.textContent('#notice') };
  await page.screenshot({ path: `${outDir}/end-of-stream.png` });
  out.hud = await hud(page);
  out.status = await page.textContent('#status');
  out.symbols = await page.$$eval('#symbol option', (os) => os.map((o) => o.value));
  out.dates = await page.$$eval('#dt option', (os) => os.map((o) => o.value));
  out.url = page.url();

  // 2. Fit the whole history, redraw, read back pixels: the canvas is not blank, and the spot line
  //    passes through the newest spot at the newest column.
  out.windows = await windows(page);
  await page.evaluate((n) => window.__spymaster.setView({ seconds: n + 10 }), out.windows);
  out.pixels = await page.evaluate(() => {
    const s = window.__spymaster;
    s.redraw();
    const gl = document.getElementById('gl');
    const c = document.createElement('canvas');
    c.width = gl.width; c.height = gl.height;
    const g = c.getContext('2d');
    g.drawImage(gl, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    let painted = 0, amber = 0, teal = 0, maroon = 0, total = 0;
    for (let y = 0; y < c.height; y += 2) for (let x = 0; x < c.width; x += 2) {
      const i = (y * c.width + x) * 4;
      const [r, gg, b] = [d[i], d[i + 1], d[i + 2]];
      total++;
      if (Math.abs(r - 10) + Math.abs(gg - 10) + Math.abs(b - 15) > 12) painted++;
      if (r > gg && gg > b && r > 60) amber++;
      if (b > r && gg > r && b > 60) teal++;
      if (r > gg && r > b && r > 30 && gg < 0.5 * r) maroon++;
    }
    // Spot line: overlay pixel at the middle of the newest column, at the newest spot's y.
    const ov = document.getElementById('overlay');
    const dpr = ov.width / s.view.widthPx;
    const spotTick = Number(document.getElementById('hud').dataset.spotTick ?? 'NaN');
    const xCss = s.view.widthPx * 0.7 - 0.5 * (s.view.widthPx * 0.7) / s.view.seconds;
    const yCss = (0.5 - (spotTick - s.view.centerTick) / s.view.ticks) * s.view.heightPx;
    const px = ov.getContext('2d').getImageData(Math.round(xCss * dpr), Math.round(yCss * dpr), 1, 1).data;
    return { total, painted, amber, teal, maroon, spotPixel: [...px], spotTick, glWidth: gl.width, glHeight: gl.height };
  });

  // 3. Measurements (software WebGL here; reported, not gated): frame time with 30 minutes of history
  //    across the view and every frame redrawn, one full redraw after a zoom, a restyle, idle frames.
  await page.evaluate(() => window.__spymaster.setView({ seconds: 1800 }));
  out.bench = await page.evaluate(() => window.__spymaster.benchFrames(30));
  out.redrawMs = await page.evaluate(() => {
    const s = window.__spymaster;
    const ms = [];
    const center = s.view.centerTick;
    for (let i = 0; i < 7; i++) { s.setView({ ticks: 60 + 20 * i, seconds: 200 + 250 * i, centerTick: center + 3 * i }); ms.push(s.redraw()); }
    s.setView({ centerTick: center });
    ms.sort((a, b) => a - b);
    return { median: ms[3], max: ms[6] };
  });
  out.restyleMs = await page.evaluate(() => window.__spymaster.restyleMs());
  out.ingestMs = await page.evaluate(() => {
    const a = [...window.__spymaster.timings.ingestMs].sort((x, y) => x - y);
    return { median: a[Math.floor(a.length / 2)], max: a[a.length - 1], n: a.length };
  });
  // Idle: nothing changes for 1 s, so nothing is drawn (render count unchanged).
  out.idleRenders = await page.evaluate(async () => {
    const t = window.__spymaster.timings.renderMs;
    await new Promise((r) => setTimeout(r, 100));
    const before = t.length;
    await new Promise((r) => setTimeout(r, 1000));
    return t.length - before;
  });

  // 4. Controls: wheel zoom (time; shift: price), contrast changes the picture, crosshair tooltip.
  await page.evaluate(() => window.__spymaster.setView({ seconds: 300, ticks: 100 }));
  const box = await page.locator('#overlay').boundingBox();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
  await page.mouse.wheel(0, 100);
  await page.keyboard.down('Shift');
  await page.mouse.wheel(0, -100);
  await page.keyboard.up('Shift');
  out.zoom = await page.evaluate(() => ({ seconds: window.__spymaster.view.seconds, ticks: window.__spymaster.view.ticks }));
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.5);
  out.tooltip = await page.textContent('#tooltip');
  const painted = () => page.evaluate(() => {
    window.__spymaster.redraw();
    const gl = document.getElementById('gl');
    const c = document.createElement('canvas');
    c.width = gl.width; c.height = gl.height;
    const g = c.getContext('2d');
    g.drawImage(gl, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 16) if (Math.abs(d[i] - 10) + Math.abs(d[i + 1] - 10) + Math.abs(d[i + 2] - 15) > 12) n++;
    return n;
  });
  const before = await painted();
  await page.fill('#cutoff', '0.5');
  await page.dispatchEvent('#cutoff', 'input');
  out.cutoff = { before, after: await painted() };
  await page.fill('#cutoff', '0.03');
  await page.dispatchEvent('#cutoff', 'input');

  // Screenshot of the whole session in view (the README's).
  await page.evaluate((n) => window.__spymaster.setView({ seconds: n + 10, ticks: 80 }), out.windows);
  await page.mouse.move(box.x + box.width * 0.45, box.y + box.height * 0.4);
  await page.waitForTimeout(100);
  await page.screenshot({ path: `${outDir}/screenshot.png` });

  // 5. Seek by time: the stream restarts at 09:31:00 ET and replays to the end again.
  await page.fill('#seek', '09:31:00');
  await page.click('#go');
  await page.waitForSelector('#notice.end', { timeout: 120_000 });
  out.afterSeek = await hud(page);
  out.afterSeekFirst = await windows(page);

  // 6. Products: every ES/SPY/QQQ button, enabled where the catalog lists that product; an enabled one
  //    opens its stream (to the end at max speed).
  out.products = [];
  for (const label of ['ES', 'SPY', 'QQQ']) {
    const b = page.locator('#products button', { hasText: new RegExp(`^${label}$`) });
    const p = { label, disabled: await b.isDisabled(), title: await b.getAttribute('title') };
    if (!p.disabled) {
      await b.click();
      await page.waitForSelector('#notice.end, #notice.error', { timeout: 120_000 });
      p.notice = await page.textContent('#notice');
      p.symbol = await page.evaluate(() => window.__spymaster.state.symbol);
      p.dt = await page.evaluate(() => window.__spymaster.state.dt);
      p.windows = await windows(page);
      p.hud = await hud(page);
      p.product = await page.evaluate(() => { const q = window.__spymaster.product; return { tickDollars: q.tickDollars, strikeStepRows: q.strikeStepRows, label: q.label }; });
      p.on = await b.getAttribute('class');
      await page.screenshot({ path: `${outDir}/product-${label}.png` });
    }
    out.products.push(p);
  }

  // 7. A server error is shown as the server words it.
  await page.goto(`${base}/?symbol=NOPE1&dt=${dt}&speed=max`);
  await page.waitForSelector('#notice.error', { timeout: 60_000 });
  out.errorNotice = await page.textContent('#notice');
  await page.screenshot({ path: `${outDir}/server-error.png` });
  await page.close();

  // 8. Pause / resume and speed, at a paced speed. Frames stop while paused (the HUD's frame counter
  //    holds) and go on after resume; a speed change is a control message and changes the pacing.
  {
    const p = await newPage();
    await p.goto(`${base}/?symbol=${symbol}&dt=${dt}&speed=4`);
    await waitWindows(p, 3);
    await p.click('#play');
    out.pause = { button: await p.textContent('#play') };
    await sleep(500); // a window already on the wire may still land
    out.pause.framesAtPause = await p.textContent('#frame-label');
    out.pause.windowsAtPause = await windows(p);
    await sleep(2500); // 10 windows' worth at speed 4
    out.pause.windowsAfterWait = await windows(p);
    out.pause.framesAfterWait = await p.textContent('#frame-label');
    await p.screenshot({ path: `${outDir}/paused.png` });
    await p.click('#play');
    out.pause.resumeButton = await p.textContent('#play');
    await waitWindows(p, out.pause.windowsAfterWait + 3);
    out.pause.windowsAfterResume = await windows(p);
    // Pacing at speed 1, then at 5 (arrival times of windows in the page; slow enough for a software-
    // rendered page to keep up), then max (the server waits for the client, never drops) to the end.
    const gaps = (from) => p.evaluate((k) => {
      const a = window.__spymaster.timings.arrivalMs.slice(k);
      const g = a.slice(1).map((t, i) => t - a[i]).sort((x, y) => x - y);
      return { median: g[Math.floor(g.length / 2)], n: g.length };
    }, from);
    await p.selectOption('#speed', '1');
    const a0 = await p.evaluate(() => window.__spymaster.timings.arrivalMs.length);
    await p.waitForFunction((k) => window.__spymaster.timings.arrivalMs.length >= k + 6, a0, { timeout: 60_000 });
    out.speed = { slow: await gaps(a0 + 1) };
    await p.selectOption('#speed', '5');
    const a1 = await p.evaluate(() => window.__spymaster.timings.arrivalMs.length);
    await p.waitForFunction((k) => window.__spymaster.timings.arrivalMs.length >= k + 12, a1, { timeout: 60_000 });
    out.speed.fast = await gaps(a1 + 2);
    await p.selectOption('#speed', 'max');
    await p.waitForSelector('#notice.end', { timeout: 120_000 });
    out.speed.endHud = await hud(p);
    out.controlsSent = p.sent.filter((s) => s.includes('"control"'));
    await p.close();
  }

  // 9. Reconnect: our own server, killed while the page streams, then started again on the same port.
  if (spymasterBin) {
    const port = await new Promise((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => { const { port: p } = s.address(); s.close(() => resolve(p)); });
    });
    const startServer = () => new Promise((resolve, reject) => {
      const proc = spawn(spymasterBin, ['serve', '--lake', lake, '--host', '127.0.0.1', '--port', String(port), '--web', webDist],
        { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      proc.stdout.on('data', (d) => { text += d; if (text.includes('serving http://')) resolve(proc); });
      proc.on('exit', (code) => reject(new Error(`serve exited ${code}: ${text}`)));
    });
    let server = await startServer();
    const url = `http://127.0.0.1:${port}`;
    const p = await newPage();
    await p.goto(`${url}/?symbol=${symbol}&dt=${dt}&speed=4`);
    await watchStatus(p);
    await waitWindows(p, 4);
    server.kill('SIGKILL');
    await new Promise((r) => server.once('exit', r));
    await p.waitForFunction(() => /reconnecting/.test(document.getElementById('status').textContent), null, { timeout: 30_000 });
    out.reconnect = {
      windowsAtDrop: await windows(p), statusWhileDown: await p.textContent('#status'),
      noticeWhileDown: { cls: await p.getAttribute('#notice', 'class'), text: await p.textContent('#notice') },
    };
    await p.screenshot({ path: `${outDir}/reconnecting.png` });
    await sleep(1500); // at least one attempt meets the closed port
    server = await startServer();
    await p.waitForFunction((k) => window.__spymaster.windows > k, out.reconnect.windowsAtDrop, { timeout: 60_000 });
    out.reconnect.statusAfter = await p.textContent('#status');
    out.reconnect.noticeAfter = await p.getAttribute('#notice', 'class');
    await p.selectOption('#speed', 'max');
    await p.waitForSelector('#notice.end, #notice.error', { timeout: 120_000 });
    out.reconnect.notice = await p.textContent('#notice');
    out.reconnect.hud = await hud(p);
    out.reconnect.windows = await windows(p);
    out.reconnect.statusLog = await p.evaluate(() => window.__statusLog);
    out.reconnect.times = await p.evaluate(() => window.__spymaster.windowTimes());
    await p.close();
    server.kill('SIGINT');
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
