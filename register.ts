// `node -r sonde/register app.js` / `node --import sonde/register app.js`:
// installs the runtime hooks that fire probes and feed collectors. Never throws into the host.
// (filled in by the static-probes work)
export {}
