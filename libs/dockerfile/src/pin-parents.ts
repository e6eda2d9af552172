/**
 * Rewrites the FROM lines that name workspace images so that they name the
 * exact image id that the parent's build produced. Line numbers are kept,
 * so engine errors still point at the user's Dockerfile. Pure.
 */
import { Stage, repositoryOf } from './stages';

export function pinParents(text: string, stages: Stage[], pins: ReadonlyMap<string, string>): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  for (const stage of stages) {
    if (stage.fromStage !== undefined) continue;
    const pinned = pins.get(repositoryOf(stage.image));
    if (pinned === undefined) continue;
    const { line, endLine } = stage.instruction;
    const platform = stage.platform !== undefined ? `--platform=${stage.platform} ` : '';
    const alias = stage.name !== undefined ? ` AS ${stage.name}` : '';
    lines[line - 1] = `FROM ${platform}${pinned}${alias}`;
    for (let i = line; i < endLine; i++) lines[i] = '';
  }
  return lines.join('\n');
}
