import { registerDecorator, ValidationOptions } from 'class-validator';
import { localPartProblem, normaliseAddress, normaliseDomain } from '../../../../libs/core/src/addresses';

/** A DNS host name (IDNA allowed); the service stores its normalised form. */
export function IsHostName(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isHostName',
      target: object.constructor,
      propertyName,
      options: { message: `${propertyName} must be a valid domain name (e.g. example.com)`, ...options },
      validator: { validate: (v: unknown) => typeof v === 'string' && normaliseDomain(v) !== null },
    });
}

/** An e-mail address we could deliver to (dot-atom local part, host-name domain). */
export function IsMailAddress(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isMailAddress',
      target: object.constructor,
      propertyName,
      options: { message: `${propertyName} must be an e-mail address`, ...options },
      validator: { validate: (v: unknown) => typeof v === 'string' && normaliseAddress(v) !== null },
    });
}

/** A mailbox local part (RFC 5321 dot-atom without routing characters); the message says what is wrong. */
export function IsLocalPart(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isLocalPart',
      target: object.constructor,
      propertyName,
      options: { message: (args) => `${propertyName} is not a valid local part: ${localPartProblem(args.value as string) ?? 'must be a string'}`, ...options },
      validator: { validate: (v: unknown) => typeof v === 'string' && localPartProblem(v) === null },
    });
}
