/**
 * Runs a scenario against this run's image ids: makes its shared folder (a
 * volume of this run), runs the setup steps, starts the services in order in
 * one network namespace (the first service's, loopback only), waits for each
 * readiness probe, runs the test commands, and tears everything down in
 * `finally`, also on failure, time-out and interrupt. When anything fails,
 * the logs of every service are printed.
 */
import type { ContainerClient, RunningService } from '@imgmono/engine';
import { readFiles } from './container-files';
import { ImageFacts, RecordFacts, Verdict, judgeCommand } from '@imgmono/image-test-spec';
import { CheckResult, OUTPUT_TAIL_LINES, formatCheckLine, lastLines } from './run-image-tests';
import type { Scenario, ScenarioService, ScenarioTest } from '@imgmono/image-test-spec';

export interface ScenarioRun {
  subject: string;
  scenario: Scenario;
  /** This run's image of every project the scenario names. */
  images: Map<string, { facts: ImageFacts; record: RecordFacts }>;
  labels: Record<string, string>;
  readSpecFile: (relative: string) => Promise<Buffer>;
  signal?: AbortSignal;
  now?: () => number;
}

export const SERVICE_LOG_LINES = 60;

/** What a service was given beyond the engine's defaults, as the runner prints it. */
function grantedTo(service: ScenarioService): string {
  const parts = [
    ...(service.capabilities.length > 0 ? [`capabilities ${service.capabilities.join(', ')}`] : []),
    ...(service.devices.length > 0 ? [`devices ${service.devices.join(', ')}`] : []),
  ];
  return parts.length > 0 ? ` with ${parts.join('; ')}` : '';
}

export async function runScenario(run: ScenarioRun, containers: ContainerClient, log: (line: string) => void): Promise<CheckResult[]> {
  const now = run.now ?? Date.now;
  const deadline = now() + run.scenario.timeoutSeconds * 1000;
  const say = (line: string) => log(`[${run.subject}] ${line}`);
  const results: CheckResult[] = [];
  const started: Array<{ name: string; service: RunningService }> = [];
  const record = (name: string, kind: CheckResult['kind'], verdict: Verdict, since: number) => {
    const result: CheckResult = { kind, name, verdict, seconds: (now() - since) / 1000 };
    results.push(result);
    log(formatCheckLine(run.subject, result));
    return result;
  };
  const imageOf = (project: string) => {
    const image = run.images.get(project);
    if (image === undefined) throw new Error(`${run.scenario.file}: no image of ${project} in this run`);
    return image;
  };

  let volume: string | undefined;
  let network = 'none';
  const mounts = () => (volume !== undefined && run.scenario.sharedFolder !== undefined ? [{ volume, path: run.scenario.sharedFolder }] : []);
  /** A setup step or a test: a command in a container of its own, judged like an image's command test. */
  const runStep = async (step: ScenarioTest, label: string): Promise<Verdict> => {
    const since = now();
    const remaining = deadline - now();
    if (remaining <= 0) {
      return record(label, 'command', { status: 'fail', reason: `the scenario's time limit of ${run.scenario.timeoutSeconds} s ran out before it started` }, since).verdict;
    }
    const image = imageOf(step.image);
    const files = await readFiles(step.files, run.readSpecFile);
    const outcome = await containers.run(
      { image: image.facts.id, command: [step.command, ...step.args], env: step.envVars, user: step.user, labels: run.labels, networkMode: network, files, mounts: mounts() },
      Math.min(step.timeoutSeconds * 1000, remaining),
      run.signal,
    );
    const verdict = judgeCommand(step, outcome, image.facts, image.record);
    record(label, 'command', verdict, since);
    if (verdict.status === 'fail') {
      say(`  command (in ${step.image}): ${[step.command, ...step.args].join(' ')}`);
      say(`  exit code: ${outcome.timedOut ? 'none (stopped at the time limit)' : outcome.exitCode}`);
      for (const line of lastLines(outcome.output, OUTPUT_TAIL_LINES)) say(`  | ${line}`);
    }
    return verdict;
  };

  try {
    if (run.scenario.sharedFolder !== undefined) {
      volume = await containers.createVolume(run.labels);
      say(`shared folder ${run.scenario.sharedFolder}: volume ${volume.slice(0, 12)} of this run`);
    }
    for (const step of run.scenario.setup) {
      if (run.signal?.aborted) break;
      if ((await runStep(step, `setup: ${step.name}`)).status === 'fail') return results;
    }
    for (const service of run.scenario.services) {
      if (run.signal?.aborted) break;
      const since = now();
      const image = imageOf(service.image);
      const handle = await containers.startService({
        image: image.facts.id,
        command: service.command,
        env: service.envVars,
        user: service.user,
        files: await readFiles(service.files, run.readSpecFile),
        labels: { ...run.labels, 'io.imgmono.scenario.service': service.name },
        networkMode: network,
        mounts: mounts(),
        capAdd: service.capabilities,
        devices: service.devices,
      });
      started.push({ name: service.name, service: handle });
      if (network === 'none') network = `container:${handle.id}`;
      say(`service ${service.name} started from ${service.image} (${image.facts.id.slice(0, 19)})${grantedTo(service)}`);
      const readyBy = Math.min(deadline, since + service.ready.timeoutSeconds * 1000);
      let verdict: Verdict = { status: 'fail', reason: `not ready within ${service.ready.timeoutSeconds} s: ${service.ready.command.join(' ')} never exited 0` };
      let last = '';
      while (now() < readyBy && !run.signal?.aborted) {
        if (!(await handle.running())) {
          verdict = { status: 'fail', reason: 'the service exited before it was ready' };
          break;
        }
        const probe = await handle.exec(service.ready.command, Math.max(1000, Math.min(readyBy - now(), 30_000)));
        last = probe.output;
        if (probe.exitCode === 0 && !probe.timedOut) {
          verdict = { status: 'pass' };
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, service.ready.intervalSeconds * 1000));
      }
      if (verdict.status === 'fail' && now() >= deadline) verdict = { status: 'fail', reason: `the scenario's time limit of ${run.scenario.timeoutSeconds} s ran out while waiting` };
      record(`${service.name} ready`, 'command', verdict, since);
      if (verdict.status === 'fail') {
        if (last.trim() !== '') for (const line of lastLines(last, 5)) say(`  probe | ${line}`);
        return results;
      }
    }

    for (const test of run.scenario.tests) {
      if (run.signal?.aborted) break;
      await runStep(test, test.name);
    }
    return results;
  } finally {
    if (results.some((result) => result.verdict.status === 'fail') || run.signal?.aborted) {
      for (const { name, service } of started) {
        say(`--- logs of service ${name} (last ${SERVICE_LOG_LINES} lines) ---`);
        for (const line of lastLines(await service.logs(SERVICE_LOG_LINES), SERVICE_LOG_LINES)) say(`  ${name} | ${line}`);
      }
    }
    for (const { service } of started.reverse()) await service.remove();
    if (volume !== undefined) await containers.removeVolume(volume);
  }
}
