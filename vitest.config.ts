import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';

// Component and store tests (test/unit/renderer); the node:test suites run from dist/ instead.
export default defineConfig({
  plugins: [vue()],
  test: {
    environment: 'happy-dom',
    include: ['test/unit/renderer/**/*.test.ts'],
  },
});
