import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

// `pnpm -F @pos/displays dev` serves the screens with hot reload and forwards the API
// (HTTP and websockets, one path) to a server started with `pnpm start` / `pnpm serve`.
const api = process.env.POS_API ?? 'http://localhost:4000';

export default defineConfig({
  plugins: [vue()],
  server: {
    port: 5173,
    proxy: { '/graphql': { target: api, ws: true, changeOrigin: true } },
  },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
});
