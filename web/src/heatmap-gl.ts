// Raw WebGL2 renderer of the composite heatmap and the options strike bars. One full-screen triangle;
// the fragment shader maps its pixel to (seconds back, absolute tick), finds the ring column and the
// spot-relative row, and reads the cell's colour (computed once per cell by colormap.ts, history.ts).
// Each window writes one column of each texture with texSubImage2D; the colour textures are uploaded
// whole only when contrast or cutoff change.
import { HALF_ROWS, HALF_STRIKES, HISTORY, ROWS, STRIKE_ROWS } from './grid';

const VERT = `#version 300 es
void main() {
  vec2 p = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2));
  gl_Position = vec4(p * 2.0 - 1.0, 0.0, 1.0);
}`;

const FRAG = `#version 300 es
precision highp float;
precision highp int;
uniform highp sampler2D uBid;   // composite colour RGBA8 per (column, row), colormap.ts
uniform highp sampler2D uAsk;
uniform highp sampler2D uOpt;   // net option velocity per (column, strike row)
uniform highp sampler2D uSpot;  // absolute spot tick per column; 0 = never written
uniform vec2 uSize;             // drawing buffer px
uniform float uNowX;            // px of the newest column's right edge
uniform float uSeconds;         // seconds across [0, uNowX]
uniform float uCenterTick;
uniform float uTicks;
uniform int uHead;
uniform int uCount;
uniform float uStrikeStep;      // rows between strikes
uniform float uShowOptions;
out vec4 outColor;

void main() {
  float x = gl_FragCoord.x;
  if (x > uNowX) discard;
  float back = (uNowX - x) / uNowX * uSeconds;
  int k = int(floor(back));
  if (k >= uCount) discard;
  int col = (uHead - k + ${HISTORY}) % ${HISTORY};
  float spot = texelFetch(uSpot, ivec2(col, 0), 0).r;
  if (spot == 0.0) discard;
  float tick = uCenterTick + (gl_FragCoord.y / uSize.y - 0.5) * uTicks;
  float rel = tick - spot;
  float r = floor(rel + 0.5);
  float frac = rel + 0.5 - r;
  vec4 color = vec4(0.0);
  if (abs(r) <= ${HALF_ROWS}.0) {
    ivec2 t = ivec2(col, int(r) + ${HALF_ROWS});
    color = frac < 0.5 ? texelFetch(uBid, t, 0) : texelFetch(uAsk, t, 0);
  }
  if (uShowOptions > 0.5) {
    float s = floor(rel / uStrikeStep + 0.5);
    float half_ = 0.2 * uStrikeStep;
    float d = abs(rel - s * uStrikeStep);
    if (abs(s) <= ${HALF_STRIKES}.0 && d <= half_) {
      float ov = texelFetch(uOpt, ivec2(col, int(s) + ${HALF_STRIKES}), 0).r;
      if (abs(ov) > 0.001) {
        float oa = tanh(0.3 * abs(ov)) * 0.85 * (1.0 - smoothstep(0.7 * half_, half_, d));
        vec3 oc = ov > 0.0 ? vec3(0.0, 1.0, 1.0) : vec3(1.0, 0.0, 1.0);
        color = vec4(mix(color.rgb * color.a, oc, oa) / max(color.a + oa * (1.0 - color.a), 1e-6),
                     color.a + oa * (1.0 - color.a));
      }
    }
  }
  if (color.a <= 0.0) discard;
  outColor = color;
}`;

export interface HeatmapUniforms {
  nowX: number;
  seconds: number;
  centerTick: number;
  ticks: number;
  head: number;
  count: number;
  strikeStep: number;
  showOptions: boolean;
}

export class HeatmapGL {
  private readonly gl: WebGL2RenderingContext;
  private readonly program: WebGLProgram;
  private readonly tex: Record<'bid' | 'ask' | 'opt' | 'spot', WebGLTexture>;
  private readonly loc: Record<string, WebGLUniformLocation | null> = {};
  private readonly vao: WebGLVertexArrayObject;

  constructor(readonly canvas: HTMLCanvasElement) {
    const gl = canvas.getContext('webgl2', { antialias: false, premultipliedAlpha: false, preserveDrawingBuffer: true });
    if (!gl) throw new Error('WebGL2 is not available in this browser');
    this.gl = gl;
    this.program = link(gl, VERT, FRAG);
    this.vao = gl.createVertexArray()!;
    this.tex = {
      bid: makeTexture(gl, gl.RGBA8, gl.RGBA, HISTORY, ROWS),
      ask: makeTexture(gl, gl.RGBA8, gl.RGBA, HISTORY, ROWS),
      opt: makeTexture(gl, gl.R32F, gl.RED, HISTORY, STRIKE_ROWS),
      spot: makeTexture(gl, gl.R32F, gl.RED, HISTORY, 1),
    };
    for (const n of ['uBid', 'uAsk', 'uOpt', 'uSpot', 'uSize', 'uNowX', 'uSeconds', 'uCenterTick', 'uTicks', 'uHead',
      'uCount', 'uStrikeStep', 'uShowOptions']) {
      this.loc[n] = gl.getUniformLocation(this.program, n);
    }
  }

  // One window's column: bid/ask colours ROWS×RGBA8, opt STRIKE_ROWS floats, spot the absolute tick.
  writeColumn(col: number, bid: Uint8Array, ask: Uint8Array, opt: Float32Array, spot: number): void {
    const gl = this.gl;
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 4);
    gl.bindTexture(gl.TEXTURE_2D, this.tex.bid);
    gl.texSubImage2D(gl.TEXTURE_2D, 0, col, 0, 1, ROWS, gl.RGBA, gl.UNSIGNED_BYTE, bid);
    gl.bindTexture(gl.TEXTURE_2D, this.tex.ask);
    gl.texSubImage2D(gl.TEXTURE_2D, 0, col, 0, 1, ROWS, gl.RGBA, gl.UNSIGNED_BYTE, ask);
    gl.bindTexture(gl.TEXTURE_2D, this.tex.opt);
    gl.texSubImage2D(gl.TEXTURE_2D, 0, col, 0, 1, STRIKE_ROWS, gl.RED, gl.FLOAT, opt);
    gl.bindTexture(gl.TEXTURE_2D, this.tex.spot);
    gl.texSubImage2D(gl.TEXTURE_2D, 0, col, 0, 1, 1, gl.RED, gl.FLOAT, new Float32Array([spot]));
  }

  // All colour columns at once (after a contrast/cutoff change). The arrays are column-major (one column's
  // ROWS texels contiguous), so the upload goes column by column.
  writeAllColours(bid: Uint8Array, ask: Uint8Array): void {
    const gl = this.gl;
    for (const [t, a] of [[this.tex.bid, bid], [this.tex.ask, ask]] as const) {
      gl.bindTexture(gl.TEXTURE_2D, t);
      for (let c = 0; c < HISTORY; c++) {
        gl.texSubImage2D(gl.TEXTURE_2D, 0, c, 0, 1, ROWS, gl.RGBA, gl.UNSIGNED_BYTE, a.subarray(c * ROWS * 4, (c + 1) * ROWS * 4));
      }
    }
  }

  // Forget every column (a new stream or a seek): only the spot row needs zeroing, it gates every read.
  clear(): void {
    const gl = this.gl;
    gl.bindTexture(gl.TEXTURE_2D, this.tex.spot);
    gl.texSubImage2D(gl.TEXTURE_2D, 0, 0, 0, HISTORY, 1, gl.RED, gl.FLOAT, new Float32Array(HISTORY));
  }

  render(u: HeatmapUniforms): void {
    const gl = this.gl;
    const w = this.canvas.width, h = this.canvas.height;
    gl.viewport(0, 0, w, h);
    gl.clearColor(10 / 255, 10 / 255, 15 / 255, 1);
    gl.clear(gl.COLOR_BUFFER_BIT);
    gl.enable(gl.BLEND);
    gl.blendFuncSeparate(gl.SRC_ALPHA, gl.ONE_MINUS_SRC_ALPHA, gl.ZERO, gl.ONE);
    gl.useProgram(this.program);
    gl.bindVertexArray(this.vao);
    const units: ['bid' | 'ask' | 'opt' | 'spot', string][] = [['bid', 'uBid'], ['ask', 'uAsk'], ['opt', 'uOpt'], ['spot', 'uSpot']];
    units.forEach(([t, n], i) => {
      gl.activeTexture(gl.TEXTURE0 + i);
      gl.bindTexture(gl.TEXTURE_2D, this.tex[t]);
      gl.uniform1i(this.loc[n], i);
    });
    gl.uniform2f(this.loc.uSize, w, h);
    gl.uniform1f(this.loc.uNowX, u.nowX);
    gl.uniform1f(this.loc.uSeconds, u.seconds);
    gl.uniform1f(this.loc.uCenterTick, u.centerTick);
    gl.uniform1f(this.loc.uTicks, u.ticks);
    gl.uniform1i(this.loc.uHead, Math.max(u.head, 0));
    gl.uniform1i(this.loc.uCount, u.count);
    gl.uniform1f(this.loc.uStrikeStep, u.strikeStep);
    gl.uniform1f(this.loc.uShowOptions, u.showOptions ? 1 : 0);
    gl.drawArrays(gl.TRIANGLES, 0, 3);
  }

  // Blocks until the GPU is done (for timing only).
  finish(): void {
    const px = new Uint8Array(4);
    this.gl.readPixels(0, 0, 1, 1, this.gl.RGBA, this.gl.UNSIGNED_BYTE, px);
  }
}

function makeTexture(gl: WebGL2RenderingContext, internal: number, format: number, w: number, h: number): WebGLTexture {
  const t = gl.createTexture()!;
  gl.bindTexture(gl.TEXTURE_2D, t);
  gl.texStorage2D(gl.TEXTURE_2D, 1, internal, w, h);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
  if (internal === gl.RGBA8) gl.texSubImage2D(gl.TEXTURE_2D, 0, 0, 0, w, h, format, gl.UNSIGNED_BYTE, new Uint8Array(w * h * 4));
  else gl.texSubImage2D(gl.TEXTURE_2D, 0, 0, 0, w, h, format, gl.FLOAT, new Float32Array(w * h));
  return t;
}

function link(gl: WebGL2RenderingContext, vs: string, fs: string): WebGLProgram {
  const compile = (type: number, src: string) => {
    const s = gl.createShader(type)!;
    gl.shaderSource(s, src);
    gl.compileShader(s);
    if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) throw new Error(`shader: ${gl.getShaderInfoLog(s)}`);
    return s;
  };
  const p = gl.createProgram()!;
  gl.attachShader(p, compile(gl.VERTEX_SHADER, vs));
  gl.attachShader(p, compile(gl.FRAGMENT_SHADER, fs));
  gl.linkProgram(p);
  if (!gl.getProgramParameter(p, gl.LINK_STATUS)) throw new Error(`program: ${gl.getProgramInfoLog(p)}`);
  return p;
}
