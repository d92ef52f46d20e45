#!/usr/bin/env node
// `npm run icons`: render assets/icon.svg into the PNGs electron-builder packs: build/icons/NxN.png
// for the Linux icon theme sizes, and build/icon.png (1024 px), from which it makes the macOS .icns
// and the Windows .ico. They are build output (ignored by git): the SVG is the one source.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Resvg } from '@resvg/resvg-js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];

/** Render the SVG at one size, drawn at that size (not a big PNG scaled down). */
export function renderIcon(svg, size) {
  return new Resvg(svg, { fitTo: { mode: 'width', value: size }, background: 'rgba(0,0,0,0)' }).render().asPng();
}

/** Write every size under buildDir; returns the paths written. */
export function writeIcons(svgPath = join(root, 'assets/icon.svg'), buildDir = join(root, 'build')) {
  const svg = readFileSync(svgPath);
  mkdirSync(join(buildDir, 'icons'), { recursive: true });
  const written = [];
  for (const size of SIZES) {
    const png = renderIcon(svg, size);
    const file = join(buildDir, 'icons', `${size}x${size}.png`);
    writeFileSync(file, png);
    written.push(file);
    if (size === 1024) {
      writeFileSync(join(buildDir, 'icon.png'), png);
      written.push(join(buildDir, 'icon.png'));
    }
  }
  return written;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const written = writeIcons();
    console.log(`Replication Console: ${written.length} icons written to build/ from assets/icon.svg`);
  } catch (error) {
    console.error(`Replication Console: cannot render the icons: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
