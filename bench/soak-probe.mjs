// Loaded into the server under soak (`node --expose-gc --import`, see bench/soak.ts), never in production: asked over
// the IPC channel, it runs a full garbage collection and answers the process's memory, so that samples compare
// what stays alive, not where the collector happened to be. Plain JavaScript: the server may be the build, without tsx.
process.on('message', (m) => {
  if (m !== 'measure') return;
  globalThis.gc?.();
  const { heapUsed, rss, external } = process.memoryUsage();
  process.send?.({ heapUsed, rss, external });
});
