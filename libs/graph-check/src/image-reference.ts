/**
 * Whether a project name is a valid image repository name, by the rules of
 * the distribution reference grammar: lowercase path components separated by
 * '/', each made of [a-z0-9] joined by '.', '_', '__' or runs of '-', at most
 * 255 characters in all. Pure.
 */
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

export function imageNameProblem(name: string): string | undefined {
  if (name.length > 255) return `is ${name.length} characters long; image names have at most 255`;
  if (name !== name.toLowerCase()) return 'has upper-case letters; image names are lowercase';
  const parts = name.split('/');
  if (parts.length < 2) return 'has no namespace; image projects are named <namespace>/<name>';
  const bad = parts.find((part) => !COMPONENT.test(part));
  if (bad !== undefined) return `has the component "${bad}", which is not [a-z0-9] joined by '.', '_', '__' or '-'`;
  return undefined;
}
