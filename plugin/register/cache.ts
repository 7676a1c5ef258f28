/**
 * The hook's on-disk cache of compiled files, keyed by a hash of the source and of everything
 * else the output depends on, so that a warm start skips loading Babel altogether.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** Bump when the shape of an entry changes. */
const ENTRY_FORMAT = 1;

/** What a compiled file depends on, besides its source. */
export interface CacheKeyParts {
  readonly filename: string;
  readonly format: string;
  readonly mode: string;
  readonly runtime: string;
  readonly cwd: string;
  /** The compiler's identity: corotask's version and its build, so that a rebuild invalidates. */
  readonly compiler: string;
}

/** The hex SHA-256 of the source and its parts: an entry's name. */
export function cacheKey(source: string, parts: CacheKeyParts): string {
  const hash = createHash("sha256");
  hash.update(JSON.stringify([ENTRY_FORMAT, parts.compiler, parts.mode, parts.runtime, parts.format, parts.filename, parts.cwd]));
  hash.update("\0");
  hash.update(source);
  return hash.digest("hex");
}

/**
 * `node_modules/.cache/corotask` of the package that holds `cwd` (find-cache-dir's convention,
 * which build tools share and `rm -rf node_modules` clears), else one under the OS temp folder.
 */
export function defaultCacheDir(cwd: string): string {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "package.json"))) {
      const modules = path.join(dir, "node_modules");
      if (existsSync(modules)) return path.join(modules, ".cache", "corotask");
      break;
    }
    if (path.dirname(dir) === dir) break;
  }
  return path.join(os.tmpdir(), `corotask-cache-${os.userInfo().uid}`);
}

/** The cached output for `key`, or null. */
export function readCacheEntry(dir: string, key: string): string | null {
  try {
    return readFileSync(path.join(dir, key.slice(0, 2), `${key}.js`), "utf8");
  } catch {
    return null;
  }
}

/**
 * Stores `code` under `key`. Written to a temporary file then renamed, so that a reader in
 * another process sees a whole entry or none. Returns false when the cache cannot be written
 * (the caller warns once; the program still runs).
 */
export function writeCacheEntry(dir: string, key: string, code: string): boolean {
  const folder = path.join(dir, key.slice(0, 2));
  const file = path.join(folder, `${key}.js`);
  const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    mkdirSync(folder, { recursive: true });
    writeFileSync(temporary, code);
    renameSync(temporary, file);
    return true;
  } catch {
    return false;
  }
}

/** The compiler identity for {@link CacheKeyParts.compiler}: version plus the build time of `compilerFile`. */
export function compilerIdentity(version: string, compilerFile: string): string {
  let built = 0;
  try {
    built = statSync(compilerFile).mtimeMs;
  } catch {
    // No such file (running from sources): the version alone.
  }
  return `${version}@${built}`;
}
