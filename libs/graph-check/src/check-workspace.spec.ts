import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Finding, checkWorkspace, formatFinding } from './check-workspace';
import { workspaceModelFromDisk } from '@imgmono/testing';
import { ImageProjectModel, WorkspaceModel } from '@imgmono/workspace';

const RULES = JSON.stringify(
  {
    namespaces: {
      debian: { base: 'debian/bookworm', mayBuildOn: [] },
      opendev: { base: 'opendev/python-base', mayBuildOn: ['debian'] },
      zuul: { base: 'opendev/python-base', mayBuildOn: ['opendev'] },
    },
  },
  null,
  2,
);

function image(name: string, deps: string[], dockerfile: string | undefined, extra: Partial<ImageProjectModel> = {}): ImageProjectModel {
  const root = extra.root ?? `images/${name}`;
  return {
    name,
    root,
    projectFile: `${root}/project.json`,
    projectText: JSON.stringify({ name, implicitDependencies: deps }, null, 2),
    implicitDependencies: deps,
    parents: [],
    sources: [],
    optionalSources: [],
    options: {},
    dockerfile: 'Dockerfile',
    dockerfileText: dockerfile,
    tested: false,
    rootfs: false,
    ...extra,
  };
}

/** The example workspace in miniature, correct as it stands; each row breaks one thing. */
function workspace(change: (model: WorkspaceModel) => void = () => undefined): WorkspaceModel {
  const model: WorkspaceModel = {
    images: new Map(
      [
        image('debian/bookworm', [], 'FROM scratch\nADD rootfs.tar /\n'),
        image('opendev/python-base', ['debian/bookworm'], 'FROM debian/bookworm\nRUN apt-get install python3\n'),
        image('opendev/openstacksdk', ['opendev/python-base', 'openstacksdk'], 'FROM opendev/python-base\nCOPY .zuul-siblings/ /tmp/sources/\nRUN install-sources /tmp/sources\n'),
        image('zuul/nodepool-launcher', ['opendev/python-base', 'nodepool'], 'FROM opendev/python-base\nCOPY .zuul-siblings/ /tmp/sources/\n'),
      ].map((i) => [i.name, i]),
    ),
    sources: new Map([
      ['openstacksdk', { name: 'openstacksdk', root: 'sources/openstacksdk', declarationFile: 'sources/openstacksdk/source.json', zuulProject: 'opendev.org/openstack/openstacksdk' }],
      ['nodepool', { name: 'nodepool', root: 'sources/nodepool', declarationFile: 'sources/nodepool/source.json', zuulProject: 'opendev.org/zuul/nodepool' }],
    ]),
    scenarios: new Map(),
    otherProjects: new Set(['image-plugin']),
    namespacesFile: 'namespaces.json',
    namespacesText: RULES,
  };
  change(model);
  return model;
}

const set = (model: WorkspaceModel, img: ImageProjectModel) => model.images.set(img.name, img);

describe('checkWorkspace', () => {
  it('finds nothing wrong with a consistent workspace', () => {
    expect(checkWorkspace(workspace())).toEqual([]);
  });

  it.each<[string, (model: WorkspaceModel) => void, string[]]>([
    [
      'missing dependency',
      (m) => set(m, image('opendev/openstacksdk', ['openstacksdk'], 'FROM opendev/python-base\nCOPY .zuul-siblings/ /s/\n')),
      [
        'images/opendev/openstacksdk/Dockerfile:1: [from-undeclared] FROM opendev/python-base uses the workspace image opendev/python-base, which is not in implicitDependencies of opendev/openstacksdk; fix: add "opendev/python-base" to implicitDependencies in images/opendev/openstacksdk/project.json',
      ],
    ],
    [
      'unused dependency',
      (m) => set(m, image('opendev/python-base', ['debian/bookworm', 'opendev/openstacksdk'], 'FROM debian/bookworm\n')),
      [
        'images/opendev/python-base/project.json:5: [dependency-unused] implicitDependencies of opendev/python-base names the image opendev/openstacksdk, but no FROM or COPY --from of images/opendev/python-base/Dockerfile uses it; fix: remove "opendev/openstacksdk" from implicitDependencies, or build on it in the Dockerfile',
        'images/opendev/openstacksdk/project.json:4: [cycle] images depend on each other in a cycle: opendev/openstacksdk -> opendev/python-base -> opendev/openstacksdk; fix: remove one of these dependencies; an image cannot be built on its own descendant',
      ],
    ],
    [
      'FROM through an ARG',
      (m) => set(m, image('opendev/openstacksdk', ['openstacksdk'], 'ARG BASE=opendev/python-base\n\nFROM ${BASE}\nCOPY .zuul-siblings/ /s/\n')),
      [
        'images/opendev/openstacksdk/Dockerfile:3: [from-undeclared] FROM opendev/python-base uses the workspace image opendev/python-base, which is not in implicitDependencies of opendev/openstacksdk; fix: add "opendev/python-base" to implicitDependencies in images/opendev/openstacksdk/project.json',
      ],
    ],
    [
      'multi-stage FROM and COPY --from',
      (m) =>
        set(
          m,
          image('zuul/nodepool-launcher', ['opendev/python-base', 'nodepool'], 'FROM opendev/openstacksdk AS sdk\nFROM opendev/python-base\nCOPY --from=sdk /a /a\nCOPY --from=debian/bookworm /etc/os-release /\nCOPY .zuul-siblings/ /s/\n'),
        ),
      [
        'images/zuul/nodepool-launcher/Dockerfile:1: [from-undeclared] FROM opendev/openstacksdk uses the workspace image opendev/openstacksdk, which is not in implicitDependencies of zuul/nodepool-launcher; fix: add "opendev/openstacksdk" to implicitDependencies in images/zuul/nodepool-launcher/project.json',
        'images/zuul/nodepool-launcher/Dockerfile:4: [from-undeclared] COPY --from debian/bookworm uses the workspace image debian/bookworm, which is not in implicitDependencies of zuul/nodepool-launcher; fix: add "debian/bookworm" to implicitDependencies in images/zuul/nodepool-launcher/project.json',
        "images/zuul/nodepool-launcher/Dockerfile:4: [namespace-crossing] zuul/nodepool-launcher builds on debian/bookworm, but namespace zuul may not build on debian (mayBuildOn: opendev); fix: build on an image of zuul or opendev, or add \"debian\" to mayBuildOn of zuul in namespaces.json",
      ],
    ],
    [
      'namespace violation: a parent from a namespace it may not build on',
      (m) => {
        set(m, image('zuul/python-base', ['debian/bookworm'], 'FROM debian/bookworm\n'));
      },
      [
        'images/zuul/python-base/Dockerfile:1: [namespace-crossing] zuul/python-base builds on debian/bookworm, but namespace zuul may not build on debian (mayBuildOn: opendev); fix: build on an image of zuul or opendev, or add "debian" to mayBuildOn of zuul in namespaces.json',
        'images/zuul/python-base/Dockerfile:1: [namespace-base] zuul/python-base does not descend from opendev/python-base, the base of namespace zuul; fix: build it FROM opendev/python-base or an image above it',
      ],
    ],
    [
      'namespace without rules',
      (m) => set(m, image('acme/tool', ['opendev/python-base'], 'FROM opendev/python-base\n')),
      [
        "images/acme/tool/project.json:2: [namespace-undeclared] namespace acme of acme/tool has no rules in namespaces.json; fix: declare it: 'nx g @imgmono/image-plugin:namespace acme --base acme/<base image>'",
      ],
    ],
    [
      'bad name and a folder that disagrees',
      (m) => set(m, image('opendev/My_Tools', ['opendev/python-base'], 'FROM opendev/python-base\n', { root: 'images/opendev/my-tools' })),
      [
        'images/opendev/my-tools/project.json:2: [name-folder] project "opendev/My_Tools" lives in images/opendev/my-tools, which makes the image opendev/my-tools; fix: name the project "opendev/my-tools" or move it to images/opendev/My_Tools',
        'images/opendev/my-tools/project.json:2: [image-name] project name "opendev/My_Tools" has upper-case letters; image names are lowercase; fix: rename the project and its folder to a valid image name',
      ],
    ],
    [
      'cycle',
      (m) => {
        set(m, image('opendev/a', ['opendev/b'], 'FROM opendev/b\n'));
        set(m, image('opendev/b', ['opendev/a'], 'FROM opendev/a\n'));
      },
      [
        'images/opendev/a/Dockerfile:1: [namespace-base] opendev/a does not descend from opendev/python-base, the base of namespace opendev; fix: build it FROM opendev/python-base or an image above it',
        'images/opendev/b/Dockerfile:1: [namespace-base] opendev/b does not descend from opendev/python-base, the base of namespace opendev; fix: build it FROM opendev/python-base or an image above it',
        'images/opendev/a/project.json:4: [cycle] images depend on each other in a cycle: opendev/a -> opendev/b -> opendev/a; fix: remove one of these dependencies; an image cannot be built on its own descendant',
      ],
    ],
    [
      'unknown source copied by the Dockerfile',
      (m) => set(m, image('zuul/nodepool-launcher', ['opendev/python-base', 'nodepool'], 'FROM opendev/python-base\nCOPY .zuul-siblings/opendev.org/zuul/nodepool /n\nCOPY .zuul-siblings/opendev.org/zuul/zuul-client /z\n')),
      [
        "images/zuul/nodepool-launcher/Dockerfile:3: [source-unknown] the Dockerfile copies .zuul-siblings/opendev.org/zuul/zuul-client, but no source is declared with that canonical name; fix: declare it in sources/zuul-client/source.json with \"zuulProject\": \"opendev.org/zuul/zuul-client\" ('nx g @imgmono/image-plugin:source zuul-client --url <git url> --ref <ref>')",
      ],
    ],
    [
      'source used but not a dependency',
      (m) => set(m, image('opendev/python-base', ['debian/bookworm'], 'FROM debian/bookworm\nCOPY .zuul-siblings/opendev.org/zuul/nodepool /n\n')),
      [
        'images/opendev/python-base/Dockerfile:2: [source-undeclared] the Dockerfile copies .zuul-siblings/opendev.org/zuul/nodepool, the checkout of source nodepool, but nodepool is not in implicitDependencies of opendev/python-base; fix: add "nodepool" to implicitDependencies in images/opendev/python-base/project.json',
      ],
    ],
    [
      'source dependency the Dockerfile never copies',
      (m) => set(m, image('opendev/openstacksdk', ['opendev/python-base', 'openstacksdk'], 'FROM opendev/python-base\n')),
      [
        "images/opendev/openstacksdk/project.json:5: [source-unused] opendev/openstacksdk depends on the source openstacksdk, but images/opendev/openstacksdk/Dockerfile never copies .zuul-siblings/ into the image; fix: add 'COPY .zuul-siblings/ /tmp/sources/' and 'RUN install-sources /tmp/sources' to the Dockerfile, or remove \"openstacksdk\" from implicitDependencies",
      ],
    ],
    [
      'dependency on a project that is not an image or a source',
      (m) => set(m, image('opendev/python-base', ['debian/bookworm', 'image-plugin'], 'FROM debian/bookworm\n')),
      [
        'images/opendev/python-base/project.json:5: [dependency-kind] implicitDependencies of opendev/python-base names image-plugin, a project that is neither an image nor a source; fix: remove "image-plugin", or declare it as a source (sources/image-plugin/source.json) or an image project',
      ],
    ],
    [
      'broken source declaration',
      (m) => m.sources.set('nodepool', { name: 'nodepool', root: 'sources/nodepool', declarationFile: 'sources/nodepool/source.json', declarationError: 'sources/nodepool/source.json: "ref" must be a tag, branch or commit' }),
      [
        'sources/nodepool/source.json:1: [source-invalid] sources/nodepool/source.json: "ref" must be a tag, branch or commit; fix: correct sources/nodepool/source.json',
      ],
    ],
    [
      'missing Dockerfile',
      (m) => set(m, image('opendev/tools', ['opendev/python-base'], undefined)),
      ['images/opendev/tools/Dockerfile:1: [dockerfile] the Dockerfile is missing; fix: write a Dockerfile that starts FROM the parent image'],
    ],
    [
      'namespace rules that name an undeclared namespace',
      (m) => (m.namespacesText = JSON.stringify({ namespaces: { opendev: { base: 'opendev/python-base', mayBuildOn: ['debian', 'nope'] }, debian: { base: 'debian/bookworm' }, zuul: { base: 'opendev/python-base', mayBuildOn: ['opendev'] } } })),
      ['namespaces.json:1: [namespaces-file] namespace "opendev" may build on "nope", which is not declared: declare it or remove it; fix: correct namespaces.json'],
    ],
  ])('%s', (_name, change, expected) => {
    expect(checkWorkspace(workspace(change)).map(formatFinding)).toEqual(expected);
  });

  it('checks only the projects asked for, but still sees the whole graph', () => {
    const model = workspace((m) => set(m, image('opendev/openstacksdk', ['openstacksdk'], 'FROM opendev/python-base\nCOPY .zuul-siblings/ /s/\n')));
    expect(checkWorkspace(model, new Set(['zuul/nodepool-launcher']))).toEqual([]);
    expect(checkWorkspace(model, new Set(['opendev/openstacksdk'])).map((f: Finding) => f.rule)).toEqual(['from-undeclared']);
  });
});

describe('the workspace itself', () => {
  it('passes the graph check', async () => {
    const root = path.resolve(__dirname, '../../..');
    const model = await workspaceModelFromDisk(root);
    expect(model.images.size).toBeGreaterThanOrEqual(7);
    expect(model.sources.size).toBeGreaterThanOrEqual(3);
    expect(checkWorkspace(model).map(formatFinding)).toEqual([]);
  });
});
