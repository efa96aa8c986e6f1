/**
 * Peak RSS of this process while something runs. Sampled every 250 ms: reading RSS costs a
 * /proc read each time, which at 50 ms showed up as ~3 % of a loaded bench's CPU profile.
 */
export function rssProbe(): { stop(): number } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 250);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage.rss());
    },
  };
}
