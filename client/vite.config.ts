import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react(), tailwindcss()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: {
    // `npm run dev:client` proxies the API and signaling socket to a running server.
    proxy: {
      '/api': { target: 'https://localhost:8443', secure: false },
      '/ws': { target: 'wss://localhost:8443', ws: true, secure: false },
    },
  },
});
