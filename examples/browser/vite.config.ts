// The example's Vite config: the corotask plugin is all it takes.
import corotask from "corotask/vite";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [corotask()],
  build: { sourcemap: true },
});
