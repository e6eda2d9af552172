/**
 * Tag names on their own, without tag rules or versions (and so without
 * semver): what a build needs to check a tag and to find an image by its
 * inputs, loaded by every image task.
 */

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** Whether a string is a valid image tag (the registry's and the engine's rule). */
export function isValidTag(tag: string): boolean {
  return TAG.test(tag);
}

/** The short form of an input digest used in tags: its first 12 hex characters. */
export function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

/** The tag under which a build is found by its inputs in the run's registry. */
export function inputsTag(digest: string): string {
  return `inputs-${shortDigest(digest)}`;
}
