// What the CLI prints when a command fails before or while starting: one clear line per known cause (a taken
// port, a missing file, a composition or config error), the stack only when the config logs at debug or trace.

interface SystemError extends Error {
  code?: string;
  syscall?: string;
  address?: string;
  port?: number;
  path?: string;
}

/** One line for the operator: what failed and what to do about it. */
export function describeStartupError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const { code, syscall, address, port, path } = error as SystemError;
  if (syscall === 'listen' && code === 'EADDRINUSE') {
    return `port ${port} on ${address} is already in use: stop what holds it, or choose another port with --port N (server.port in the config; 0 takes a free one)`;
  }
  if (syscall === 'listen' && code === 'EACCES') return `port ${port} on ${address} needs privileges this process does not have: choose a port above 1023 with --port N`;
  if (syscall === 'listen' && code === 'EADDRNOTAVAIL') return `${address} is not an address of this machine: choose another with --host (server.host)`;
  if (code === 'ENOENT' && path) return `cannot read ${path}: no such file`;
  if (code === 'EACCES' && path) return `cannot read ${path}: permission denied`;
  return error.message;
}

/** Print the failure; `withStack` at debug/trace. */
export function reportStartupError(error: unknown, withStack: boolean, print: (line: string) => void = (line) => console.error(line)): void {
  print(`tollgate: ${describeStartupError(error)}`);
  if (withStack && error instanceof Error && error.stack) print(error.stack);
}
