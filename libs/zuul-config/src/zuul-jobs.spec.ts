/** The Zuul export on a small workspace: the jobs zuul-jobs' roles run, their links, and stable output. */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_ZUUL_OPTIONS, ZuulWorkspace, firstDifference, renderZuulConfig } from './index';

const WORKSPACE: ZuulWorkspace = {
  images: [
    { name: 'debian/bookworm', root: 'images/debian/bookworm', parents: [], sources: [], tested: false, rootfs: true },
    { name: 'opendev/python-base', root: 'images/opendev/python-base', parents: ['debian/bookworm'], sources: [], tested: true, rootfs: false },
    { name: 'opendev/openstacksdk', root: 'images/opendev/openstacksdk', parents: ['opendev/python-base'], sources: ['openstacksdk'], tested: false, rootfs: false },
    { name: 'opendev/diskimage-builder', root: 'images/opendev/diskimage-builder', parents: ['opendev/openstacksdk'], sources: ['diskimage-builder'], tested: false, rootfs: false, buildArgs: { DIB_RELEASE: 'bookworm' }, target: 'final' },
    { name: 'zuul/nodepool-launcher', root: 'images/zuul/nodepool-launcher', parents: ['opendev/python-base'], sources: ['openstacksdk', 'nodepool'], tested: false, rootfs: false },
  ],
  sources: [
    { name: 'openstacksdk', root: 'sources/openstacksdk', zuulProject: 'opendev.org/openstack/openstacksdk' },
    { name: 'diskimage-builder', root: 'sources/diskimage-builder', zuulProject: 'opendev.org/openstack/diskimage-builder' },
    { name: 'nodepool', root: 'sources/nodepool', zuulProject: 'opendev.org/zuul/nodepool' },
  ],
  scenarios: [
    { name: 'scenarios/nodepool-static', root: 'scenarios/nodepool-static', images: ['zuul/nodepool-launcher'], fileFolders: [] },
    { name: 'scenarios/nodepool-openstack', root: 'scenarios/nodepool-openstack', images: ['zuul/nodepool-launcher'], fileFolders: ['scenarios/nodepool-static'] },
  ],
  sharedFiles: ['namespaces.json'],
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed YAML, read field by field in the assertions
type Job = Record<string, any>;
const jobsOf = (text: string): Map<string, Job> => new Map((parse(text) as Array<{ job?: Job }>).filter((item) => item.job).map((item) => [item.job!.name, item.job!]));

describe('zuul export', () => {
  const text = renderZuulConfig(WORKSPACE);
  const jobs = jobsOf(text);

  it('gives every image a build, an upload and a promote job sharing one docker_images block in zuul-jobs\' schema', () => {
    const build = jobs.get('imgmono-build-opendev-diskimage-builder')!;
    expect(build.parent).toBe('opendev-build-docker-image');
    expect(build.vars.docker_images).toEqual([
      {
        context: 'images/opendev/diskimage-builder',
        repository: 'opendev/diskimage-builder',
        tags: ['latest'],
        siblings: ['opendev.org/openstack/diskimage-builder'],
        build_args: ['DIB_RELEASE=bookworm'],
        target: 'final',
      },
    ]);
    expect(jobs.get('imgmono-upload-opendev-diskimage-builder')!.vars.docker_images).toEqual(build.vars.docker_images);
    expect(jobs.get('imgmono-promote-opendev-diskimage-builder')!.vars.docker_images).toEqual(build.vars.docker_images);
    // one block, written once: an anchor on the build job, aliases on the others
    expect(text).toContain('docker_images: &imgmono-opendev-diskimage-builder-images');
    expect(text.match(/docker_images: \*imgmono-opendev-diskimage-builder-images/g)).toHaveLength(2);
    expect(jobs.get('imgmono-upload-opendev-diskimage-builder')!.parent).toBe('opendev-upload-docker-image');
    expect(jobs.get('imgmono-promote-opendev-diskimage-builder')!.parent).toBe('opendev-promote-docker-image');
  });

  it('links the chain: provides and requires, the registry job and soft dependencies on the parents\' jobs of the same change', () => {
    const build = jobs.get('imgmono-build-opendev-openstacksdk')!;
    expect(build.provides).toEqual(['opendev-openstacksdk-container-image']);
    expect(build.requires).toEqual(['opendev-python-base-container-image']);
    expect(build.dependencies).toEqual([{ name: 'opendev-buildset-registry' }, { name: 'imgmono-build-opendev-python-base', soft: true }]);
    expect(jobs.get('imgmono-upload-opendev-openstacksdk')!.dependencies).toEqual([{ name: 'opendev-buildset-registry' }, { name: 'imgmono-upload-opendev-python-base', soft: true }]);
    // the root image comes from Debian packages: an Nx job makes it, in check and in gate
    const root = jobs.get('imgmono-build-debian-bookworm')!;
    expect(root).toMatchObject({ parent: 'imgmono-nx-run', provides: ['debian-bookworm-container-image'], vars: { nx_target: 'debian/bookworm:push' } });
    expect(jobs.get('imgmono-build-opendev-python-base')!.dependencies).toContainEqual({ name: 'imgmono-build-debian-bookworm', soft: true });
    expect(jobs.get('imgmono-upload-opendev-python-base')!.dependencies).toContainEqual({ name: 'imgmono-build-debian-bookworm', soft: true });
    expect(jobs.has('imgmono-upload-debian-bookworm')).toBe(false);
  });

  it('matches the files that make an image affected: its folder, its sources, its ancestors\' and the namespace rules; and requires its sources\' projects', () => {
    const build = jobs.get('imgmono-build-zuul-nodepool-launcher')!;
    expect(build.files).toEqual([
      '^images/debian/bookworm/.*$',
      '^images/opendev/python-base/.*$',
      '^images/zuul/nodepool-launcher/.*$',
      '^sources/nodepool/.*$',
      '^sources/openstacksdk/.*$',
      '^namespaces\\.json$',
    ]);
    expect(build['required-projects']).toEqual(['opendev.org/openstack/openstacksdk', 'opendev.org/zuul/nodepool']);
    expect(build.vars.docker_images[0].siblings).toEqual(['opendev.org/openstack/openstacksdk', 'opendev.org/zuul/nodepool']);
    for (const pattern of build.files as string[]) expect(() => new RegExp(pattern)).not.toThrow();
  });

  it('tests every image with an image-test.json and every scenario by its Nx target, after the jobs that make their images', () => {
    expect(jobs.get('imgmono-image-test-opendev-python-base')).toMatchObject({ parent: 'imgmono-nx-run', vars: { nx_target: 'opendev/python-base:image-test' }, requires: ['opendev-python-base-container-image'] });
    const scenario = jobs.get('imgmono-image-test-scenarios-nodepool-static')!;
    expect(scenario.vars).toEqual({ nx_target: 'scenarios/nodepool-static:image-test' });
    expect(scenario.dependencies).toEqual([
      { name: 'opendev-buildset-registry' },
      { name: 'imgmono-build-zuul-nodepool-launcher', soft: true },
      { name: 'imgmono-upload-zuul-nodepool-launcher', soft: true },
    ]);
    expect(scenario.files).toContain('^scenarios/nodepool-static/.*$');
    expect(jobs.has('imgmono-image-test-opendev-openstacksdk')).toBe(false);
  });

  it("runs a scenario's job when a file it copies from another scenario changes, and not the other way round", () => {
    // as Nx's implicit dependency on that scenario: its folder and what affects it
    expect(jobs.get('imgmono-image-test-scenarios-nodepool-openstack')!.files).toEqual(expect.arrayContaining(['^scenarios/nodepool-openstack/.*$', '^scenarios/nodepool-static/.*$']));
    expect(jobs.get('imgmono-image-test-scenarios-nodepool-static')!.files).not.toContain('^scenarios/nodepool-openstack/.*$');
  });

  it('lists the jobs in the check, gate and promote pipelines of the project stanza', () => {
    const project = (parse(text) as Array<{ project?: Record<string, { jobs: string[] }> }>).find((item) => item.project)!.project!;
    expect(project.check.jobs[0]).toBe('opendev-buildset-registry');
    expect(project.check.jobs).toContain('imgmono-build-opendev-openstacksdk');
    expect(project.check.jobs).not.toContain('imgmono-upload-opendev-openstacksdk');
    expect(project.gate.jobs).toContain('imgmono-upload-opendev-openstacksdk');
    expect(project.promote.jobs).toEqual(['imgmono-promote-opendev-python-base', 'imgmono-promote-opendev-openstacksdk', 'imgmono-promote-opendev-diskimage-builder', 'imgmono-promote-zuul-nodepool-launcher']);
    // every job a pipeline names exists, but the registry job (zuul-jobs' or the deployment's own)
    for (const pipeline of Object.values(project)) for (const job of pipeline.jobs) if (job !== 'opendev-buildset-registry') expect(jobs.has(job), job).toBe(true);
  });

  it('with perChain, builds each chain in one job, its images in graph order', () => {
    const chain = jobsOf(renderZuulConfig(WORKSPACE, { ...DEFAULT_ZUUL_OPTIONS, perChain: true }));
    const job = chain.get('imgmono-build-chain-opendev-diskimage-builder')!;
    expect(job.vars.docker_images.map((image: { repository: string }) => image.repository)).toEqual(['opendev/python-base', 'opendev/openstacksdk', 'opendev/diskimage-builder']);
    expect(job.provides).toEqual(['opendev-python-base-container-image', 'opendev-openstacksdk-container-image', 'opendev-diskimage-builder-container-image']);
    expect(job.requires).toEqual(['debian-bookworm-container-image']);
    expect(chain.has('imgmono-build-chain-zuul-nodepool-launcher')).toBe(true);
    expect(chain.has('imgmono-build-opendev-openstacksdk')).toBe(false);
  });

  it('is stable: the same graph, given in any order, gives the same bytes', () => {
    const shuffled: ZuulWorkspace = { ...WORKSPACE, images: [...WORKSPACE.images].reverse(), sources: [...WORKSPACE.sources].reverse() };
    expect(renderZuulConfig(shuffled)).toBe(text);
    expect(renderZuulConfig(WORKSPACE)).toBe(text);
  });

  it('names the first difference between two texts', () => {
    expect(firstDifference('a\nb\nc\n', 'a\nb\nc\n')).toBeUndefined();
    expect(firstDifference('a\nx\nc\n', 'a\nb\nc\n')).toEqual({ line: 2, expected: 'b', actual: 'x' });
    expect(firstDifference('a\n', 'a\nb\n')).toEqual({ line: 2, expected: 'b', actual: '' });
  });
});
