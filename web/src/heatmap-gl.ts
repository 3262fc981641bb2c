// Raw WebGL2 renderer of the composite heatmap with its options bars. The column cache (raster.ts) is one
// RGBA8 texture: HISTORY texel columns (one per window, a ring) × CACHE_TEXELS texels of absolute price.
// A window costs one texSubImage2D of its column; a frame is one full-screen triangle whose fragment
// shader maps its pixel to (seconds back, absolute tick) and reads one texel. Time runs along the
// texture's x like the screen's, so neighbouring pixels read neighbouring texels (software rasterisers
// walk the screen in rows; the transposed layout measured 1.5–3× slower under SwiftShader). Nothing is re-uploaded
// on zoom, pan or re-centre; only a contrast, cutoff or options change rasterises every column again.
import { HISTORY } from './grid';
import { CACHE_TEXELS, TEXELS_PER_TICK } from './raster';

const VERT = `#version 300 es
void main() {
  vec2 p = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2));
  gl_Position = vec4(p * 2.0 - 1.0, 0.0, 1.0);
}`;

// NEAREST + REPEAT on both axes: the ring of columns and the wrapped price axis need no integer maths.
const FRAG = `#version 300 es
precision highp float;
uniform highp sampler2D uCache;
uniform vec2 uSize;        // drawing buffer px; the canvas spans the history, newest column at the right edge
uniform float uSeconds;    // seconds across the width
uniform float uCenterTick; // absolute tick at the vertical middle
uniform float uTicks;      // ticks across the height
uniform float uHead;       // ring row of the newest window
uniform float uCount;      // windows held
out vec4 outColor;
const vec3 BG = vec3(10.0, 10.0, 15.0) / 255.0;

void main() {
  float back = (uSize.x - gl_FragCoord.x) / uSize.x * uSeconds;
  float u = (uCenterTick + (gl_FragCoord.y / uSize.y - 0.5) * uTicks) * (${TEXELS_PER_TICK}.0 / ${CACHE_TEXELS}.0);
  vec4 c = texture(uCache, vec2((uHead + 1.0 - back) / ${HISTORY}.0, u));
  // Alpha is the lap of the price written there: another lap is a price WRAP_TICKS away, not this one.
  bool mine = back < uCount && abs(c.a * 255.0 - mod(floor(u), 256.0)) < 0.5;
  outColor = vec4(mine ? c.rgb : BG, 1.0);
}`;

export interface HeatmapUniforms {
  seconds: number;
  centerTick: number;
  ticks: number;
  head: number;
  count: number;
}

export class HeatmapGL {
  private readonly gl: WebGL2RenderingContext;
  private readonly program: WebGLProgram;
  private readonly cache: WebGLTexture;
  private readonly loc: Record<string, WebGLUniformLocation | null> = {};
  private readonly vao: WebGLVertexArrayObject;
  private readonly px = new Uint8Array(4);

  constructor(readonly canvas: HTMLCanvasElement) {
    // Opaque, not preserved: the compositor needs no blending and no copy of the drawing buffer.
    const gl = canvas.getContext('webgl2', { alpha: false, antialias: false, depth: false, preserveDrawingBuffer: false });
    if (!gl) throw new Error('WebGL2 is not available in this browser');
    const max = gl.getParameter(gl.MAX_TEXTURE_SIZE) as number;
    if (max < CACHE_TEXELS) throw new Error(`WebGL2 MAX_TEXTURE_SIZE ${max} < ${CACHE_TEXELS}: the view needs a larger texture`);
    this.gl = gl;
    this.program = link(gl, VERT, FRAG);
    this.vao = gl.createVertexArray()!;
    this.cache = gl.createTexture()!;
    gl.bindTexture(gl.TEXTURE_2D, this.cache);
    gl.texStorage2D(gl.TEXTURE_2D, 1, gl.RGBA8, HISTORY, CACHE_TEXELS);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.REPEAT);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.REPEAT);
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 4);
    for (const n of ['uCache', 'uSize', 'uSeconds', 'uCenterTick', 'uTicks', 'uHead', 'uCount']) {
      this.loc[n] = gl.getUniformLocation(this.program, n);
    }
    gl.useProgram(this.program);
    gl.uniform1i(this.loc.uCache, 0);
    gl.disable(gl.BLEND);
  }

  // Ring column `col`: CACHE_TEXELS words from raster.ts, one 1-texel-wide texSubImage2D.
  writeColumn(col: number, words: Uint32Array): void {
    const gl = this.gl;
    gl.bindTexture(gl.TEXTURE_2D, this.cache);
    const bytes = new Uint8Array(words.buffer, words.byteOffset, CACHE_TEXELS * 4);
    gl.texSubImage2D(gl.TEXTURE_2D, 0, col, 0, 1, CACHE_TEXELS, gl.RGBA, gl.UNSIGNED_BYTE, bytes);
  }

  render(u: HeatmapUniforms): void {
    const gl = this.gl;
    const w = this.canvas.width, h = this.canvas.height;
    gl.viewport(0, 0, w, h);
    gl.useProgram(this.program);
    gl.bindVertexArray(this.vao);
    gl.activeTexture(gl.TEXTURE0);
    gl.bindTexture(gl.TEXTURE_2D, this.cache);
    gl.uniform2f(this.loc.uSize, w, h);
    gl.uniform1f(this.loc.uSeconds, u.seconds);
    gl.uniform1f(this.loc.uCenterTick, u.centerTick);
    gl.uniform1f(this.loc.uTicks, u.ticks);
    gl.uniform1f(this.loc.uHead, Math.max(u.head, 0));
    gl.uniform1f(this.loc.uCount, u.count);
    gl.drawArrays(gl.TRIANGLES, 0, 3);
  }

  // Blocks until the GPU is done: only for timing a redraw (a one-pixel read-back).
  finish(): void {
    this.gl.readPixels(0, 0, 1, 1, this.gl.RGBA, this.gl.UNSIGNED_BYTE, this.px);
  }
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
