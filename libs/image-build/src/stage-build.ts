/**
 * Stage 6, build: the context streamed to the engine as it is read (a root
 * image's file system made first, by mmdebstrap), with one LABEL instruction
 * added at the end of the built stage. Every line the engine sends back is
 * read; the first error ends the build naming the Dockerfile line. What is
 * sent is digested again (a file the file hash cache vouches for by its
 * unchanged identity, the rest by its bytes): a file that changed during the
 * build discards it.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ContextDigest, ContextError, packContext } from '@imgmono/build-context';
import { appendLabels } from '@imgmono/dockerfile';
import { BuildFailedError } from '@imgmono/engine';
import { ROOTFS_TAR, runMmdebstrap } from '@imgmono/rootfs';
import type { BuildScope } from './build-request';
import { ImageBuildError } from './errors';
import { formatBytes } from './format';
import { AssembledContext, labelsForBuild } from './stage-context';
import type { PinnedParents } from './stage-parents';
import type { PlannedBuild } from './stage-plan';

/** The id of the image the engine built. */
export async function buildStage(scope: BuildScope, planned: PlannedBuild, parents: PinnedParents, context: AssembledContext): Promise<string> {
  const { request, engine, log } = scope;
  let tempDir: string | undefined;
  try {
    let entries = context.entries;
    if (context.rootfsSpec !== undefined) {
      tempDir = await fs.mkdtemp(path.join(os.tmpdir(), 'imgmono-rootfs-'));
      const tarFile = path.join(tempDir, ROOTFS_TAR);
      await runMmdebstrap(context.rootfsSpec, tarFile, (line) => log(`mmdebstrap: ${line}`), request.signal);
      const stat = await fs.stat(tarFile);
      log(`root file system ${formatBytes(stat.size)} made from Debian packages`);
      entries = [...entries, { kind: 'file', path: ROOTFS_TAR, mode: 0o644, size: stat.size, absolutePath: tarFile }];
    }
    // One LABEL instruction at the end of the built stage: one step, instead of one per label.
    const labels = await labelsForBuild(scope, context);
    const labelled = appendLabels(parents.sentDockerfile, planned.parents.stages, planned.parents.allStages, labels);
    entries = entries.map((entry) => (entry.path === planned.dockerfilePath ? { kind: 'content', path: entry.path, mode: 0o644, content: Buffer.from(labelled) } : entry));
    // a root image's generated tar is not part of the digested context: nothing to check it against
    const sentDigest = context.rootfsSpec === undefined ? new ContextDigest() : undefined;
    // piped into the engine's build request, which is done with a chunk once its write callback has run
    const sent = packContext(entries, { digest: sentDigest, digestSkips: planned.dockerfilePath, knownContent: context.knownContent, reuseChunks: true });
    const dockerfileLines = planned.parsed.instructions.map((instruction) => instruction.line);
    const imageId = await engine
      .build(
        sent,
        {
          dockerfile: request.dockerfile,
          buildArgs: context.buildArgs,
          labels: {},
          networkMode: request.networkMode,
          target: request.target,
          platform: request.platform,
          noCache: request.noCache ?? false,
          signal: request.signal,
        },
        (event) => {
          if (event.kind === 'output') log(event.text);
          else if (event.kind === 'error') log(`ERROR: ${event.message}`);
        },
      )
      .catch((error) => {
        if (error instanceof BuildFailedError && error.step !== undefined) {
          const line = dockerfileLines[error.step.number - 1];
          const where = line !== undefined ? `${planned.dockerfileLabel}:${line}` : planned.dockerfileLabel;
          throw new ImageBuildError(request.project, `build failed at ${where}, Step ${error.step.number}/${error.step.total} (${error.step.instruction}): ${error.engineMessage}`);
        }
        if (error instanceof ContextError) throw new ImageBuildError(request.project, error.message);
        throw error;
      });
    if (sentDigest !== undefined && sentDigest.digest() !== context.contextSha256) {
      await engine.removeImage(imageId).catch(() => undefined);
      throw new ImageBuildError(request.project, `files in ${request.projectRoot} changed while the image was being built; the result was discarded: run the build again`);
    }
    return imageId;
  } finally {
    if (tempDir !== undefined) await fs.rm(tempDir, { recursive: true, force: true });
  }
}
