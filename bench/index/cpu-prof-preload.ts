// Preloaded (NODE_OPTIONS=--require) into our indexer's supervisor and worker when the benchmark
// profiles them: Node refuses --cpu-prof in NODE_OPTIONS, and the supervisor spawns the worker with
// its own environment but no exec arguments. Writes <dir>/<pid>.cpuprofile when the process exits.
import fs from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';

const dir = process.env.BENCH_CPU_PROF_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  // 1 ms samples: the default (1 ms on Linux) made explicit, so runs compare.
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');
  // The in-process inspector answers synchronously, so this works in an 'exit' handler.
  process.on('exit', () => {
    session.post('Profiler.stop', (err, res) => {
      if (!err) fs.writeFileSync(path.join(dir, `${process.pid}.cpuprofile`), JSON.stringify(res.profile));
    });
  });
}
