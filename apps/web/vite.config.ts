import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The agent serves dist/ and socket.io on the same origin (default 127.0.0.1:7420);
// in dev, vite proxies both so the app code never needs the agent's address.
const agent = process.env.OSLOSCOPE_AGENT ?? 'http://127.0.0.1:7420';

export default defineConfig({
  plugins: [react()],
  resolve: {
    // Use shared's TypeScript sources directly: no build step for shared.
    alias: { '@osloscope/shared': fileURLToPath(new URL('../../shared/src/index.ts', import.meta.url)) },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 700,
  },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/socket.io': { target: agent, ws: true },
      '/api': { target: agent },
    },
  },
});
