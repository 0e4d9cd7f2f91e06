import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * The console is built into console/dist and served by the Omni server at `/`.
 * `npm run dev -w console` serves it with hot reload and sends API calls to a running server
 * (`npm start` in another terminal; OMNI_DEV_API to use another than http://127.0.0.1:3000).
 */
const api = process.env.OMNI_DEV_API ?? 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [react()],
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2000 },
  server: {
    proxy: { '/api': api, '/v1': api, '/store': api, '/sdk': api, '/demo/v1': api, '/demo/store': api, '/health': api },
  },
});
