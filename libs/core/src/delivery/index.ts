export * from './dsn';
