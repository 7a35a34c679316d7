export function mainHelp(version: string): string {
  return `loopedge ${version} — industrial edge flow runtime (runs Node-RED flow files)

Usage:
  loopedge start [options]   run the flows and the HTTPS admin API until stopped (SIGINT/SIGTERM)
  loopedge users add [opts]  create a user (e.g. the first administrator)
  loopedge update ACTION     pack, inspect or apply signed, encrypted update packages
  loopedge supervise [opts]  run "start" from DATA/releases/current, restart it, roll back a bad update
  loopedge keys generate     make an Ed25519 key pair for signing flow deploys (loopedge keys --help)
  loopedge flows ACTION      sign, verify or deploy a signed flow file (loopedge flows --help)
  loopedge --help            show this help (loopedge start --help, loopedge users --help)
  loopedge --version         print the version

Exit codes: 0 stopped cleanly, 1 failed, 2 bad arguments, flow file or settings.
`;
}

export function startHelp(): string {
  return `Usage: loopedge start [--flows FILE] [--data DIR] [--port N] [--host H]
                      [--http-redirect-port N] [--log-level LEVEL]

Options:
  -f, --flows FILE       flow file (Node-RED flow JSON). Default: DATA/flows.json; on
                         first start the bundled demo flow is written there. Deploys
                         through the admin API are saved to this file.
  -d, --data DIR         data folder (context store, settings.json, users, keys and
                         certificates). Default: $LOOPEDGE_DATA, else ~/.loopedge
                         (created with mode 0700).
  -p, --port N           HTTPS port of the admin API. Default $LOOPEDGE_PORT, else 1880
                         (0 picks a free one).
      --host H           address the admin API listens on. Default 127.0.0.1 (this
                         machine only); 0.0.0.0 for every network.
      --http-redirect-port N
                         also listen for plain HTTP on N, only to redirect to HTTPS.
      --log-level LEVEL  fatal, error, warn, info (default), debug, trace or silent;
                         also $LOOPEDGE_LOG_LEVEL.
  -h, --help             show this help.

First start: LoopEdge makes a device CA and a server certificate (download the CA
at https://HOST:PORT/api/certificates/ca to trust it) and, while no user exists,
prints a one-time setup link (valid 1 hour) to create the first administrator.

Output: logs are JSON lines on stderr; debug nodes set to "system console" write
one JSON line per message on stdout.

DATA/settings.json (optional), Node-RED style context stores:
  { "contextStorage": { "default": "memory", "file": "sqlite" } }
"sqlite" keeps values in DATA/context.sqlite across restarts (flow.get("x", "file")).
`;
}

export function usersHelp(): string {
  return `Usage: loopedge users add --username NAME [--role ROLE] [--data DIR]

Creates a user in the data folder. The password is read from standard input
(one line, e.g. from a secrets file) or, at a terminal, asked for twice without
echo. At least 12 characters, not a common password, not containing the username.

Options:
  -u, --username NAME  the new user's name.
  -r, --role ROLE      admin (default), editor, operator or viewer.
  -d, --data DIR       data folder. Default: $LOOPEDGE_DATA, else ~/.loopedge.
  -h, --help           show this help.
`;
}

export function updateHelp(): string {
  return `Usage:
  loopedge update pack --module KIND:NAME=DIR [--module ...] --version V --target MODEL[/GROUP]
                       --sign RELEASE_KEY.pem --encrypt-to DEVICE_PUB.pem -o FILE.upd
                       [--min-from V] [--rollback] [--notes TEXT|FILE] [--entry PATH]
  loopedge update inspect FILE.upd [--data DIR]   decrypt and verify everything, list it; changes nothing
  loopedge update apply FILE.upd [--data DIR] [--health-timeout SECONDS]
  loopedge update key [--data DIR]               print this device's public update key (made on first use)
  loopedge update trust add --key PUB.pem --name N --owner O [--expires ISO] [--data DIR]
  loopedge update trust list | revoke KEY_ID [--reason TEXT]

Packages are signed (JWS, EdDSA) by a release key the device trusts and encrypted
(JWE, ECDH-ES+A256KW / A256GCM) to the device's update key. KIND is runtime, nodes,
flows or config; --entry is the runtime's start script, e.g. modules/loopedge/start.mjs.
Apply checks signature, key trust, target (DATA/device.json: {"model": "...",
"groups": [...]}), version (no downgrade unless --rollback was signed), every module's
SHA-256 and free disk space before anything changes; it then stages the release under
DATA/releases/<version>/, switches DATA/releases/current, and health-checks it; a
release that fails is switched back. Every step is in the audit log.
`;
}

export function superviseHelp(): string {
  return `Usage: loopedge supervise [--data DIR] [--health-timeout SECONDS] [start options...]

Runs "loopedge start [start options...]" from DATA/releases/current (this
installation when no update was installed) and keeps it running: the command for
a service manager (systemd ExecStart=). It
  - forwards SIGTERM/SIGINT and exits when LoopEdge has stopped (0 after a clean stop);
  - restarts LoopEdge with back-off (1 s doubling to 30 s) when it exits unexpectedly
    (not after exit code 2 before it was ever up: fix the arguments, flows or settings);
  - after an update applied through the admin API, LoopEdge exits with code 75 and is
    started again at once from the new DATA/releases/current; if it does not print its
    ready line within --health-timeout (default 60 s) or exits before, current is
    switched back to DATA/releases/previous, that release is started, and the rollback
    is written to the audit log.
LoopEdge runs with a heap limit of 512 MB (a quarter of the RAM on devices with
less than 2 GB), which keeps its memory close to its live data under load; set
LOOPEDGE_MAX_HEAP_MB to change it (whole megabytes, at least 128).

Options:
  -d, --data DIR             data folder. Default: $LOOPEDGE_DATA, else ~/.loopedge.
      --health-timeout S     health deadline after a restart for an update. Default 60.
  start options              as "loopedge start --help" lists them, passed on.
`;
}

export function keysHelp(): string {
  return `Usage: loopedge keys generate --out DIR [--name NAME]

Makes an Ed25519 key pair for signing flow deploys: DIR/NAME.key (PKCS#8 PEM,
mode 0600; keep it in the pipeline's secrets) and DIR/NAME.pub (SPKI PEM). Prints
the key id (RFC 7638 thumbprint) on stdout. Existing files are never overwritten.
An admin registers NAME.pub on each device for flow deploys before it can deploy.

Options:
  -o, --out DIR     folder for the two files (created with mode 0700).
  -n, --name NAME   file name without extension. Default: flows-signing.
`;
}

export function flowsHelp(): string {
  return `Usage:
  loopedge flows sign FLOWS.json --key KEY --target T --version N [--prev HASH] [--out FILE]
  loopedge flows verify FLOWS.json --signature FILE --pub PUBKEY
  loopedge flows deploy FLOWS.json --url URL --key KEY [--token TOKEN] [--ca CA.pem] [--target T]

sign     writes a detached JWS (EdDSA) over the canonical (RFC 8785) flow set, layout
         included, to FILE (default FLOWS.json.jws). T is a device id or group:NAME;
         N must be greater than the device's version; HASH is the SHA-256 of the
         flows it replaces (GET /api/flows → signing.hash; none for the first).
verify   checks the signature against one public key, offline, and prints its header.
         Exit 1 with the reason when the flows or the signature were changed.
deploy   reads the device's version and hash (GET /api/flows), signs FLOWS.json as the
         next version for the device (or --target) and deploys it in full. The API
         token (scope flows:write) comes from --token or LOOPEDGE_TOKEN; --ca is the
         device CA (https://HOST:PORT/api/certificates/ca). A refusal prints the
         server's reason and exits 1.

FLOWS.json is Node-RED flow JSON: the array, or { "flows": [...] }.
`;
}
