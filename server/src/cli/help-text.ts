export function mainHelp(version: string): string {
  return `loopedge ${version} — industrial edge flow runtime (runs Node-RED flow files)

Usage:
  loopedge start [options]   run a flow file until stopped (SIGINT/SIGTERM)
  loopedge --help            show this help (loopedge start --help for the options)
  loopedge --version         print the version

Exit codes: 0 stopped cleanly, 1 failed, 2 bad arguments, flow file or settings.
`;
}

export function startHelp(): string {
  return `Usage: loopedge start [--flows FILE] [--data DIR] [--port N] [--host H] [--log-level LEVEL]

Options:
  -f, --flows FILE       flow file (Node-RED flow JSON). Default: DATA/flows.json; on
                         first start the bundled demo flow is written there.
  -d, --data DIR         data folder (context store, settings.json). Default:
                         $LOOPEDGE_DATA, else ~/.loopedge (created with mode 0700).
  -p, --port N           port of the admin API (not part of this build yet).
      --host H           address of the admin API (not part of this build yet).
      --log-level LEVEL  fatal, error, warn, info (default), debug, trace or silent;
                         also $LOOPEDGE_LOG_LEVEL.
  -h, --help             show this help.

Output: logs are JSON lines on stderr; debug nodes set to "system console" write
one JSON line per message on stdout.

DATA/settings.json (optional), Node-RED style context stores:
  { "contextStorage": { "default": "memory", "file": "sqlite" } }
"sqlite" keeps values in DATA/context.sqlite across restarts (flow.get("x", "file")).
`;
}
