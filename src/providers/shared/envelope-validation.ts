/**
 * The envelopes providers promise, checked with class-validator on the top
 * level only. PERF-NOTES: a global ValidationPipe (plainToInstance over whole
 * nested payloads) cut throughput to ~0.25x; a flat validateSync costs ~11 µs.
 *
 * The DTO's decorators stay the one statement of the rules, and
 * class-validator's own constraints decide. What is done once per DTO class
 * instead of per delivery is the executor's work around them (finding the
 * class's metadata, grouping it, building error objects): the constraints are
 * looked up once and called directly. Only a delivery they all pass is
 * accepted that way; any other goes through validateSync as before, so every
 * refusal and its message are validateSync's.
 */
import {
  getMetadataStorage,
  validateSync,
  ValidationTypes,
  type ValidationArguments,
  type ValidatorConstraintInterface,
} from 'class-validator';
import type { JsonObject } from '../../ledger/json';
import { rejectMalformed } from '../../ledger/errors';

type ValidationMetadata = ReturnType<
  ReturnType<typeof getMetadataStorage>['getTargetValidationMetadatas']
>[number];

interface CompiledConstraint {
  readonly property: string;
  readonly constraints: unknown[];
  readonly validator: ValidatorConstraintInterface;
}

/** True only when every constraint of the class passed: then validateSync finds nothing. */
type CompiledCheck = (envelope: object) => boolean;

const compiled = new Map<new () => object, CompiledCheck | null>();

export function checkEnvelope<T extends object>(
  Envelope: new () => T,
  body: JsonObject,
  what: string,
): T {
  const envelope = Object.assign(new Envelope(), body);
  if (compiledCheck(Envelope)?.(envelope) === true) return envelope;
  const errors = validateSync(envelope, { forbidUnknownValues: false, stopAtFirstError: true });
  if (errors.length > 0) {
    const problems = errors.flatMap((error) => Object.values(error.constraints ?? {}));
    throw rejectMalformed(`the ${what} is not a valid envelope: ${problems.join('; ')}`);
  }
  return envelope;
}

function compiledCheck(Envelope: new () => object): CompiledCheck | null {
  let check = compiled.get(Envelope);
  if (check === undefined) {
    check = compileEnvelopeCheck(Envelope);
    compiled.set(Envelope, check);
  }
  return check;
}

/**
 * The constraints validateSync would run on an instance of `Envelope`, or null
 * when the class uses anything the direct call does not reproduce (nested or
 * conditional validation, `each`, groups, async constraints, whitelisting):
 * then every delivery goes through validateSync.
 */
export function compileEnvelopeCheck(Envelope: new () => object): CompiledCheck | null {
  const storage = getMetadataStorage();
  // The same query validateSync's executor makes for these options (no groups, always off).
  const metadatas = storage.getTargetValidationMetadatas(Envelope, '', false, false, undefined);
  if (metadatas.length === 0) return null;
  const steps: CompiledConstraint[] = [];
  for (const metadata of metadatas) {
    if (!isPlainConstraint(metadata)) return null;
    for (const constraint of storage.getTargetValidatorConstraints(metadata.constraintCls)) {
      if (constraint.async) return null;
      steps.push({
        property: metadata.propertyName,
        constraints: metadata.constraints,
        validator: constraint.instance,
      });
    }
  }
  const targetName = Envelope.name;
  return (envelope) => {
    const object = envelope as Record<string, unknown>;
    for (const { property, constraints, validator } of steps) {
      const value = object[property];
      const args: ValidationArguments = { targetName, property, object, value, constraints };
      // Exactly true: a promise or any other answer is left to validateSync.
      if (validator.validate(value, args) !== true) return false;
    }
    return true;
  };
}

function isPlainConstraint(metadata: ValidationMetadata): boolean {
  return (
    (metadata.type === ValidationTypes.CUSTOM_VALIDATION ||
      metadata.type === ValidationTypes.IS_DEFINED) &&
    !metadata.each &&
    metadata.always !== true &&
    (metadata.groups === undefined || metadata.groups.length === 0)
  );
}
