import 'reflect-metadata';
import { IsInt, IsString, ValidateNested, validateSync } from 'class-validator';
import fc from 'fast-check';
import type { JsonObject } from '../../ledger/json';
import { checkEnvelope, compileEnvelopeCheck } from './envelope-validation';
import { GrowsurfEnvelope } from '../growsurf/growsurf-envelope.dto';
import { WixMessageEnvelope } from '../wix/wix-envelope.dto';
import { WebhookRejection } from '../../ledger/errors';

/** What checkEnvelope answered before its checks were compiled: validateSync on every call. */
function validateSyncAnswer(Envelope: new () => object, body: JsonObject, what: string): unknown {
  const errors = validateSync(Object.assign(new Envelope(), body), {
    forbidUnknownValues: false,
    stopAtFirstError: true,
  });
  if (errors.length === 0) return { accepted: { ...body } };
  const problems = errors.flatMap((error) => Object.values(error.constraints ?? {}));
  return { refused: 400, detail: `the ${what} is not a valid envelope: ${problems.join('; ')}` };
}

function checkEnvelopeAnswer(Envelope: new () => object, body: JsonObject, what: string): unknown {
  try {
    return { accepted: { ...checkEnvelope(Envelope, body, what) } };
  } catch (error) {
    if (!(error instanceof WebhookRejection)) throw error;
    return { refused: error.status, detail: error.detail };
  }
}

/** Field values of every kind an untrusted body can hold, the edge cases included. */
const anyField = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.constant(''),
  fc.string(),
  fc.integer(),
  fc.constantFrom(-1, 0, 1.5, Number.MAX_SAFE_INTEGER),
  fc.boolean(),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
  fc.array(fc.integer(), { maxLength: 3 }),
);

function bodies(fields: readonly string[]): fc.Arbitrary<JsonObject> {
  return fc
    .record(Object.fromEntries(fields.map((field) => [field, anyField])), { requiredKeys: [] })
    .map((record) =>
      Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)),
    ) as fc.Arbitrary<JsonObject>;
}

describe('checkEnvelope', () => {
  it.each([
    ['GrowSurf body', GrowsurfEnvelope, ['event', 'createdAt', 'data', 'extra']],
    ['Wix envelope', WixMessageEnvelope, ['eventType', 'instanceId', 'data', 'extra']],
  ] as const)(
    'accepts and refuses every %s exactly as validateSync does, with the same message',
    (what, Envelope, fields) => {
      fc.assert(
        fc.property(bodies(fields), (body) => {
          expect(checkEnvelopeAnswer(Envelope, body, what)).toEqual(
            validateSyncAnswer(Envelope, body, what),
          );
        }),
        { numRuns: 2000 },
      );
    },
  );

  it('compiles the provider envelopes, whose decorators are all plain constraints', () => {
    expect(compileEnvelopeCheck(GrowsurfEnvelope)).not.toBeNull();
    expect(compileEnvelopeCheck(WixMessageEnvelope)).not.toBeNull();
  });

  it('leaves a class with nested validation to validateSync on every call', () => {
    class Inner {
      @IsInt()
      n!: number;
    }
    class Outer {
      @IsString()
      name!: string;

      @ValidateNested()
      inner!: Inner;
    }
    expect(compileEnvelopeCheck(Outer)).toBeNull();
  });
});
