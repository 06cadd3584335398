/** The relay policy: one decision, the loaders that feed it, and its counters. */
export * from './client-networks';
export * from './envelope-address';
export * from './relay-decision';
export * from './relay-subject';
export * from './relay-usage';
