import { describe, expect, it } from 'vitest';
import { exportFileName, pictureScale, svgColor } from '../../../renderer/src/lib/graph-export';

describe('pictureScale', () => {
  it('draws a 100-node tree (about 6,000 × 2,600) at one CSS pixel per unit, as sharp as the screen allows within the pixel budget', () => {
    const { scale, pixelRatio } = pictureScale(6000, 2600, 2);
    expect(scale).toBe(1);
    expect(pixelRatio).toBeGreaterThan(1);
    expect(6000 * 2600 * pixelRatio ** 2).toBeLessThanOrEqual(48_000_000 + 1);
  });

  it('keeps a small graph at the screen pixel ratio', () => {
    expect(pictureScale(900, 500, 2)).toEqual({ scale: 1, pixelRatio: 2 });
    expect(pictureScale(900, 500, 1)).toEqual({ scale: 1, pixelRatio: 1 });
  });

  it('shrinks only a graph past the limits, to a side of 16,384 and 48 million pixels', () => {
    const wide = pictureScale(40_000, 500, 2);
    expect(40_000 * wide.scale * wide.pixelRatio).toBeCloseTo(16_384, 0);
    const big = pictureScale(12_000, 9_000, 1);
    expect(12_000 * 9_000 * big.scale ** 2).toBeCloseTo(48_000_000, -3);
    expect(big.pixelRatio).toBe(1);
  });
});

describe('exportFileName', () => {
  it('names the file after the seed and the snapshot time, safe on any file system', () => {
    expect(exportFileName('10.0.0.5:6379', Date.UTC(2026, 11, 2, 16, 40), 'png')).toBe('replication-10.0.0.5_6379-2026-12-02T16-40-00-000Z.png');
  });
});

describe('svgColor', () => {
  it('writes a color-mix() result (Chromium computes it as color(srgb …)) as rgb()', () => {
    expect(svgColor('color(srgb 0.180392 0.517647 0.319216)')).toEqual({ color: 'rgb(46, 132, 81)', alpha: 1 });
  });

  it('takes the alpha apart, for the -opacity attribute', () => {
    expect(svgColor('color(srgb 1 0 0.5 / 0.25)')).toEqual({ color: 'rgb(255, 0, 128)', alpha: 0.25 });
    expect(svgColor('rgba(23, 128, 61, 0.4)')).toEqual({ color: 'rgb(23, 128, 61)', alpha: 0.4 });
    expect(svgColor('rgb(23 128 61 / 40%)')).toEqual({ color: 'rgb(23, 128, 61)', alpha: 0.4 });
  });

  it('leaves what SVG 1.1 already reads', () => {
    for (const value of ['rgb(23, 128, 61)', 'none', 'currentColor', '#ffffff', 'url(#m1)']) expect(svgColor(value)).toBeNull();
  });
});
