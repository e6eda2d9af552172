/**
 * The image executor's batch implementation (NX_BATCH_MODE=true, which
 * `npm run images` sets): Nx hands over every image task of the run at once,
 * and they run in this one process instead of a task process each (about a
 * second apiece). Tasks start as soon as their dependencies in the batch
 * succeeded, a few at a time; the dependents of a failed task are reported
 * as not run, as Nx does.
 *
 * A task's log is printed as it comes, so a long build shows its progress. When
 * a task ends, Nx prints its terminalOutput once more under the task's own
 * `> nx run <project>:image` line; so that carries the outcome only (the
 * built or reused line, or the error), not the whole log a second time.
 */
import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { readRunSettings } from '../../lib/run-settings';
import { runImageTask } from './executor';
import type { ImageExecutorOptions } from './schema';

interface TaskResult {
  task: string;
  result: { success: boolean; terminalOutput: string };
}

export default async function* imageBatch(
  taskGraph: TaskGraph,
  inputs: Record<string, ImageExecutorOptions>,
  _overrides: unknown,
  context: ExecutorContext,
): AsyncGenerator<TaskResult> {
  const settings = readRunSettings(process.env);
  const limit = settings.batchParallel;
  const pending = new Set(Object.keys(taskGraph.tasks));
  const done = new Map<string, boolean>();
  const running = new Map<string, Promise<TaskResult>>();
  const depsOf = (id: string) => (taskGraph.dependencies[id] ?? []).filter((dep) => dep in taskGraph.tasks);

  while (pending.size > 0 || running.size > 0) {
    for (const id of [...pending]) {
      const deps = depsOf(id);
      if (deps.some((dep) => done.get(dep) === false)) {
        pending.delete(id);
        done.set(id, false);
        const failed = deps.filter((dep) => done.get(dep) === false).map((dep) => taskGraph.tasks[dep].target.project);
        yield { task: id, result: { success: false, terminalOutput: `[${taskGraph.tasks[id].target.project}] not run: ${failed.join(', ')} failed\n` } };
        continue;
      }
      if (running.size >= limit || !deps.every((dep) => done.get(dep) === true)) continue;
      pending.delete(id);
      const task = taskGraph.tasks[id];
      let lastLine = '';
      const errors: string[] = [];
      const log = (line: string) => {
        lastLine = line;
        console.log(line);
      };
      const logError = (line: string) => {
        errors.push(line);
        console.error(line);
      };
      const taskContext: ExecutorContext = { ...context, projectName: task.target.project, targetName: task.target.target, configurationName: task.target.configuration };
      running.set(
        id,
        runImageTask(inputs[id] ?? {}, taskContext, settings, { log, error: logError }).then((outcome) => ({
          task: id,
          result: { success: outcome.success, terminalOutput: `${outcome.success || errors.length === 0 ? lastLine : errors.join('\n')}\n` },
        })),
      );
    }
    if (running.size === 0) continue;
    const finished = await Promise.race(running.values());
    running.delete(finished.task);
    done.set(finished.task, finished.result.success);
    yield finished;
  }
}
