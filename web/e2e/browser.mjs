// Drives the built page in Debian's chromium (playwright-core) against a running `spymaster serve`.
// Usage: node web/e2e/browser.mjs http://127.0.0.1:PORT SYMBOL DT OUT_DIR
// Prints one JSON object with what the page showed and the measured figures; python/tests/test_web_e2e.py
// compares it with the lake. Exits non-zero on a page error.
import { chromium } from 'playwright-core';

const [base, symbol, dt, outDir] = process.argv.slice(2);
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const browser = await chromium.launch({
  executablePath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run',
    '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
});
const out = { pageErrors: [], console: [] };
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
  page.on('pageerror', (e) => out.pageErrors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') out.console.push(m.text()); });
  const S = () => window.__spymaster;

  // 1. Whole stream at max speed: every window arrives, then the end notice.
  await page.goto(`${base}/?symbol=${symbol}&dt=${dt}&speed=max`);
  await page.waitForSelector('#notice.end, #notice.error', { timeout: 120_000 });
  out.notice = { cls: await page.getAttribute('#notice', 'class'), text: await page.textContent('#notice') };
  const hud = async () => ({
    spot: await page.textContent('#spot-label'), time: await page.textContent('#ts-label'),
    frame: await page.textContent('#frame-label'), windowEndNs: await page.getAttribute('#hud', 'data-window-end-ns'),
    runUp: await page.textContent('#run-up'), runDown: await page.textContent('#run-down'),
    walls: await page.textContent('#walls'), conf: await page.textContent('#conf'),
  });
  out.hud = await hud();
  out.status = await page.textContent('#status');
  out.symbols = await page.$$eval('#symbol option', (os) => os.map((o) => o.value));
  out.dates = await page.$$eval('#dt option', (os) => os.map((o) => o.value));
  out.url = page.url();

  // 2. Fit the whole history, redraw, read back pixels: the canvas is not blank, and the spot line
  //    passes through the newest spot at the newest column.
  out.windows = await page.evaluate(() => window.__spymaster.windows);
  await page.evaluate((n) => { window.__spymaster.setView({ seconds: n + 10 }); window.__spymaster.redraw(); }, out.windows);
  out.pixels = await page.evaluate(() => {
    const s = window.__spymaster;
    const gl = document.getElementById('gl');
    const c = document.createElement('canvas');
    c.width = gl.width; c.height = gl.height;
    const g = c.getContext('2d');
    g.drawImage(gl, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    let painted = 0, amber = 0, teal = 0, maroon = 0, total = 0;
    const nx = Math.floor(c.width * 0.7);
    for (let y = 0; y < c.height; y += 2) for (let x = 0; x < nx; x += 2) {
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
    return { total, painted, amber, teal, maroon, spotPixel: [...px], spotTick };
  });

  // 3. Measurements (software WebGL here; reported, not gated): frame time with 30 minutes of history
  //    across the view and every frame redrawn, and one full redraw after a zoom.
  await page.evaluate(() => window.__spymaster.setView({ seconds: 1800 }));
  out.bench = await page.evaluate(() => window.__spymaster.benchFrames(20));
  out.redrawMs = await page.evaluate(() => {
    const s = window.__spymaster;
    const ms = [];
    for (let i = 0; i < 5; i++) { s.setView({ ticks: 60 + 20 * i, seconds: 200 + 300 * i }); ms.push(s.redraw()); }
    ms.sort((a, b) => a - b);
    return { median: ms[2], max: ms[4] };
  });
  out.ingestMs = await page.evaluate(() => {
    const a = [...window.__spymaster.timings.ingestMs].sort((x, y) => x - y);
    return { median: a[Math.floor(a.length / 2)], max: a[a.length - 1], n: a.length };
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

  // Screenshot of the whole session in view.
  await page.evaluate((n) => { window.__spymaster.setView({ seconds: n + 10, ticks: 80 }); window.__spymaster.redraw(); }, out.windows);
  await page.mouse.move(box.x + box.width * 0.45, box.y + box.height * 0.4);
  await page.screenshot({ path: `${outDir}/screenshot.png` });

  // 5. Seek by time: the stream restarts at 09:31:00 ET and replays to the end again.
  await page.fill('#seek', '09:31:00');
  await page.click('#go');
  await page.waitForSelector('#notice.end', { timeout: 120_000 });
  out.afterSeek = await hud();
  out.afterSeekFirst = await page.evaluate(() => window.__spymaster.windows);

  // 6. A server error is shown as the server words it.
  await page.goto(`${base}/?symbol=NOPE1&dt=${dt}&speed=max`);
  await page.waitForSelector('#notice.error', { timeout: 60_000 });
  out.errorNotice = await page.textContent('#notice');
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
