/**
 * The user information of URLs (`https://user:token@host/...`): CI systems put
 * tokens there (`https://gitlab-ci-token:<token>@host/repo.git`, `https://<token>@host`).
 * Every URL that goes into a label, a record or a log loses it; a build argument
 * that carries one is refused. Pure.
 */

/** `scheme://` then user information up to the `@` before the host (never across `/`, `?`, `#` or white space). */
const URL_USER_INFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^/\s@?#"<>]+@/gi;

/** The text with the user information of every URL in it removed: `https://ci:tok@host/x` -> `https://host/x`. */
export function withoutUrlUserInfo(text: string): string {
  return text.replace(URL_USER_INFO, '$1');
}

/** True when some URL in the text carries user information (a user name, password or token). */
export function hasUrlUserInfo(text: string): boolean {
  URL_USER_INFO.lastIndex = 0;
  const found = URL_USER_INFO.test(text);
  URL_USER_INFO.lastIndex = 0;
  return found;
}
