/**
 * Source lines for printed stacks, as Python's linecache gives them: the transform records the
 * text of await sites, but the line that raised is known only by its number. Read from disk
 * where the host can (Node 20.16+: `process.getBuiltinModule`); elsewhere (a browser) there is
 * no line, and the frame prints without one.
 */

interface FileSystem {
  readFileSync(path: string, encoding: "utf8"): string;
}

const files = new Map<string, readonly string[] | null>();

function fileSystem(): FileSystem | undefined {
  const host = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return host?.getBuiltinModule?.("node:fs") as FileSystem | undefined;
}

/** The text of `line` (1-based) of `file`, trimmed, or undefined when it cannot be read. */
export function sourceLine(file: string, line: number): string | undefined {
  let lines = files.get(file);
  if (lines === undefined) {
    lines = null;
    try {
      const fs = fileSystem();
      if (fs !== undefined) lines = fs.readFileSync(file, "utf8").split(/\r?\n/);
    } catch {
      /* not a readable file: no line, as linecache gives none */
    }
    files.set(file, lines);
  }
  return lines?.[line - 1]?.trim();
}
