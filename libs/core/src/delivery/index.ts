export * from './dsn';
export * from './bounces';
