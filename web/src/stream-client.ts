// The WebSocket client of stream.md Part 1: batch_start → (surface_header, Arrow IPC) per surface →
// one assembled Window; end / error / dropped messages; reconnect with backoff and a visible status.
import {
  decodeForecast,
  decodeOptions,
  decodeSnap,
  decodeVelocity,
  type Forecast,
  type Options,
  type Snap,
  type Velocity,
} from './decode';

export interface Window {
  windowEndNs: bigint;
  snap: Snap | null;
  velocity: Velocity | null;
  options: Options | null;
  forecast: Forecast | null;
}

export interface StreamEvents {
  onWindow(w: Window): void;
  onEnd(windows: number): void;
  onError(message: string): void; // the server's words, verbatim
  onDropped(windows: number): void;
  onStatus(status: string): void;
}

// Pure message assembler: feed it the socket's messages in order; it calls back with whole windows.
export class FrameAssembler {
  private pending: Window | null = null;
  private expected: string[] = [];
  private surface: string | null = null;

  constructor(private readonly events: StreamEvents) {}

  reset(): void {
    this.pending = null;
    this.surface = null;
    this.expected = [];
  }

  feed(data: string | ArrayBuffer | Uint8Array): void {
    if (typeof data === 'string') {
      this.text(data);
      return;
    }
    const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
    if (!this.pending || !this.surface) throw new Error('binary frame without a surface_header');
    const w = this.pending;
    switch (this.surface) {
      case 'snap': w.snap = decodeSnap(bytes); break;
      case 'velocity': w.velocity = decodeVelocity(bytes); break;
      case 'options': w.options = decodeOptions(bytes); break;
      case 'forecast': w.forecast = decodeForecast(bytes); break;
      default: throw new Error(`unknown surface ${this.surface}`);
    }
    this.expected = this.expected.filter((s) => s !== this.surface);
    this.surface = null;
    if (this.expected.length === 0) {
      this.pending = null;
      this.events.onWindow(w);
    }
  }

  private text(s: string): void {
    const m = JSON.parse(s) as Record<string, unknown>;
    switch (m.type) {
      case 'batch_start':
        this.pending = {
          windowEndNs: BigInt(m.window_end_ts_ns as string),
          snap: null, velocity: null, options: null, forecast: null,
        };
        this.expected = [...(m.surfaces as string[])];
        if (this.expected.length === 0) { const w = this.pending; this.pending = null; this.events.onWindow(w); }
        break;
      case 'surface_header':
        this.surface = m.surface as string;
        break;
      case 'end':
        this.events.onEnd(Number(m.windows));
        break;
      case 'error':
        this.events.onError(String(m.message));
        break;
      case 'dropped':
        this.events.onDropped(Number(m.windows));
        break;
      default:
        throw new Error(`unknown message type ${String(m.type)}`);
    }
  }
}

export interface StreamQuery {
  symbol?: string;
  dt?: string;
  speed?: string;
  start?: string; // HH:MM:SS America/New_York
}

export function streamUrl(origin: string, q: StreamQuery): string {
  const ws = origin.replace(/^http/, 'ws');
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') params.set(k, v);
  return `${ws}/v1/velocity/stream?${params.toString()}`;
}

// One live connection at a time; reconnects after an unexpected close (not after end or an error).
export class StreamClient {
  private ws: WebSocket | null = null;
  private readonly assembler: FrameAssembler;
  private finished = false;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private query: StreamQuery = {};
  lastWindowEndNs: bigint | null = null;

  constructor(private readonly origin: string, private readonly events: StreamEvents,
              private readonly startOf: (ns: bigint) => string) {
    this.assembler = new FrameAssembler({
      ...events,
      onWindow: (w) => { this.lastWindowEndNs = w.windowEndNs; this.attempt = 0; events.onWindow(w); },
      onEnd: (n) => { this.finished = true; events.onEnd(n); },
      onError: (msg) => { this.finished = true; events.onError(msg); },
    });
  }

  open(query: StreamQuery): void {
    this.close();
    this.query = { ...query };
    this.finished = false;
    this.lastWindowEndNs = null;
    this.connect(this.query);
  }

  send(control: Record<string, unknown>): void {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ type: 'control', ...control }));
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.ws) {
      this.ws.onclose = null;
      this.ws.close();
      this.ws = null;
    }
  }

  private connect(q: StreamQuery): void {
    this.assembler.reset();
    const url = streamUrl(this.origin, q);
    this.events.onStatus(this.attempt === 0 ? 'connecting' : `reconnecting (attempt ${this.attempt})`);
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onopen = () => this.events.onStatus('connected');
    ws.onmessage = (ev) => {
      try {
        this.assembler.feed(ev.data as string | ArrayBuffer);
      } catch (e) {
        this.events.onError(`client: ${(e as Error).message}`);
      }
    };
    ws.onclose = (ev) => {
      this.ws = null;
      if (this.finished) {
        this.events.onStatus(`closed (${ev.code})`);
        return;
      }
      // Resume after the last window we have, by time (the server's `start` parameter).
      this.attempt++;
      const delay = Math.min(10_000, 500 * 2 ** Math.min(this.attempt - 1, 5));
      this.events.onStatus(`disconnected (${ev.code}); reconnecting in ${(delay / 1000).toFixed(1)} s`);
      const resume = { ...this.query };
      if (this.lastWindowEndNs !== null) resume.start = this.startOf(this.lastWindowEndNs);
      this.timer = setTimeout(() => this.connect(resume), delay);
    };
  }
}
