/** Thrown for user mistakes on the command line: printed as one sentence, exit code 2, no stack. */
export class UsageError extends Error {
  override name = 'UsageError'
}

export const USAGE = `Usage: gridforge <command> [options]

Commands:
  serve  [--host 127.0.0.1] [--port 5199] [--token T | --new-token] [--api [--api-port 5001] [--api-host 127.0.0.1]]
                                                        headless host and web UI (its access token is kept in the
                                                        data folder; --new-token replaces it); --api also serves the local
                                                        OpenAI/KoboldAI API; --recover backup|fresh opens the
                                                        latest backup of a damaged history or starts a new one
                                                        (the damaged file is kept)
         [--allowed-host NAME]…                         also answer to NAME on any port, http or https (a LAN name
                                                        such as rig1.local, a reverse proxy's); env GRIDFORGE_ALLOWED_HOSTS
                                                        (comma-separated); other names are refused (DNS rebinding)
         [--metrics-port N [--metrics-host 127.0.0.1]]  Prometheus metrics on http://127.0.0.1:N/metrics
  worker --network aipg|horde [--grid-url URL] --api-key-file F --model PATH|ID --name NAME
         [--slots N|auto] [--max-jobs N] [--max-length N] [--max-context N]   earn: run grid jobs headless (auto,
                                                        the default: the slots that run fastest on this PC)
         [--metrics-port N [--metrics-host 127.0.0.1]]  Prometheus metrics on http://127.0.0.1:N/metrics
  worker --backend openai|kobold --backend-url URL --backend-model NAME [--backend-key-file F] [--grid-model NAME]
         --network aipg|horde --api-key-file F --name NAME [--slots N] [--max-jobs N] [--max-length N] [--max-context N]
                                                        earn through an inference server you already run (bridge mode)
  worker --backends-file F.json --network aipg|horde --api-key-file F --name NAME [--max-jobs N]
                                                        several servers or models at once: a JSON list of
                                                        {backend, url, model, gridModel?, keyFile?, slots?, maxLength?, maxContext?}
  worker --self-test --backend openai --backend-url URL --backend-model NAME [--backend-key-file F] [--max-length N] [--max-context N] [--seed N]
                                                        the grid validators' tests against the bridged model
  worker --self-test --model PATH|ID [--max-length N] [--max-context N] [--seed N]
                                                        run the grid validators' tests locally; exit 1 when not ready
  chat   --model PATH|ID [--system TEXT] "prompt"           one-shot local chat, streams the reply to stdout
  models list                                          registered models, the catalog and this PC's fit
  models pull <catalog-id|hf:user/repo[:quant]|hf:user/repo/file.gguf|https://…> [--sha256 HEX]
                                                        download (resumable, verified) and register a model
  models add <file|folder>                              register models in place (LM Studio, Ollama folders)
  models rm <id>                                       forget a model (deletes the file only if GridForge downloaded it)
  models info <path|url>                               a GGUF's header (a URL reads only the header)
  engine status [--json]                               which engine runs: the standard one, or one optimized for this PC
  engine optimize [--model PATH|ID] [--json]           build the engine for this PC (OpenMP, this CPU's instructions) from
                                                        the source GridForge ships, check it on the model (default: the
                                                        smallest in the models folder), use it from the next engine start
  engine use standard|optimized                        which engine the next engine start loads
  identity show [--json]                               this rig's worker key (created if missing) and its delegation
  identity request --payout-wallet 0x… --name NAME [--valid-days N] [--json]
                                                        the delegation for your wallet to sign, and the exact message
  identity install --signature 0x… [--json]            check the wallet's signature and save the delegation
  identity enroll --name NAME --api-key-file F [--grid-url URL] [--valid-days N] [--json]
                                                        one-click enrollment: approve in the AIPG console, key to F
  status [--json]                                      engine, model, miner, grid, identity, last job, metrics URL
  status --fleet [--api-key-file F] [--name NAME] [--json]
                                                        … plus every rig of the account: state, models, speed, last
                                                        seen, earnings; offline ones flagged, this rig marked
  service install|uninstall|status worker|serve [--scope user|system] [--dry-run] [--prefix DIR] [its options]
                                                        run worker or serve as a service restarted on failure: a systemd
                                                        unit (Linux), launchd agent (macOS), scheduled task (Windows);
                                                        keys stay in their files, --dry-run prints what it would write
  bench  [--json] [--reference] [--quick]               the benchmark harness

Every command takes --data-dir DIR (default: the app-data folder; env GRIDFORGE_DATA_DIR)
and --threads N (default: chosen per model).`
