// Builds dist/esm (ES modules + declarations) and dist/cjs (CommonJS, for require() where
// require(esm) is unavailable, e.g. inside Jest's module registry).
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";

const tsc = (args) => execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", ...args], { stdio: "inherit" });
rmSync("dist", { recursive: true, force: true });
tsc(["-p", "tsconfig.build.json"]);
tsc(["-p", "tsconfig.build.json", "--module", "commonjs", "--moduleResolution", "node10", "--ignoreDeprecations", "6.0", "--verbatimModuleSyntax", "false", "--outDir", "dist/cjs", "--declaration", "false"]);
mkdirSync("dist/cjs", { recursive: true });
writeFileSync("dist/cjs/package.json", JSON.stringify({ type: "commonjs" }) + "\n");
