#!/usr/bin/env node
// The `corotask` command (plugin/cli/main.ts, built to dist/esm).
import { main } from "../dist/esm/plugin/cli/main.js";

await main();
