import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The build is static files only; `config.json` (the gateway's address) is served beside it at
// run time, so one build serves every environment. No inline script: the CSP forbids it.
export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", sourcemap: false, modulePreload: { polyfill: false }, chunkSizeWarningLimit: 800 },
  server: { port: 5173, strictPort: true },
});
