/**
 * "Inside the folder" for symlinks, against the file system itself: for
 * generated link places and targets (`..`, `..data`, `./..`, `...`, a way
 * back in through the folder's own name, absolute paths, long chains), the
 * verdict of symlinkStaysInside equals the one read off the disk: the link
 * is made for real and resolved with realpath, with the folder placed under
 * two different names, since in the image it lands under another name than
 * on this disk (`../checkout/x` re-enters a folder named `checkout` here only).
 */
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assertProperty } from '@imgmono/testing';
import { symlinkStaysInside } from './inside-folder';

const outer = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'imgmono-inside-')));
const ROOT_NAME = 'checkout';
afterAll(() => rmSync(outer, { recursive: true, force: true }));

const segment = fc.constantFrom('..', '.', '..data', 'data', '...', 'x..', '.hidden', ROOT_NAME, 'a');
const linkPlace = fc.array(fc.constantFrom('a', 'b', '..data', 'c.d'), { maxLength: 3 });

describe('symlinkStaysInside (property)', () => {
  it('agrees with the file system for generated links and targets', () => {
    let sample = 0;
    assertProperty(
      'symlink inside the folder, as the disk resolves it',
      fc.property(linkPlace, fc.array(segment, { minLength: 1, maxLength: 6 }), fc.boolean(), (folders, segments, absolute) => {
        const caseDir = path.join(outer, `case-${sample++}`);
        const verdicts = [ROOT_NAME, 'elsewhere'].map((name) => {
          const caseRoot = path.join(caseDir, name);
          const linkDir = path.join(caseRoot, ...folders);
          mkdirSync(linkDir, { recursive: true });
          const target = absolute ? path.join(caseRoot, ...segments) : segments.join('/');
          const resolved = path.resolve(linkDir, target);
          const withinCase = (dir: string) => dir === caseDir || dir.startsWith(caseDir + path.sep);
          // never create anything above this case's own folder
          if (!withinCase(resolved)) return { target, inside: false };
          // every folder the kernel walks through must exist (`.hidden/..` needs `.hidden`)
          for (let i = 1; i <= segments.length; i++) {
            const step = absolute ? path.join(caseRoot, ...segments.slice(0, i)) : path.resolve(linkDir, ...segments.slice(0, i));
            if (!withinCase(step)) return { target, inside: false };
            mkdirSync(step, { recursive: true });
          }
          const link = path.join(linkDir, 'link');
          symlinkSync(target, link);
          const real = realpathSync(link);
          return { target, inside: !absolute && (real === caseRoot || real.startsWith(caseRoot + path.sep)) };
        });
        const onDisk = verdicts.every((verdict) => verdict.inside);
        const linkPath = [...folders, 'link'].join('/');
        const target = absolute ? verdicts[0].target : segments.join('/');
        expect(symlinkStaysInside(linkPath, target), `${linkPath} -> ${target}`).toBe(onDisk);
        return true;
      }),
      400,
    );
  });

  it.each<[string, string, boolean]>([
    ['alias.txt', '..data/real.txt', true],
    ['alias.txt', '../x', false],
    ['a/alias', '../..data/x', true],
    ['a/alias', './../../x', false],
    ['a/alias', `../../${ROOT_NAME}/x`, false],
    ['alias', '/etc/passwd', false],
    ['alias', '', false],
  ])('%s -> %s: inside %s', (link, target, inside) => {
    expect(symlinkStaysInside(link, target)).toBe(inside);
  });
});
