// Preloaded (node -r) into every process `npm start` runs: when the orchestrator goes away, even by
// SIGKILL, its IPC channel closes and the child stops itself through its own SIGTERM handler.
// Plain JS because it runs before any TypeScript is loaded.
if (process.send) {
  process.on('disconnect', () => {
    process.kill(process.pid, 'SIGTERM');
    setTimeout(() => process.exit(1), 5000).unref();
  });
}
