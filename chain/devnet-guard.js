// Preloaded into the devnet process (NODE_OPTIONS=--require) by chain/devnet.ts: if the parent
// that started the devnet dies without stopping it (even by SIGKILL), the devnet exits too.
// Plain JS because it runs in a bare node process, outside the TypeScript build.
const parentPid = Number(process.env.GRIDMIND_DEVNET_PARENT_PID);
if (parentPid > 0) {
  const timer = setInterval(() => {
    try {
      process.kill(parentPid, 0);
    } catch {
      process.exit(0);
    }
    if (process.ppid !== parentPid) process.exit(0);
  }, 500);
  timer.unref();
}
