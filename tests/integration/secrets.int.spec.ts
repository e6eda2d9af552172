/**
 * Secrets stay out of images, records and logs. The workspace marks SITE_TOKEN
 * as secret (the plugin's secretEnv option); the registry needs a password.
 * A build that would carry a secret value (a build argument, a context file
 * of the image folder or of a source checkout, the Dockerfile itself) is
 * refused, naming where and which secret but never the value. A build and
 * push with both secrets in the environment leaves neither in the image's
 * layers (`docker save`), its history (`docker history --no-trunc`), its
 * config, the records, or anything printed. The workspace's origin URL carries
 * the token as CI systems write it (https://ci:<token>@host/repo.git), and a
 * source's URL carries another token as its user (https://<token>@host): labels,
 * records and output keep both URLs without their user information.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL } from '@imgmono/image-meta';
import { docker, integrationEnabled, removeNamespaceImages } from '@imgmono/test-engine';
import { git, initRepo, TestRegistry, startRegistry, makeTempDir, removeDir, REPO_ROOT, TestWorkspace, busyboxRoot, createTestWorkspace, imageProject } from '@imgmono/testing';

const enabled = await integrationEnabled();
const TOKEN = 'tok-5ecr3t-value-7f3a';
const USER = 'zuul';
const PASSWORD = 'Reg1stry-Pa55-9c1e';
/** Not marked secret anywhere: only its place in a URL's user information says what it is. */
const URL_TOKEN = 'ghp-urlT0ken-31d9c0a7';

/** Every form a secret could take in text: as is, and base64 (alone, or as user:password in a Basic header). */
const forms = [TOKEN, PASSWORD, URL_TOKEN, Buffer.from(TOKEN).toString('base64').replace(/=+$/, ''), Buffer.from(`${USER}:${PASSWORD}`).toString('base64').replace(/=+$/, '')];
const leaks = (text: string | Buffer) => forms.filter((form) => (typeof text === 'string' ? text.includes(form) : text.includes(Buffer.from(form))));

describe.skipIf(!enabled)('secrets', () => {
  let ws: TestWorkspace;
  let ns: string;
  let tmp: string;
  let registry: TestRegistry;
  let env: Record<string, string>;
  const outputs: string[] = [];

  const nx = async (args: string[]) => {
    const run = await ws.nx(args, env);
    outputs.push(run.output);
    return run;
  };

  beforeAll(async () => {
    tmp = await makeTempDir('imgmono-secrets-');
    registry = await startRegistry(path.join(tmp, 'registry'), { username: USER, password: PASSWORD });
    const checkout = path.join(tmp, 'tool');
    await initRepo(checkout, { VERSION: '1.0.0\n' });
    git(checkout, 'tag', '1.0.0');
    // an untracked file in the handed-over checkout, as a developer's local credentials would be
    await fs.writeFile(path.join(checkout, 'site.ini'), `[auth]\ntoken = ${TOKEN}\n`);

    ws = await createTestWorkspace();
    ns = ws.namespace;
    const nxJson = JSON.parse(await fs.readFile(path.join(REPO_ROOT, 'nx.json'), 'utf8'));
    nxJson.plugins[0].options.secretEnv = ['SITE_TOKEN'];
    await ws.write({
      'nx.json': JSON.stringify(nxJson, null, 2),
      'sources/tool/source.json': JSON.stringify({ url: `https://${URL_TOKEN}@git.example.invalid/tool.git`, ref: '1.0.0' }),
      ...busyboxRoot(`${ns}/root`),
      ...imageProject(`${ns}/clean`, [`${ns}/root`], `FROM ${ns}/root\nARG SITE_NAME\nRUN echo "building for $SITE_NAME" && echo "$SITE_NAME" > /site\n`),
      [`images/${ns}/clean/project.json`]: JSON.stringify({ name: `${ns}/clean`, implicitDependencies: [`${ns}/root`], targets: { image: { options: { buildArgs: { SITE_NAME: 'opendev' } } } } }),
      ...imageProject(`${ns}/arg`, [`${ns}/root`], `FROM ${ns}/root\nARG SITE_URL\n`),
      [`images/${ns}/arg/project.json`]: JSON.stringify({ name: `${ns}/arg`, implicitDependencies: [`${ns}/root`], targets: { image: { options: { buildArgs: { SITE_URL: `https://zuul.example.invalid/api?token=${TOKEN}` } } } } }),
      ...imageProject(`${ns}/folder-file`, [`${ns}/root`], `FROM ${ns}/root\nCOPY site.ini /etc/site.ini\n`, { 'site.ini': `token=${TOKEN}\n` }),
      ...imageProject(`${ns}/in-dockerfile`, [`${ns}/root`], `FROM ${ns}/root\nENV SITE_TOKEN=${TOKEN}\n`),
      ...imageProject(`${ns}/from-source`, [`${ns}/root`, 'tool'], `FROM ${ns}/root\nCOPY .zuul-siblings/git.example.invalid/tool /opt/tool\n`),
      // the same checkout without the untracked credentials file: builds, and must keep the source URL's token out
      ...imageProject(`${ns}/with-source`, [`${ns}/root`, 'tool'], `FROM ${ns}/root\nCOPY .zuul-siblings/git.example.invalid/tool /opt/tool\n`, { '.dockerignore': '.zuul-siblings/git.example.invalid/tool/site.ini\n' }),
    });
    // the workspace's origin as GitLab CI writes it: the marked token in the URL's user information
    await ws.git(['remote', 'set-url', 'origin', `https://ci:${TOKEN}@git.example.invalid/imgmono.git`]);
    env = {
      SITE_TOKEN: TOKEN,
      IMAGE_REGISTRY: registry.host,
      IMAGE_REGISTRY_USERNAME: USER,
      IMAGE_REGISTRY_PASSWORD: PASSWORD,
      IMAGE_SOURCE_TOOL: checkout,
      IMAGE_SOURCES_CLONE: 'false',
      IMAGE_CHANGE: '77',
    };
    const root = await nx(['run', `${ns}/root:image`, '--output-style=stream']);
    expect(root.code, root.output).toBe(0);
  });

  afterAll(async () => {
    registry?.stop();
    await removeNamespaceImages(ns);
    await ws?.remove();
    await removeDir(tmp);
  });

  it.each<[string, string, string]>([
    ['a build argument', 'arg', `NS/arg: images/NS/arg/project.json: build argument SITE_URL carries the value of SITE_TOKEN, which is secret, and is refused`],
    ['a file of the image folder', 'folder-file', `NS/folder-file: the build context file site.ini (images/NS/folder-file/site.ini) contains the value of SITE_TOKEN, which is secret`],
    ['the Dockerfile', 'in-dockerfile', `NS/in-dockerfile: the build context file Dockerfile (images/NS/in-dockerfile/Dockerfile) contains the value of SITE_TOKEN, which is secret`],
    ['a file of a handed-over checkout', 'from-source', `NS/from-source: the build context file .zuul-siblings/git.example.invalid/tool/site.ini (from the checkout of source tool) contains the value of SITE_TOKEN, which is secret`],
  ])('a secret value in %s: refused, named without its value, nothing built', async (_case, name, expected) => {
    const run = await nx(['run', `${ns}/${name}:image`, '--exclude-task-dependencies', '--output-style=stream']);
    expect(run.code).not.toBe(0);
    expect(run.output).toContain(expected.replaceAll('NS', ns));
    expect(run.output).not.toContain('internal error');
    expect(leaks(run.output)).toEqual([]);
    expect(await docker.listImages({ filters: { label: [`${LABEL.project}=${ns}/${name}`] } })).toEqual([]);
  });

  it('a build and push with both secrets in the environment leaves them in no layer, history, config, record or output', async () => {
    const run = await nx(['run', `${ns}/clean:push`, '--output-style=stream']);
    expect(run.code, run.output).toBe(0);
    const image = docker.getImage(`${ns}/clean:latest`);
    const history = (await image.history()) as Array<{ CreatedBy: string }>;
    expect(history.map((row) => row.CreatedBy).join('\n')).toContain('SITE_NAME=opendev'); // the history is there, with its build argument
    expect(leaks(JSON.stringify(history))).toEqual([]);
    expect(leaks(JSON.stringify(await image.inspect()))).toEqual([]);
    const saved: Buffer[] = [];
    for await (const chunk of (await image.get()) as AsyncIterable<Buffer>) saved.push(chunk);
    const layers = Buffer.concat(saved);
    expect(layers.includes(Buffer.from('opendev'))).toBe(true); // the layers are readable: /site holds the argument
    expect(leaks(layers)).toEqual([]);
    const records = (await fs.readdir(path.join(ws.root, 'dist'), { recursive: true })).map(String).filter((file) => file.endsWith('.json'));
    expect(records.length).toBeGreaterThanOrEqual(2);
    for (const record of records) expect(leaks(await fs.readFile(path.join(ws.root, 'dist', record), 'utf8')), record).toEqual([]);
    // where build arguments are kept, as docs/safety.md says it: the history and the config, not the build record
    const build = JSON.parse(await fs.readFile(path.join(ws.root, 'dist/images', ns, 'clean/build.json'), 'utf8'));
    expect(JSON.stringify(build)).not.toContain('SITE_NAME');
    expect(build.inputDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const safety = await fs.readFile(path.join(REPO_ROOT, 'docs/safety.md'), 'utf8');
    expect(safety.replace(/\s+/g, ' ')).toContain("build arguments end up in `docker history` and the image's config (the build record keeps only the input digest they went into)");
  });

  it('URLs with credentials (the origin, a source) reach labels, records and output without their user information', async () => {
    const run = await nx(['run', `${ns}/with-source:image`, '--exclude-task-dependencies', '--output-style=stream'], );
    expect(run.code, run.output).toBe(0);
    for (const name of ['clean', 'with-source']) {
      const labels = (await docker.getImage(`${ns}/${name}:latest`).inspect()).Config.Labels;
      expect(labels[LABEL.source]).toBe('https://git.example.invalid/imgmono.git');
      if (name === 'with-source') expect(labels['io.imgmono.source.tool.url']).toBe('https://git.example.invalid/tool.git');
      const history = await docker.getImage(`${ns}/${name}:latest`).history();
      expect(leaks(JSON.stringify(history))).toEqual([]);
    }
    const record = JSON.parse(await fs.readFile(path.join(ws.root, 'dist/images', ns, 'with-source/build.json'), 'utf8'));
    expect(record.sources[0].url).toBe('https://git.example.invalid/tool.git');
    expect(leaks(JSON.stringify(record))).toEqual([]);
  });

  it('no run printed a secret in any form', () => {
    const all = outputs.join('\n');
    expect(all).toContain(`[${ns}/clean] pushed`);
    expect(leaks(all)).toEqual([]);
  });
});
