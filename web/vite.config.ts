import { defineConfig } from 'vitest/config';

// The built app goes straight into the jar's resources: the server serves the classpath folder medlake-web/.
export default defineConfig({
  base: '/',
  build: {
    outDir: 'target/classes/medlake-web',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
  },
  server: {
    // `npm run dev` against a local `./medlake serve` (port 8080 by default).
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
  },
});
