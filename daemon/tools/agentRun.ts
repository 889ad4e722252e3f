/**
 * `sidereal agent run <agent> <file>`: runs one agent on one file, as the
 * daemon would (a worker thread, the time limit, the memory cap, its facts
 * checked against its schema), and prints what it emits as JSON. No database:
 * for agent authors while they write an agent.
 *
 *   sidereal agent run ./my-agent Light_M31_300s.fits
 *   sidereal agent run sidereal-agent-star-quality frame.fits --settings detectionSigma=8
 *   sidereal agent run ./my-agent frame.fits --facts earlier.json --with none
 *
 * Earlier facts: the built-in `file` agent runs first (format, frame type,
 * headers) unless `--with` names other built-ins (`--with file,platesolve`) or
 * `none`; `--facts f.json` adds or replaces facts ({ "agent": { …facts } }).
 * Exit status: 0 done or skipped, 1 the agent failed, 2 bad usage, 3 the
 * agent does not apply to this file (use --force to run it anyway).
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { STAGES, type Agent, type Facts, type FieldSchema, type ImageView, type Json, type Stage } from '../../agents/sdk/index.ts';
import type { Config } from '../config.ts';
import { builtinAgentSettings } from '../builtinAgentSettings.ts';
import { AgentHost } from '../agent-host/AgentHost.ts';
import { BUILTIN_AGENTS, applySettingsDefaults, builtinModulePath, checkAgentSdk, resolveAgentPackage, type RegisteredAgent } from '../agent-host/AgentRegistry.ts';
import { inspectAgentModule } from '../agent-host/inspectAgent.ts';
import { loadAgentModule, settingValueProblem } from '../agent-host/loadAgentModule.ts';
import { memoryResultStore } from '../catalog/processing/memoryResultStore.ts';
import { runRound } from '../catalog/processing/round.ts';
import { errorMessage } from '../errors.ts';
import { NEW_USAGE, runAgentNew } from './agentNew.ts';

const USAGE = `usage: sidereal agent run <agent-module-or-folder-or-package> <file> [options]

  --settings k=v     a setting of the agent (repeatable); values are read by the setting's type
  --facts f.json     earlier facts, { "<agent>": { ... } }, added to (and winning over) --with
  --with a,b|none    built-in agents to run first for earlier facts (default: file)
  --stage s          run only this one of the agent's stages
  --out dir          write the artifacts (thumbnails, overlays…) into dir
  --timeout s        time limit in seconds (default: the agent's, else SIDEREAL_AGENT_TIMEOUT_SECONDS)
  --memory mb        memory cap in MB (default SIDEREAL_AGENT_MEMORY_MB)
  --force            run even when the agent's appliesTo excludes the file
  --log-level l      level of the agent's log lines on standard error (default info)

Prints one JSON document on standard output; logs go to standard error.`;

export interface AgentRunReport {
  agent: { name: string; version: string; source: string };
  file: string;
  status: 'done' | 'skipped' | 'failed' | 'not-applicable';
  reason: string | null;
  stages: { stage: Stage; status: 'done' | 'skipped' | 'failed'; durationMs: number; error: string | null }[];
  facts: Facts | null;
  warnings: string[];
  artifacts: { name: string; contentType: string; bytes: number; savedTo: string | null }[];
  earlierFacts: string[];
}

/** Parses `k=v` by the setting's declared type. */
export function parseSettings(schema: Record<string, FieldSchema> | undefined, pairs: string[]): Record<string, Json> {
  const out: Record<string, Json> = {};
  const problems: string[] = [];
  for (const pair of pairs) {
    const i = pair.indexOf('=');
    if (i <= 0) {
      problems.push(`"${pair}" is not k=v`);
      continue;
    }
    const key = pair.slice(0, i);
    const raw = pair.slice(i + 1);
    const s = schema?.[key];
    if (!s) {
      problems.push(`${key}: no such setting${schema ? ` (known: ${Object.keys(schema).join(', ') || 'none'})` : ''}`);
      continue;
    }
    const value: Json = s.type === 'number' || s.type === 'integer' ? Number(raw) : s.type === 'boolean' ? (raw === 'true' ? true : raw === 'false' ? false : raw) : raw;
    const problem = settingValueProblem(s, value);
    if (problem) problems.push(`${key} ${problem}`);
    else out[key] = value;
  }
  if (problems.length) throw new UsageError(problems.join('; '));
  return out;
}

class UsageError extends Error {}

export async function runAgentOnFile(options: {
  source: string;
  file: string;
  settings?: string[];
  factsFile?: string;
  with?: string[];
  stage?: Stage;
  outDir?: string;
  timeoutSeconds?: number;
  memoryMb: number;
  defaultTimeoutSeconds: number;
  force?: boolean;
  logLevel?: string;
  /** the host configuration that built-in agents take as settings ({@link builtinAgentSettings}), per agent name; --settings win */
  hostSettings?: Record<string, Record<string, Json>>;
}): Promise<AgentRunReport> {
  const filePath = resolve(options.file);
  const st = await stat(filePath).catch(() => null);
  if (!st?.isFile()) throw new UsageError(`${options.file} is not a file`);
  const resolved = resolveAgentPackage(options.source);
  checkAgentSdk(resolved);
  const manifest = await inspectAgentModule(resolved.modulePath, { timeoutMs: 30_000 });
  const agent = { ...manifest, run: async () => ({ facts: {} }) } as Agent;
  const log = pino({ level: options.logLevel ?? 'info' }, pino.destination({ fd: 2, sync: true }));
  // agents in the worker threads log to standard error too: standard output is the report's
  process.env.SIDEREAL_AGENT_LOG_FD = '2';
  const host = new AgentHost({ threads: 1, memoryMb: options.memoryMb, defaultTimeoutSeconds: options.defaultTimeoutSeconds, log });
  const registered = (a: Agent, modulePath: string, builtin: boolean, settings: Record<string, Json> = {}): RegisteredAgent => ({
    agent: options.timeoutSeconds && !builtin ? { ...a, timeoutSeconds: options.timeoutSeconds } : a,
    modulePath,
    builtin,
    source: builtin ? 'builtin' : options.source,
    enabled: true,
    position: 0,
    settings: applySettingsDefaults(a.settings, { ...(options.hostSettings?.[a.name] ?? {}), ...settings }),
  });
  const image: ImageView = { id: '00000000-0000-0000-0000-000000000000', source: 'cli', path: basename(filePath), sizeBytes: st.size, modifiedAt: st.mtime.toISOString(), fingerprint: `${st.size}:${st.mtimeMs}` };
  const report: AgentRunReport = { agent: { name: agent.name, version: agent.version, source: resolved.modulePath }, file: filePath, status: 'done', reason: null, stages: [], facts: null, warnings: [], artifacts: [], earlierFacts: [] };
  try {
    const settings = parseSettings(agent.settings, options.settings ?? []);
    if (options.stage && !agent.stages.includes(options.stage)) throw new UsageError(`--stage: ${agent.name} contributes to ${agent.stages.join(', ')}, not ${options.stage}`);
    const builtins = options.with ?? ['file'];
    for (const name of builtins) if (!BUILTIN_AGENTS.includes(name)) throw new UsageError(`--with: ${name} is not a built-in agent (${BUILTIN_AGENTS.join(', ')})`);
    const earlierAgents = await Promise.all(builtins.map(async (name) => registered(await loadAgentModule(builtinModulePath(name)), builtinModulePath(name), true)));
    // the engine's round (catalog/processing/round.ts) with a store in memory; one pixel round for
    // both rounds, so the file is decoded once for all the agents that read pixels
    const pixels = host.openRound();
    const round = { host, image, localPath: async () => filePath, log, maxAttempts: 1, pixels };
    try {
      // earlier facts: the built-ins (a failure is logged by the round and leaves their facts out), then the file
      const facts = (await runRound({ ...round, store: memoryResultStore(), agents: earlierAgents })).facts;
      if (options.factsFile) {
        const given = JSON.parse(await readFile(options.factsFile, 'utf8')) as Record<string, Facts>;
        if (!given || typeof given !== 'object' || Array.isArray(given)) throw new UsageError('--facts: the file must hold { "<agent>": { ...facts } }');
        for (const [k, v] of Object.entries(given)) facts[k] = { ...(facts[k] ?? {}), ...v };
      }
      report.earlierFacts = Object.keys(facts);
      const me = registered(agent, resolved.modulePath, false, settings);
      const store = memoryResultStore();
      const done = await runRound({
        ...round,
        store,
        agents: [me],
        facts,
        force: options.force ? new Set([agent.name]) : undefined,
        onlyStage: options.stage ? new Map([[agent.name, options.stage]]) : undefined,
        onProgress: (_a, f, m) => log.debug({ progress: Math.round(f * 100), message: m }, 'progress'),
      });
      const planned = store.steps.find((st) => !st.ran);
      if (planned) {
        // the round's planner decided: appliesTo excludes the file
        report.status = 'not-applicable';
        report.reason = planned.error;
        return report;
      }
      for (const st of store.steps) {
        report.stages.push({ stage: st.stage, status: st.status, durationMs: st.durationMs, error: st.error });
        report.warnings.push(...(st.warnings ?? []));
        if (st.status !== 'done' && report.status === 'done') {
          report.status = st.status;
          report.reason = st.error;
        }
      }
      for (const a of store.artifacts) {
        let savedTo: string | null = null;
        if (options.outDir) {
          savedTo = join(resolve(options.outDir), `${agent.name}-${a.name}${extension(a.contentType)}`);
          await mkdir(dirname(savedTo), { recursive: true });
          await writeFile(savedTo, a.data);
        }
        report.artifacts.push({ name: a.name, contentType: a.contentType, bytes: a.data.byteLength, savedTo });
      }
      const own = done.facts[agent.name];
      report.facts = own && (Object.keys(own).length || report.status === 'done') ? own : report.status === 'done' ? {} : null;
      return report;
    } finally {
      pixels.close();
    }
  } finally {
    await host.close();
  }
}

function extension(contentType: string): string {
  return ({ 'image/jpeg': '.jpg', 'image/png': '.png', 'image/webp': '.webp', 'image/svg+xml': '.svg', 'application/json': '.json' } as Record<string, string>)[contentType] ?? '.bin';
}

/** Entry from `sidereal agent …` (daemon/cli.ts). */
export async function run(args: string[], config: Config): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'new') return runAgentNew(rest);
  if (sub !== 'run') {
    process.stderr.write(`${USAGE}\n\n${NEW_USAGE}\n`);
    return sub === 'help' || sub === '--help' ? 0 : 2;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        settings: { type: 'string', multiple: true },
        facts: { type: 'string' },
        with: { type: 'string' },
        stage: { type: 'string' },
        out: { type: 'string' },
        timeout: { type: 'string' },
        memory: { type: 'string' },
        force: { type: 'boolean' },
        'log-level': { type: 'string' },
      },
    });
  } catch (err) {
    process.stderr.write(`${errorMessage(err)}\n\n${USAGE}\n`);
    return 2;
  }
  const [source, file] = parsed.positionals;
  const v = parsed.values;
  if (!source || !file || parsed.positionals.length > 2) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  if (v.stage && !(STAGES as readonly string[]).includes(v.stage)) {
    process.stderr.write(`--stage must be one of ${STAGES.join(', ')}\n`);
    return 2;
  }
  try {
    const report = await runAgentOnFile({
      source,
      file,
      settings: v.settings,
      factsFile: v.facts,
      with: v.with === undefined ? undefined : v.with === 'none' ? [] : v.with.split(',').map((s) => s.trim()).filter(Boolean),
      stage: v.stage as Stage | undefined,
      outDir: v.out,
      timeoutSeconds: v.timeout ? Number(v.timeout) : undefined,
      memoryMb: v.memory ? Number(v.memory) : config.agentMemoryMb,
      defaultTimeoutSeconds: config.agentTimeoutSeconds,
      force: v.force,
      logLevel: v['log-level'],
      hostSettings: builtinAgentSettings(config),
    });
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return report.status === 'failed' ? 1 : report.status === 'not-applicable' ? 3 : 0;
  } catch (err) {
    process.stderr.write(`${err instanceof UsageError ? '' : 'error: '}${errorMessage(err)}\n`);
    return err instanceof UsageError ? 2 : 1;
  }
}
