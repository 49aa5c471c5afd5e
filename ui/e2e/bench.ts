// Helpers of the desktop app's benchmark (app.bench-e2e.ts): the registers
// it opens, its own tauri-driver (on other ports than the end-to-end
// suite's, so both can run at once), the app's processes and their memory
// read from /proc, and percentiles. Linux only, like the end-to-end suite.

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { Builder, type WebDriver } from "selenium-webdriver";
import { APP, driverPid, sleep, startDriver, stopDriver } from "./harness";

export const ROOT = resolve(import.meta.dirname, "../..");
export { APP };
/** tauri-driver's port; WebKitWebDriver gets the next one. */
const PORT = Number(process.env.TACCUINO_BENCH_PORT ?? 4460);

/** Where the registers are kept between runs (generation takes ~15 s for the large one). */
export const REGISTERS = process.env.TACCUINO_BENCH_REGISTERS ?? join(ROOT, "target/bench/registers");
/** The figures as JSON. */
export const OUT = process.env.TACCUINO_BENCH_JSON ?? join(ROOT, "target/bench/app.json");
/** Fresh app processes per data set. */
export const RUNS = Number(process.env.TACCUINO_BENCH_RUNS ?? 5);
export const PASSPHRASE = "quaderno a righe 7";

/**
 * The register maker (src-tauri/examples/bench_register.rs), built in the
 * same profile as the app: target/debug/taccuino goes with
 * target/debug/examples/bench_register.
 */
export const REGISTER_MAKER = process.env.TACCUINO_BENCH_REGISTER ?? join(dirname(APP), "examples/bench_register");

/** What the register maker measured outside the window (see its doc). */
export interface RegisterFigures {
  kdf: string;
  kdf_ms: number[];
  store_open_ms: number[];
  /** The Argon2id parameters the app would choose on this machine, and the unwrap's time with them. */
  calibrated_kdf: string;
  calibrated_kdf_ms: number;
  generation_s: number | null;
  register_mib: number;
  profile: string;
}

/** Makes the register `name` (unless kept from an earlier run) and returns its directory and figures. */
export function ensureRegister(name: string, size: "large" | "one-lab"): { dir: string; figures: RegisterFigures } {
  if (!existsSync(REGISTER_MAKER)) {
    throw new Error(
      `${REGISTER_MAKER} is missing: cargo build -p taccuino-app --example bench_register (add --release for a release app)`,
    );
  }
  const dir = join(REGISTERS, name);
  mkdirSync(REGISTERS, { recursive: true });
  const out = execFileSync(REGISTER_MAKER, [dir, size, PASSPHRASE], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  const lines = out.trim().split("\n");
  for (const line of lines.slice(0, -1)) console.log(`  ${line}`);
  const last = lines.at(-1) ?? "";
  if (!last.startsWith("json: ")) throw new Error(`unexpected output of ${REGISTER_MAKER}: ${out}`);
  return { dir, figures: JSON.parse(last.slice("json: ".length)) as RegisterFigures };
}

/** Starts tauri-driver (and through it WebKitWebDriver) on the bench's port. */
export async function startBenchDriver(): Promise<void> {
  await startDriver(PORT);
}

export const stopBenchDriver = stopDriver;

export async function launchApp(dataDir: string): Promise<WebDriver> {
  const caps = {
    browserName: "wry",
    "tauri:options": { application: APP, args: ["--data-dir", dataDir] },
  };
  const d = await new Builder().usingServer(`http://127.0.0.1:${PORT}/`).withCapabilities(caps).build();
  await d.manage().setTimeouts({ implicit: 0, script: 60_000 });
  return d;
}

// ---- processes and memory, from /proc -------------------------------------

interface Proc {
  pid: number;
  ppid: number;
  /** The executable's file name (from the command line: /proc/PID/comm is cut at 15 characters). */
  name: string;
  cmdline: string[];
}

function readProc(pid: number): Proc | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The name in parentheses may hold spaces: the fields start after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter((s) => s !== "");
    return { pid, ppid: Number(fields[1]), name: basename(cmdline[0] ?? "?"), cmdline };
  } catch {
    return null; // Gone meanwhile.
  }
}

function allProcs(): Proc[] {
  return readdirSync("/proc")
    .filter((e) => /^\d+$/.test(e))
    .map((e) => readProc(Number(e)))
    .filter((p): p is Proc => p !== null);
}

/** `root` and every process below it. */
function tree(root: number, procs: Proc[]): Proc[] {
  const out: Proc[] = [];
  const todo = [root];
  while (todo.length > 0) {
    const pid = todo.pop() as number;
    const p = procs.find((x) => x.pid === pid);
    if (p) out.push(p);
    for (const c of procs) if (c.ppid === pid) todo.push(c.pid);
  }
  return out;
}

/**
 * The app's processes: the app binary started by this benchmark's
 * tauri-driver (through WebKitWebDriver), and the processes it started
 * (WebKitWebProcess, WebKitNetworkProcess, a sandbox's bwrap if any). Found
 * by walking the process tree down from our tauri-driver, so that another
 * copy of the app running on the machine is not counted.
 */
export function appProcesses(): Proc[] {
  const driver = driverPid();
  if (driver === undefined) return [];
  const procs = allProcs();
  const app = tree(driver, procs).find((p) => p.cmdline[0] === APP || p.cmdline[0] === resolve(APP));
  return app ? tree(app.pid, procs) : [];
}

/** When `pid` started, in milliseconds since the epoch (resolution: one clock tick, 10 ms). */
export function processStartMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // Field 22 of stat (starttime, in clock ticks since boot) is the 20th after the name.
  const ticks = Number(fields[19]);
  // The boot time from /proc/uptime (10 ms resolution), not /proc/stat's
  // btime, which is rounded to the second.
  const bootMs = Date.now() - Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]) * 1000;
  return bootMs + (ticks * 1000) / clockTicks();
}

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  ticksPerSecond ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  return ticksPerSecond;
}

/** Memory of one process, in MiB. */
export interface ProcMemory {
  pid: number;
  name: string;
  /** Resident set (VmRSS): counts shared libraries in full in every process. */
  rss: number;
  /** Proportional set size (Pss): shared pages split between their users, so the sum is meaningful. */
  pss: number;
  /** Peak resident set so far (VmHWM). */
  hwm: number;
}

function kib(text: string, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(text);
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

export function memoryOf(p: Proc): ProcMemory | null {
  try {
    const status = readFileSync(`/proc/${p.pid}/status`, "utf8");
    let pss = Number.NaN;
    try {
      pss = kib(readFileSync(`/proc/${p.pid}/smaps_rollup`, "utf8"), "Pss");
    } catch {
      // No smaps_rollup (old kernel, or no permission).
    }
    return { pid: p.pid, name: p.name, rss: kib(status, "VmRSS"), pss, hwm: kib(status, "VmHWM") };
  } catch {
    return null;
  }
}

/** The app's processes' memory, biggest first, with totals. */
export function appMemory(): { processes: ProcMemory[]; total_rss: number; total_pss: number } {
  const processes = appProcesses()
    .map(memoryOf)
    .filter((m): m is ProcMemory => m !== null && !Number.isNaN(m.rss) && m.rss > 0)
    .sort((a, b) => b.rss - a.rss);
  const sum = (f: (m: ProcMemory) => number) => processes.reduce((s, m) => s + f(m), 0);
  return { processes, total_rss: sum((m) => m.rss), total_pss: sum((m) => m.pss) };
}

/** Waits until the app started for the previous session is gone (quit closes it). */
export async function waitAppGone(timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (appProcesses().length > 0) {
    if (Date.now() > until) throw new Error("the previous app process did not exit");
    await sleep(50);
  }
}

// ---- figures ---------------------------------------------------------------

export interface Stats {
  n: number;
  min: number;
  p50: number;
  p95: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentiles, as the Rust benchmarks report them. */
export function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const rank = (p: number) => s[Math.min(s.length, Math.max(1, Math.ceil(p * s.length))) - 1] ?? Number.NaN;
  return {
    n: s.length,
    min: s[0] ?? Number.NaN,
    p50: rank(0.5),
    p95: rank(0.95),
    max: s.at(-1) ?? Number.NaN,
    mean: s.reduce((a, b) => a + b, 0) / Math.max(1, s.length),
  };
}

export const ms = (x: number) => (Number.isNaN(x) ? "–" : x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(1)} ms`);
export const mib = (x: number) => (Number.isNaN(x) ? "–" : `${x.toFixed(0)} MiB`);

/** A plain text table, first column left-aligned and the others right-aligned. */
export function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ");
  return [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

export function writeJson(data: unknown): void {
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, `${JSON.stringify(data, null, 2)}\n`);
}
