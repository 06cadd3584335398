// Prints the size of the built console (dist/console) as the browser downloads it: gzip.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

const root = new URL('../dist/console/', import.meta.url).pathname;
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (/\.(js|css|html)$/.test(name)) files.push(path);
  }
};
walk(root);
let raw = 0;
let gz = 0;
for (const file of files) {
  const bytes = readFileSync(file);
  raw += bytes.length;
  gz += gzipSync(bytes, { level: 9 }).length;
}
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`console: ${files.length} files (${files.map((f) => relative(root, f)).join(', ')}), ${kb(raw)} raw, ${kb(gz)} gzip`);
