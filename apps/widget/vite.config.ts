import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The widget is static files; apps/widget/src/server.ts serves them (and /config.json) on WIDGET_PORT.
export default defineConfig({
  root: new URL('.', import.meta.url).pathname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
});
