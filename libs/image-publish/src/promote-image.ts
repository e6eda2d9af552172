/**
 * Promotes a change's images without pulling or rebuilding: every
 * `change_<N>_<tag>` in the registry is copied, manifest by digest, to
 * `<tag>` through the registry's HTTP API. All release tags move to the new
 * digest, or none do: a failure part-way puts the tags already moved back.
 * A moving tag (latest, {{major}}, {{major}}-bookworm: see movingTags) is
 * checked again against what the registry holds under it now, since another
 * release may have moved it since the change was pushed: it never goes back
 * to a lower version. Optionally the change tags are removed afterwards.
 */
import { Manifest, RegistryClient } from '@imgmono/registry';
import { TagRule, movingTagRefusal, movingTags } from '@imgmono/tags';
import { publishedVersion } from './published-versions';
import { PublishError } from './push-image';

export interface PromoteRequest {
  project: string;
  registry: RegistryClient;
  change: string;
  removeChangeTags: boolean;
  /** The workspace's tag rules: which of the targets are moving tags. */
  rules: readonly TagRule[];
}

export interface PromoteOutcome {
  /** Absent when the change pushed nothing for this image. */
  digest?: string;
  promoted: string[];
  /** Moving tags left where they are, and why (they would have gone back to a lower version). */
  kept: Array<{ tag: string; reason: string }>;
  removed: string[];
}

export async function promoteImageProject(request: PromoteRequest, log: (line: string) => void): Promise<PromoteOutcome> {
  const say = (line: string) => log(`[${request.project}] ${line}`);
  const fail = (message: string): never => {
    throw new PublishError(request.project, message);
  };
  const { registry, project } = request;
  const prefix = `change_${request.change}_`;
  const tags = await registry.listTags(project);
  const changeTags = tags.filter((tag) => tag.startsWith(prefix) && tag.length > prefix.length);
  if (changeTags.length === 0) {
    say(`nothing to promote: ${registry.host} has no ${prefix}* tags for ${project} (change ${request.change} did not push this image)`);
    return { promoted: [], kept: [], removed: [] };
  }

  const manifests = new Map<string, Manifest>();
  for (const tag of changeTags) {
    const manifest = await registry.getManifest(project, tag);
    if (manifest === undefined) fail(`${project}:${tag} disappeared while promoting`);
    manifests.set(tag, manifest!);
  }
  const digests = new Set([...manifests.values()].map((manifest) => manifest.digest));
  if (digests.size !== 1) {
    fail(`the ${prefix}* tags point at different images (${[...manifests].map(([tag, m]) => `${tag}=${m.digest.slice(0, 19)}`).join(', ')}); push the change build again`);
  }
  const manifest = manifests.values().next().value as Manifest;
  const version = await publishedVersion(registry, project, changeTags[0]);
  const moving = new Set(movingTags({ version, rules: request.rules }));
  const kept: PromoteOutcome['kept'] = [];
  const targets: string[] = [];
  for (const target of changeTags.map((tag) => tag.slice(prefix.length))) {
    const refusal = moving.has(target) ? movingTagRefusal(target, version, await publishedVersion(registry, project, target)) : undefined;
    if (refusal === undefined) targets.push(target);
    else {
      kept.push({ tag: target, reason: refusal });
      say(`kept ${registry.host}/${project}:${target} where it is: ${refusal}`);
    }
  }

  const previous = new Map<string, Manifest | undefined>();
  for (const target of targets) previous.set(target, await registry.getManifest(project, target));
  const moved: string[] = [];
  try {
    for (const target of targets) {
      const digest = await registry.putManifest(project, target, manifest);
      if (digest !== manifest.digest) throw new Error(`${project}:${target} was stored as ${digest}, not ${manifest.digest}`);
      moved.push(target);
      say(`promoted ${registry.host}/${project}:${prefix}${target} -> ${target} ${manifest.digest}`);
    }
  } catch (error) {
    const restored: string[] = [];
    for (const target of moved.reverse()) {
      const before = previous.get(target);
      try {
        if (before !== undefined) await registry.putManifest(project, target, before);
        else await registry.removeTag(project, target);
        restored.push(target);
      } catch {
        // reported below: what could not be put back is named
      }
    }
    const notRestored = moved.filter((target) => !restored.includes(target));
    fail(
      `promote failed (${(error as Error).message}); ${restored.length} tag(s) put back as they were${notRestored.length ? `, NOT put back: ${notRestored.join(', ')}` : ''}; no release tag points at ${manifest.digest} unless it did before`,
    );
  }

  const removed: string[] = [];
  if (request.removeChangeTags) {
    for (const tag of [...changeTags, `change_${request.change}`].filter((tag) => tags.includes(tag))) {
      await registry.removeTag(project, tag);
      removed.push(tag);
    }
    say(`removed ${removed.length} change tag(s): ${removed.join(' ')}`);
  }
  return { digest: manifest.digest, promoted: targets, kept, removed };
}
