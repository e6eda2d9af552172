/**
 * Whether a symlink stays inside the folder it belongs to (an image folder,
 * a source checkout): decided on resolved path segments, never on string
 * prefixes, so a link to `..data/real.txt` (a folder whose name starts with
 * two dots, as Kubernetes writes them) is inside, and `../x` is not. Absolute
 * targets are outside by definition: they would point elsewhere in the image.
 * Pure: no file system access.
 */
import * as path from 'node:path';

/** True when `relative` (a path relative to some folder, as path.relative gives it) does not leave that folder. */
export function staysInside(relative: string): boolean {
  if (relative === '') return true;
  if (path.posix.isAbsolute(relative)) return false;
  return relative.split('/')[0] !== '..';
}

/**
 * True when the symlink at `linkPath` (relative to the folder, `/`-separated) with the target
 * `target` (the link's text) resolves inside the folder.
 */
export function symlinkStaysInside(linkPath: string, target: string): boolean {
  if (target === '' || path.posix.isAbsolute(target)) return false;
  const root = '/folder';
  const resolved = path.posix.resolve(root, path.posix.dirname(linkPath), target);
  return staysInside(path.posix.relative(root, resolved));
}
