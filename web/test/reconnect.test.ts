// StreamClient's reconnect: after an unexpected close it reconnects, resuming at the last window's end
// through `start=` (New York time); after `end` or `error` it stays closed. The browser's WebSocket is
// replaced by a recorder (the only stand-in; the client and assembler are the real code).
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StreamClient, streamUrl } from '../src/stream-client';
import { nyTime } from '../src/time';

class FakeSocket {
  static OPEN = 1;
  static all: FakeSocket[] = [];
  readyState = 0;
  binaryType = 'blob';
  sent: string[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onclose: ((e: { code: number }) => void) | null = null;
  constructor(readonly url: string) { FakeSocket.all.push(this); }
  send(s: string) { this.sent.push(s); }
  close() {}
  open() { this.readyState = 1; this.onopen?.(); }
  message(data: unknown) { this.onmessage?.({ data }); }
  drop(code: number) { this.readyState = 3; this.onclose?.({ code }); }
}

const fixture = (n: string) => {
  const b = readFileSync(new URL(`./fixtures/${n}.arrows`, import.meta.url));
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength); // a Buffer may sit in a larger pool
};

describe('StreamClient', () => {
  beforeEach(() => {
    FakeSocket.all = [];
    vi.useFakeTimers();
    vi.stubGlobal('WebSocket', FakeSocket);
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('builds the stream URL on the page origin', () => {
    expect(streamUrl('http://127.0.0.1:8001', { symbol: 'ESH6', dt: '2026-01-06', speed: '60' }))
      .toBe('ws://127.0.0.1:8001/v1/velocity/stream?symbol=ESH6&dt=2026-01-06&speed=60');
  });

  it('reconnects after a drop, from the last window, with a visible status; not after end', () => {
    const status: string[] = [];
    const windows: bigint[] = [];
    const c = new StreamClient('http://h:1', {
      onWindow: (w) => windows.push(w.windowEndNs), onEnd: () => status.push('END'), onError: () => {},
      onDropped: () => {}, onStatus: (s) => status.push(s),
    }, nyTime);
    c.open({ symbol: 'ESH6', dt: '2026-01-06', speed: '1' });
    const first = FakeSocket.all[0];
    expect(first.binaryType).toBe('arraybuffer');
    first.open();
    first.message(JSON.stringify({ type: 'batch_start', window_end_ts_ns: '1767709805000000000', surfaces: ['snap'] }));
    first.message(JSON.stringify({ type: 'surface_header', surface: 'snap' }));
    first.message(fixture('snap'));
    c.send({ action: 'pause' });
    expect(first.sent).toEqual(['{"type":"control","action":"pause"}']);
    first.drop(1006);
    expect(status.at(-1)).toMatch(/^disconnected \(1006\); reconnecting in 0\.5 s$/);
    vi.advanceTimersByTime(500);
    expect(FakeSocket.all.length).toBe(2);
    expect(status.at(-1)).toBe('reconnecting (attempt 1)');
    expect(new URL(FakeSocket.all[1].url).searchParams.get('start')).toBe('09:30:05');
    const second = FakeSocket.all[1];
    second.open();
    second.message(JSON.stringify({ type: 'end', windows: 1 }));
    second.drop(1000);
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.all.length).toBe(2);
    expect(windows).toEqual([1767709805000000000n]);
    expect(status).toContain('END');
    expect(status.at(-1)).toBe('closed (1000)');
  });
});
