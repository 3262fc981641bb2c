// The composite "Pressure vs Obstacles" colour rule (frontend.md B.6), with two user controls:
// contrast scales the velocity/pressure gain (1 = the reference's tanh(3·v)), cutoff is the alpha below
// which a cell is not drawn (0.03 in the reference). The GLSL in heatmap-gl.ts is this function
// transcribed; tests pin this one against hand-derived values.
export type Rgba = [number, number, number, number];

export const AMBER_LO: [number, number, number] = [0.8, 0.4, 0.1];
export const AMBER_HI: [number, number, number] = [0.95, 0.55, 0.15];
export const TEAL_LO: [number, number, number] = [0.1, 0.5, 0.6];
export const TEAL_HI: [number, number, number] = [0.15, 0.7, 0.85];
export const ERODE_LO: [number, number, number] = [0.15, 0.05, 0.08];
export const ERODE_HI: [number, number, number] = [0.6, 0.15, 0.2];
export const WALL: [number, number, number] = [0.85, 0.9, 0.95];
export const DIM_AMBER: [number, number, number] = [0.7, 0.4, 0.15];
export const DIM_TEAL: [number, number, number] = [0.15, 0.45, 0.55];

const mix = (a: number[], b: number[], t: number): [number, number, number] =>
  [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];

// null: the cell is not drawn (background shows).
export function compositeColor(v: number, p: number, omega: number, contrast = 1, cutoff = 0.03): Rgba | null {
  if (Math.abs(v) < 0.005 && Math.abs(p) < 0.005) return null;
  let rgb: [number, number, number] = [0, 0, 0];
  let alpha = 0;
  if (v > 0.01) {
    const i = Math.tanh(3 * contrast * v);
    rgb = p > 0 ? mix(AMBER_LO, AMBER_HI, i) : mix(TEAL_LO, TEAL_HI, i);
    alpha = 0.85 * i;
    if (omega > 2 && v > 0.1) {
      const boost = Math.min((omega - 2) / 3, 0.5);
      rgb = mix(rgb, WALL, boost);
      alpha = Math.min(alpha + 0.3 * boost, 0.95);
    }
  } else if (v < -0.01) {
    const i = Math.tanh(3 * contrast * -v);
    rgb = mix(ERODE_LO, ERODE_HI, i);
    alpha = 0.7 * i;
  }
  if (alpha < 0.1 && Math.abs(p) > 0.02) {
    const m = Math.tanh(5 * contrast * Math.abs(p));
    const base = p > 0 ? DIM_AMBER : DIM_TEAL;
    rgb = [base[0] * m, base[1] * m, base[2] * m];
    alpha = 0.4 * m;
  }
  if (alpha < cutoff) return null;
  return [rgb[0], rgb[1], rgb[2], alpha];
}

// Straight-alpha "over" onto the page background #0a0a0f, as the canvas shows it.
export const BACKGROUND: [number, number, number] = [10 / 255, 10 / 255, 15 / 255];
export function over(c: Rgba | null, bg = BACKGROUND): [number, number, number] {
  if (!c) return [...bg];
  return [c[0] * c[3] + bg[0] * (1 - c[3]), c[1] * c[3] + bg[1] * (1 - c[3]), c[2] * c[3] + bg[2] * (1 - c[3])];
}
