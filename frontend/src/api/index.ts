export * from './client';
export * from './endpoints';
export * from './queries';
export type * from './types';
