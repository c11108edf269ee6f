/** Reports `done` of `total` on stderr: one redrawn bar on a terminal, a few percentage lines in a log. */
export function progressReporter(label: string, stream: NodeJS.WriteStream = process.stderr): { onProgress: (done: number, total: number) => void; finish(): void } {
  const tty = stream.isTTY === true;
  let drawn = false;
  let lastDraw = 0;
  let lastQuarter = -1;
  return {
    onProgress(done, total) {
      const ratio = total > 0 ? Math.min(1, done / total) : 1;
      const pct = Math.floor(ratio * 100);
      if (tty) {
        const now = Date.now();
        if (now - lastDraw < 100 && ratio < 1) return;
        lastDraw = now;
        const width = 30;
        const filled = Math.round(ratio * width);
        stream.write(`\r${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(pct).padStart(3)}% ${done}/${total}`);
        drawn = true;
      } else {
        const quarter = Math.floor(pct / 25);
        if (quarter === lastQuarter) return;
        lastQuarter = quarter;
        stream.write(`${label}: ${pct}% (${done}/${total})\n`);
      }
    },
    finish() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}
