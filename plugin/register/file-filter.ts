/**
 * include/exclude (CONTRACT section 2) as one predicate over absolute file names: globs with
 * picomatch, relative ones resolved against the working directory, as the bundler plugins'
 * filters (rollup's createFilter) read them.
 */
import * as path from "node:path";
import picomatch from "picomatch";

/** True for the files to compile: matched by `include` (or include is empty) and not by `exclude`. */
export function createFileFilter(include: readonly string[], exclude: readonly string[], cwd: string): (file: string) => boolean {
  const matcher = (patterns: readonly string[]) => (patterns.length === 0 ? null : picomatch(patterns.map((p) => absolutePattern(p, cwd)), { dot: true }));
  const included = matcher(include);
  const excluded = matcher(exclude);
  return (file) => {
    const normal = file.split(path.sep).join("/");
    return (included === null || included(normal)) && (excluded === null || !excluded(normal));
  };
}

/** "src/**" -> "/cwd/src/**"; patterns that start with "**" or are absolute stay (rollup's createFilter does the same). */
function absolutePattern(pattern: string, cwd: string): string {
  if (path.isAbsolute(pattern) || pattern.startsWith("**")) return pattern.split(path.sep).join("/");
  return path.posix.join(cwd.split(path.sep).join("/"), pattern);
}
