import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

// During `npm run dev`, API calls are proxied to the Go server.
// Override the target with VITE_API_PROXY=http://host:port.
const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};
const apiTarget = env.VITE_API_PROXY ?? "http://localhost:8080";

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    // The API reference's renderer (Redoc, about 1.2 MB) is the chunk of its own document
    // (docs/reference.html); the warning's 500 kB is meant for the portal's entry chunk.
    chunkSizeWarningLimit: 1300,
    // Two documents: the portal (index.html) and the TPP API reference it frames
    // (docs/reference.html), which is served under a policy of its own.
    rolldownOptions: {
      input: { main: "index.html", reference: "docs/reference.html" },
    },
  },
  server: {
    proxy: {
      "/api": { target: apiTarget, changeOrigin: false },
    },
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    restoreMocks: true,
    unstubGlobals: true,
    // make test runs Vitest beside the Go suites on two cores, where a user-event test can
    // take more than the default 5 s without anything being wrong.
    testTimeout: 20_000,
  },
});
