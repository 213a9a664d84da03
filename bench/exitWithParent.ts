// Preloaded (`node --require`) into every process the bench starts: if the bench dies without cleaning up
// (SIGKILL, OOM), the child notices its parent is gone within a second and exits instead of lingering.
const parentPid = process.ppid;

const watcher = setInterval(() => {
  if (process.ppid === parentPid) return;
  clearInterval(watcher);
  // SIGTERM first so the process's own shutdown runs; the unref'd timer only fires if that hangs.
  setTimeout(() => process.exit(1), 3000).unref();
  process.kill(process.pid, 'SIGTERM');
}, 1000);
// Never the reason a process stays alive.
watcher.unref();

// A module, not a script, so its names stay out of the global scope.
export {};
