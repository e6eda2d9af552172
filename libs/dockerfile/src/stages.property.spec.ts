/**
 * The Dockerfile reader, for any Dockerfile made of FROM, ARG, COPY --from,
 * named and unnamed stages, line continuations, comments and in-stage ARGs:
 * the base of every stage and the outside images it finds are exactly those
 * the generator put in. (tests/integration/dockerfile-engine.int.spec.ts
 * checks a sample of the same Dockerfiles against the engine's own build.)
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { assertProperty, dockerfileCaseArb } from '@imgmono/testing';
import { parseDockerfile } from './parse-dockerfile';
import { imageReferences, resolveStages } from './stages';

const IMAGES = ['prop/img-0', 'prop/img-1', 'opendev/python-base', 'registry.example:5000/zuul/nodepool'];

describe('the Dockerfile reader (property)', () => {
  it('finds exactly the stage bases and outside images the generator put in', () => {
    assertProperty(
      'Dockerfile reader finds the generated parents',
      fc.property(dockerfileCaseArb(IMAGES), (generated) => {
        const parsed = parseDockerfile(generated.text);
        const stages = resolveStages(parsed, generated.buildArgs);
        const bases = stages.map((stage) =>
          stage.fromStage !== undefined ? { kind: 'stage', index: stage.fromStage } : stage.image === 'scratch' ? { kind: 'scratch' } : { kind: 'image', image: stage.image },
        );
        expect(bases, generated.text).toEqual(generated.bases);
        const found = [...new Set(imageReferences(parsed, stages).map((ref) => ref.image))].sort();
        expect(found, generated.text).toEqual([...generated.images].sort());
      }),
      500,
    );
  });
});
