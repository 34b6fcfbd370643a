// Builds the reference dashboard into web/dist: one bundle, no CDN, every asset hashed and
// pre-compressed (gzip and brotli) so the API serves the smallest encoding without compressing
// per request.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));
const COMPRESSIBLE = /\.(js|css|html|svg|json)$/;

function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'bisma-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    async closeBundle() {
      const files = await readdir(outDir, { recursive: true });
      for (const name of files) {
        if (!COMPRESSIBLE.test(name)) continue;
        const file = path.join(outDir, name);
        const body = await readFile(file);
        if (body.length < 1024) continue;
        await writeFile(`${file}.gz`, gzipSync(body, { level: 9 }));
        await writeFile(
          `${file}.br`,
          brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
        );
      }
    },
  };
}

export default defineConfig({
  root: here,
  // Relative asset URLs: the dashboard also works behind a proxy that mounts the API under a path.
  base: './',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    reportCompressedSize: true,
  },
  server: {
    // `npm run web:dev` against a local API (`npm run api`).
    proxy: { '/graphql': 'http://127.0.0.1:4000' },
  },
  plugins: [precompress()],
});
