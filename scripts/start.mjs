// `npm start`: the server of this checkout with the local driver, so that a kubeconfig on the machine never sends
// clusters to whatever its current context points at. `--driver` (`npm start -- --driver kubernetes`) or
// OSHINKO_DRIVER chooses otherwise; any other argument goes to `oshinko serve` as well.
const args = process.argv.slice(2);
const chosen =
  (process.env.OSHINKO_DRIVER ?? '') !== '' ||
  args.some((arg) => arg === '--driver' || arg.startsWith('--driver='));
process.argv = [...process.argv.slice(0, 2), 'serve', ...(chosen ? [] : ['--driver', 'local']), ...args];
await import('../bin/oshinko.js');
