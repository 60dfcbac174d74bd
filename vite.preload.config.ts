import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// Sandboxed preloads cannot require local files, so electron/preload.ts is bundled into one CommonJS file.
export default defineConfig({
  build: {
    outDir: fileURLToPath(new URL('./dist/electron', import.meta.url)),
    emptyOutDir: false,
    target: 'node20',
    minify: false,
    lib: {
      entry: fileURLToPath(new URL('./electron/preload.ts', import.meta.url)),
      formats: ['cjs'],
      fileName: () => 'preload.cjs',
    },
    rollupOptions: { external: ['electron'] },
  },
});
