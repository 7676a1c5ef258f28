// Builds entries with one bundler's JS API and the built corotask plugin (`corotask/<bundler>`,
// from dist/): `node bundlers-build.mjs SPEC.json`. It runs in a plain Node child process
// because unplugin and Vite are ESM-only, which Jest's module registry cannot load on Node 20.
//
// SPEC: { bundler, root, outDir, entries: {name: file}, format: "esm" | "cjs",
//         external: string[], plugins: [corotask options, ...] }
// Prints one JSON line: { ok: true, ms } or { ok: false, message } (the bundler's own error text).
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const spec = JSON.parse(readFileSync(process.argv[2], "utf8"));
const require = createRequire(import.meta.url);
const extensions = [".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"];
const started = performance.now();

/** Options may carry RegExps as {regexp: "source"} (JSON has none). */
function revive(options) {
  const out = {};
  for (const [k, v] of Object.entries(options)) {
    const one = (x) => (x && typeof x === "object" && "regexp" in x ? new RegExp(x.regexp) : x);
    out[k] = Array.isArray(v) ? v.map(one) : one(v);
  }
  return out;
}

// Made before the bundler is imported: a bad option fails fast.
const { default: corotask } = await import(`corotask/${spec.bundler}`);
let instances;
try {
  instances = spec.plugins.map((options) => corotask(revive(options)));
} catch (error) {
  console.log(JSON.stringify({ ok: false, message: `${error.name}: ${error.message}` }));
  process.exit(0);
}
const plugins = async () => instances;

// TypeScript's NodeNext style `import "./lib.js"` for lib.ts, which Rollup's node-resolve does
// not map (@rollup/plugin-typescript would).
const tsExtensionAlias = {
  name: "ts-extension-alias",
  resolveId(source, importer) {
    if (!importer || !source.startsWith(".") || !source.endsWith(".js")) return null;
    const ts = path.resolve(path.dirname(importer), source.replace(/\.js$/, ".ts"));
    return existsSync(ts) ? ts : null;
  },
};

const builders = {
  async vite() {
    const { build } = await import("vite");
    await build({
      root: spec.root,
      configFile: false,
      logLevel: "silent",
      plugins: await plugins("vite"),
      // Fixtures use classic JSX with a local React, compiled as for production, as every other
      // pipeline compiles it: left to itself Vite picks development JSX (extra __self and
      // __source props) whenever NODE_ENV is not "production", and Jest sets it to "test".
      oxc: { jsx: { runtime: "classic", development: false } },
      ssr: { noExternal: spec.external.length === 0 ? true : undefined, external: spec.external },
      build: {
        ssr: true,
        outDir: spec.outDir,
        emptyOutDir: true,
        sourcemap: true,
        minify: false,
        rolldownOptions: {
          input: spec.entries,
          external: spec.external,
          output: { format: spec.format, entryFileNames: "[name].js" },
        },
      },
    });
  },
  async rollup() {
    const { rollup } = await import("rollup");
    const { nodeResolve } = await import("@rollup/plugin-node-resolve");
    const bundle = await rollup({
      input: spec.entries,
      external: spec.external,
      jsx: { mode: "classic", factory: "React.createElement", fragment: "React.Fragment" },
      onwarn(warning, warn) {
        if (warning.code !== "EVAL") warn(warning);
      },
      plugins: [...(await plugins("rollup")), tsExtensionAlias, nodeResolve({ extensions })],
    });
    await bundle.write({ dir: spec.outDir, format: spec.format, sourcemap: true, entryFileNames: "[name].js" });
    await bundle.close();
  },
  async esbuild() {
    const esbuild = await import("esbuild");
    await esbuild.build({
      absWorkingDir: spec.root,
      entryPoints: spec.entries,
      outdir: spec.outDir,
      bundle: true,
      platform: "node",
      format: spec.format,
      external: spec.external,
      sourcemap: true,
      logLevel: "silent",
      jsx: "transform",
      plugins: await plugins("esbuild"),
    });
  },
  async webpack() {
    const { default: webpack } = await import("webpack");
    await runCompiler(webpack(webpackLikeConfig(await plugins("webpack"), false)));
  },
  async rspack() {
    const { rspack } = await import("@rspack/core");
    await runCompiler(rspack(webpackLikeConfig(await plugins("rspack"), true)));
  },
};

function webpackLikeConfig(plugins, isRspack) {
  const esm = spec.format === "esm";
  const jsx = isRspack
    ? { loader: "builtin:swc-loader", options: { jsc: { target: "es2022", parser: { syntax: "ecmascript", jsx: true }, transform: { react: { runtime: "classic" } } } } }
    : { loader: require.resolve("babel-loader"), options: { babelrc: false, configFile: false, presets: [[require.resolve("@babel/preset-react"), { runtime: "classic" }]] } };
  return {
    mode: "none",
    context: spec.root,
    target: "node",
    devtool: "source-map",
    entry: spec.entries,
    output: {
      path: spec.outDir,
      filename: "[name].js",
      clean: true,
      // ESM: an ES module per entry (its exports those of the entry), as users ship.
      ...(esm ? { module: true, chunkFormat: "module", library: { type: "module" } } : { library: { type: "commonjs2" } }),
    },
    ...(esm && !isRspack ? { experiments: { outputModule: true } } : {}),
    externalsType: esm ? "module" : "commonjs",
    externals: Object.fromEntries(spec.external.map((name) => [name, name])),
    resolve: { extensions, extensionAlias: { ".js": [".ts", ".js"] } },
    module: { rules: [{ test: /\.jsx$/, ...jsx }] },
    optimization: { minimize: false },
    plugins,
    infrastructureLogging: { level: "none" },
  };
}

function runCompiler(compiler) {
  return new Promise((resolve, reject) => {
    compiler.run((error, stats) => {
      compiler.close(() => {
        if (error) return reject(error);
        if (stats.hasErrors()) return reject(new Error(stats.toString({ all: false, errors: true, colors: false })));
        resolve();
      });
    });
  });
}

try {
  await builders[spec.bundler]();
  console.log(JSON.stringify({ ok: true, ms: Math.round(performance.now() - started) }));
} catch (error) {
  // esbuild's failure carries its formatted messages; the others' message is their report.
  // webpack and rspack make the plugin only when the compiler applies it.
  let message = error?.name === "OptionsError" ? `${error.name}: ${error.message}` : String(error?.message ?? error);
  if (Array.isArray(error?.errors) && spec.bundler === "esbuild") {
    const esbuild = await import("esbuild");
    message = (await esbuild.formatMessages(error.errors, { kind: "error", color: false })).join("\n");
  } else if (error?.frame || error?.loc) {
    message = [message, error.loc ? `at ${error.loc.file ?? error.id}:${error.loc.line}:${error.loc.column}` : "", error.frame ?? ""].join("\n");
  }
  console.log(JSON.stringify({ ok: false, message }));
}
